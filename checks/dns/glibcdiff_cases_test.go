package dns

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// diffSeed makes the random cases the same on every run; change it to
// explore, and keep what a new seed finds as a hand-made case.
const diffSeed = 20261204

// fast keeps lookups through a silent server short: glibc waits 1 s.
const fast = "options timeout:1 attempts:1\n"

func str(s string) *string { return &s }

// Files the cases share.
var (
	hostsPlain = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n10.9.9.9 db1.test db1-alias\n"
	hostsRich  = "# a comment line\n127.0.0.1\tlocalhost\n10.9.9.1 App.Test app # an alias, then a comment\n10.9.9.2 app.test\n" +
		"2001:db8::99 db1.test\n10.9.9.3 DB1.TEST\n#10.9.9.4 commented.test\nfe80::1%eth0 zoned.test\n10.9.9.300 bad.test\n" +
		"10.9.9.5 dotted.test.\n   10.9.9.6   indented.test\n10.9.9.7\n10.9.9.8 tabbed.test\tother-alias\n"

	// names asked in most cases: DNS-only, files-only, both, search-list
	// dependent, trailing dots, case, NODATA and NXDOMAIN.
	commonNames = []string{"db1.test", "db1", "db1.", "DB1.Test.", "v4.test", "v6.test", "nope.test", "app", "alias.test"}
	searchNames = []string{"svc", "db1", "db1.test", "x.y.z", "solo", "solo.", "app", "nope"}
	hostsNames  = []string{"db1.test", "app", "APP.test", "app.test", "dotted.test", "dotted.test.", "indented.test", "other-alias", "zoned.test", "bad.test", "localhost", "db1-alias", "commented.test"}
)

// handMadeCases are the edge cases the issue names, one configuration each.
func handMadeCases() []diffCase {
	var out []diffCase
	add := func(id string, resolv, nsswitch, hosts *string, names ...string) {
		out = append(out, diffCase{ID: id, Resolv: resolv, Nsswitch: nsswitch, Hosts: hosts, Names: names})
	}
	one := str("nameserver " + nsAnswer + "\n" + fast)
	filesDNS, dnsFiles := str("hosts: files dns\n"), str("hosts: dns files\n")

	// nsswitch.conf as glibc 2.33+ reads it.
	add("nss/no file", one, nil, &hostsPlain, commonNames...)
	add("nss/no hosts line", one, str("passwd: files\ngroup: files\n"), &hostsPlain, commonNames...)
	add("nss/files dns", one, filesDNS, &hostsPlain, commonNames...)
	add("nss/dns files", one, dnsFiles, &hostsPlain, commonNames...)
	add("nss/files only", one, str("hosts: files\n"), &hostsPlain, commonNames...)
	add("nss/dns only", one, str("hosts: dns\n"), &hostsPlain, commonNames...)
	add("nss/two lines, files then dns", one, str("hosts: files\nhosts: dns\n"), &hostsPlain, "db1.test", "db1-alias", "v4.test")
	add("nss/two lines, dns then files", one, str("hosts: dns\nhosts: files\n"), &hostsPlain, "db1.test", "db1-alias", "v4.test")
	add("nss/an empty last hosts line", one, str("hosts: files dns\nhosts:\n"), &hostsPlain, "db1.test", "v4.test")
	add("nss/a bare hosts name", one, str("hosts: files dns\nhosts\n"), &hostsPlain, "db1.test", "v4.test")
	add("nss/last line without a newline", one, str("hosts: dns\nhosts: files"), &hostsPlain, "db1.test", "db1-alias", "v4.test")
	add("nss/no colon", one, str("hosts dns files\n"), &hostsPlain, "db1.test", "db1-alias")
	add("nss/blanks and colons", one, str("   hosts : :dns\tfiles\n"), &hostsPlain, "db1.test", "db1-alias")
	add("nss/Hosts is another database", one, str("Hosts: dns\n"), &hostsPlain, "db1.test", "v4.test")
	add("nss/a '#' mid-line is a service", one, str("hosts: dns # files\n"), &hostsPlain, "db1.test", "db1-alias", "nope.test")
	add("nss/a whole-line comment", one, str("#hosts: dns\nhosts: files\n"), &hostsPlain, "db1.test", "v4.test")
	add("nss/files [NOTFOUND=return] dns", one, str("hosts: files [NOTFOUND=return] dns\n"), &hostsPlain, "db1.test", "v4.test", "db1-alias")
	add("nss/dns [NOTFOUND=return] files", one, str("hosts: dns [NOTFOUND=return] files\n"), &hostsPlain, "db1.test", "v4.test", "db1-alias", "v6.test")
	add("nss/dns [!UNAVAIL=return] files", one, str("hosts: dns [!UNAVAIL=return] files\n"), &hostsPlain, "db1.test", "db1-alias", "nope.test")
	add("nss/blanks in the action list", one, str("hosts: dns [ notfound = Return ] files\n"), &hostsPlain, "db1-alias", "v4.test")
	add("nss/action list glued to the name", one, str("hosts: dns[NOTFOUND=return] files\n"), &hostsPlain, "db1-alias", "v4.test")
	add("nss/a bad action rejects the file", one, str("hosts: files [NOTFOUND=jump] dns\n"), &hostsPlain, "db1.test", "v4.test")
	add("nss/an unterminated action list", one, str("hosts: files dns [NOTFOUND=return\n"), &hostsPlain, "db1.test", "v4.test")
	add("nss/an action list without a service", one, str("hosts: [NOTFOUND=return] files dns\n"), &hostsPlain, "db1.test", "v4.test")
	add("nss/unknown services are skipped", one, str("hosts: ldap foo dns files\n"), &hostsPlain, "db1.test", "db1-alias", "nope.test")
	add("nss/unknown service with UNAVAIL=return", one, str("hosts: foo [UNAVAIL=return] dns\n"), &hostsPlain, "db1.test")
	add("nss/SUCCESS=continue", one, str("hosts: files [SUCCESS=continue] dns\n"), &hostsPlain, "db1.test", "db1-alias", "v4.test")
	add("nss/SUCCESS=merge", one, str("hosts: files [SUCCESS=merge] dns\n"), &hostsPlain, "db1.test", "db1-alias", "v4.test")
	add("nss/no hosts file, UNAVAIL=return", one, str("hosts: files [UNAVAIL=return] dns\n"), nil, "db1.test", "v4.test")
	add("nss/no hosts file, NOTFOUND=return", one, str("hosts: files [NOTFOUND=return] dns\n"), nil, "db1.test", "v4.test")

	// /etc/hosts.
	add("hosts/rich, files only", one, str("hosts: files\n"), &hostsRich, hostsNames...)
	add("hosts/rich, files dns", one, filesDNS, &hostsRich, hostsNames...)
	out = append(out, diffCase{ID: "hosts/rich, multi on", Resolv: one, Nsswitch: str("hosts: files\n"), Hosts: &hostsRich, HostConf: str("multi on\n"), Names: hostsNames})
	out = append(out, diffCase{ID: "hosts/duplicates, multi on", Resolv: one, Nsswitch: str("hosts: files\n"), HostConf: str("# Debian\nmulti on\n"),
		Hosts: str("10.9.9.1 dup.test\n2001:db8::1 dup.test\n10.9.9.1 dup.test\n10.9.9.2 DUP.test\n"), Names: []string{"dup.test", "Dup.Test"}})
	out = append(out, diffCase{ID: "hosts/multi off", Resolv: one, Nsswitch: str("hosts: files\n"), HostConf: str("multi off\n"),
		Hosts: str("10.9.9.1 dup.test\n2001:db8::1 dup.test\n"), Names: []string{"dup.test"}})
	add("hosts/empty", one, str("hosts: files [NOTFOUND=return] dns\n"), str(""), "db1.test", "localhost")
	add("hosts/CRLF", one, str("hosts: files\n"), str("10.9.9.1 crlf.test\r\n10.9.9.2 crlf2.test other\r\n"), "crlf.test", "crlf2.test", "other", "other\r")
	add("hosts/duplicates across families", one, str("hosts: files\n"), str("10.9.9.1 dup.test\n2001:db8::1 dup.test\n10.9.9.1 dup.test\n10.9.9.2 DUP.test\n"), "dup.test", "Dup.Test")

	// resolv.conf: servers, their order and failures.
	add("ns/absent: glibc asks 127.0.0.1", nil, filesDNS, &hostsPlain, "db1.test", "v4.test", "nope.test")
	add("ns/no nameserver line", str("search a.test\n"), filesDNS, &hostsPlain, "db1", "svc", "db1.test")
	add("ns/order decides", str("nameserver "+nsOther+"\nnameserver "+nsAnswer+"\n"+fast), dnsFiles, &hostsPlain, "db1.test", "onlyb.test", "v4.test", "nope.test")
	add("ns/REFUSED first", str("nameserver "+nsRefused+"\nnameserver "+nsAnswer+"\n"+fast), dnsFiles, &hostsPlain, "db1.test", "v4.test", "nope.test", "db1-alias")
	add("ns/SERVFAIL first", str("nameserver "+nsServfail+"\nnameserver "+nsOther+"\n"+fast), dnsFiles, &hostsPlain, "db1.test", "onlyb.test", "nope.test")
	add("ns/unreachable first", str("nameserver "+nsClosed+"\nnameserver "+nsAnswer+"\n"+fast), dnsFiles, &hostsPlain, "db1.test", "nope.test")
	add("ns/silent first", str("nameserver "+nsSilent+"\nnameserver "+nsAnswer+"\n"+fast), str("hosts: dns\n"), &hostsPlain, "db1.test", "nope.test")
	add("ns/only REFUSED", str("nameserver "+nsRefused+"\n"+fast), dnsFiles, &hostsPlain, "db1.test", "db1-alias", "nope.test")
	add("ns/only SERVFAIL", str("nameserver "+nsServfail+"\n"+fast), dnsFiles, &hostsPlain, "db1.test", "db1-alias")
	add("ns/only unreachable", str("nameserver "+nsClosed+"\n"+fast), dnsFiles, &hostsPlain, "db1.test", "db1-alias")
	add("ns/only silent", str("nameserver "+nsSilent+"\n"+fast), dnsFiles, &hostsPlain, "db1.test", "db1-alias")
	add("ns/only REFUSED, NOTFOUND=return", str("nameserver "+nsRefused+"\n"+fast), str("hosts: dns [NOTFOUND=return] files\n"), &hostsPlain, "db1-alias")
	add("ns/only SERVFAIL, TRYAGAIN=return", str("nameserver "+nsServfail+"\n"+fast), str("hosts: dns [TRYAGAIN=return] files\n"), &hostsPlain, "db1-alias")
	add("ns/only unreachable, UNAVAIL=return", str("nameserver "+nsClosed+"\n"+fast), str("hosts: dns [UNAVAIL=return] files\n"), &hostsPlain, "db1-alias")
	add("ns/only silent, TRYAGAIN=return", str("nameserver "+nsSilent+"\n"+fast), str("hosts: dns [TRYAGAIN=return] files\n"), &hostsPlain, "db1-alias")
	add("ns/only silent, UNAVAIL=return", str("nameserver "+nsSilent+"\n"+fast), str("hosts: dns [UNAVAIL=return] files\n"), &hostsPlain, "db1-alias")
	add("ns/only the first 3 are used", str("nameserver "+nsRefused+"\nnameserver "+nsServfail+"\nnameserver "+nsRefused+"\nnameserver "+nsAnswer+"\n"+fast), dnsFiles, &hostsPlain, "db1.test", "db1-alias")
	add("ns/a fourth duplicate server", str("nameserver "+nsRefused+"\nnameserver "+nsRefused+"\nnameserver "+nsAnswer+"\nnameserver "+nsOther+"\n"+fast), str("hosts: dns\n"), nil, "db1.test", "onlyb.test")
	add("ns/CRLF", str("nameserver "+nsOther+"\r\nnameserver "+nsAnswer+"\n"), str("hosts: dns\n"), nil, "db1.test", "onlyb.test")
	add("ns/indented line ignored", str(" nameserver "+nsOther+"\nnameserver "+nsAnswer+"\n"), str("hosts: dns\n"), nil, "db1.test", "onlyb.test")
	add("ns/junk after the address", str("nameserver "+nsOther+" # the other one\nnameserver "+nsAnswer+"\n"), str("hosts: dns\n"), nil, "db1.test", "onlyb.test")
	add("ns/inet_aton shorthand", str("nameserver 127.5\nnameserver "+nsAnswer+"\n"), str("hosts: dns\n"), nil, "db1.test", "onlyb.test")
	add("ns/rotate over equal servers", str("nameserver "+nsAnswer+"\nnameserver "+nsStub+"\noptions rotate\n"), str("hosts: dns\n"), nil, "db1.test", "v4.test", "nope.test")
	add("ns/attempts:0 sends nothing", str("nameserver "+nsAnswer+"\noptions attempts:0\n"), dnsFiles, &hostsPlain, "db1.test", "db1-alias")
	add("ns/no-aaaa", str("nameserver "+nsAnswer+"\noptions no-aaaa\n"), str("hosts: dns\n"), nil, "db1.test", "v6.test", "mixed.test")
	add("ns/single-request", str("nameserver "+nsAnswer+"\noptions single-request\n"), str("hosts: dns\n"), nil, "db1.test", "v6.test", "v4.test")
	add("ns/use-vc", str("nameserver "+nsAnswer+"\noptions use-vc\n"), str("hosts: dns\n"), nil, "db1.test", "v6.test", "nope.test")
	add("ns/edns0 trust-ad", str("nameserver "+nsAnswer+"\noptions edns0 trust-ad\n"), str("hosts: dns\n"), nil, "db1.test", "multi.test", "alias.test")
	add("ns/the resolved stub address", str("nameserver "+nsStub+"\noptions edns0 trust-ad\nsearch a.test\n"), filesDNS, &hostsPlain, "db1", "svc", "db1.test", "db1-alias")
	add("ns/a dangling link to the stub", str("->../run/systemd/resolve/stub-resolv.conf"), filesDNS, &hostsPlain, "db1.test", "db1-alias", "solo")
	add("ns/the resolved stub, dns first", str("nameserver "+nsStub+"\n"), dnsFiles, &hostsPlain, "db1.test", "db1-alias", "nope.test")

	// Search lists, ndots and trailing dots.
	for _, ndots := range []int{0, 1, 2, 3} {
		add(fmt.Sprintf("search/a b, ndots:%d", ndots), str(fmt.Sprintf("nameserver %s\nsearch a.test b.test\noptions ndots:%d\n", nsAnswer, ndots)), str("hosts: dns\n"), nil, searchNames...)
	}
	add("search/domain then search: search wins", str("nameserver "+nsAnswer+"\ndomain a.test\nsearch b.test\n"), str("hosts: dns\n"), nil, searchNames...)
	add("search/search then domain: domain wins", str("nameserver "+nsAnswer+"\nsearch b.test\ndomain a.test\n"), str("hosts: dns\n"), nil, searchNames...)
	add("search/a missing domain first", str("nameserver "+nsAnswer+"\nsearch nowhere.test b.test a.test\n"), str("hosts: dns\n"), nil, searchNames...)
	add("search/dotted name, ndots:2", str("nameserver "+nsAnswer+"\nsearch a.test\noptions ndots:2\n"), str("hosts: dns\n"), nil, "db1.test", "db1.test.", "x.y.z", "x.y")
	add("search/root domain on the list", str("nameserver "+nsAnswer+"\nsearch . a.test\n"), str("hosts: dns\n"), nil, "solo", "svc", "db1")
	add("search/no-tld-query", str("nameserver "+nsAnswer+"\nsearch b.test\noptions no-tld-query\n"), str("hosts: dns\n"), nil, "solo", "svc", "db1.test")
	add("search/SERVFAIL in the search list", str("nameserver "+nsServfail+"\nnameserver "+nsAnswer+"\nsearch a.test b.test\n"+fast), str("hosts: dns\n"), nil, "svc", "db1", "app")
	add("search/REFUSED in the search list", str("nameserver "+nsRefused+"\nsearch a.test b.test\n"+fast), str("hosts: dns\n"), nil, "svc", "db1")
	add("search/ndots:15 cap", str("nameserver "+nsAnswer+"\nsearch a.test\noptions ndots:99\n"), str("hosts: dns\n"), nil, "db1.test", "x.y.z")
	add("search/files with search names", str("nameserver "+nsAnswer+"\nsearch a.test\n"), filesDNS, str("10.9.9.1 svc.a.test\n10.9.9.2 svc\n"), "svc", "svc.a.test")
	return out
}

// randomCases draws n configurations from the pieces above: server
// lists with failing servers in them, search lists, ndots, nsswitch lines
// with actions, and hosts files, each with a handful of names.
func randomCases(seed uint64, n int) []diffCase {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	servers := []string{nsAnswer, nsAnswer, nsOther, nsRefused, nsServfail, nsClosed, nsStub}
	searches := []string{"", "", "search a.test\n", "search b.test a.test\n", "domain a.test\n", "search nowhere.test a.test\n", "domain b.test\nsearch a.test\n", "search a.test b.test\ndomain b.test\n"}
	services := []string{"files", "dns", "dns", "files", "foo"}
	statusNames := []string{"NOTFOUND", "UNAVAIL", "TRYAGAIN", "SUCCESS", "notfound"}
	actions := []string{"return", "continue", "RETURN"}
	hostsFiles := []*string{nil, &hostsPlain, &hostsRich, str(""), str("10.9.9.1 svc svc.a.test\n10.9.9.2 onlyb.test\n2001:db8::2 onlyb.test v6.test\n")}
	names := append(append(append([]string{}, commonNames...), searchNames...), "onlyb.test", "multi.test", "mixed.test", "svc.a.test", "db1-alias", "APP.test", "x.y.z.test", "alias.test.")
	var out []diffCase
	for i := range n {
		var rc strings.Builder
		silentUsed := false
		for range rng.IntN(4) {
			s := pick(servers)
			if rng.IntN(25) == 0 && !silentUsed {
				s, silentUsed = nsSilent, true // a second each: rare
			}
			fmt.Fprintf(&rc, "nameserver %s\n", s)
		}
		rc.WriteString(pick(searches))
		if rng.IntN(2) == 0 {
			fmt.Fprintf(&rc, "options ndots:%d\n", rng.IntN(4))
		}
		rc.WriteString(fast)
		resolv := str(rc.String())
		if rng.IntN(15) == 0 {
			resolv = nil
		}

		var nss *string
		switch rng.IntN(10) {
		case 0: // no file
		case 1:
			nss = str("passwd: files\n")
		default:
			var line strings.Builder
			line.WriteString("hosts:")
			for range 1 + rng.IntN(3) {
				line.WriteString(" " + pick(services))
				if rng.IntN(3) == 0 {
					neg := ""
					if rng.IntN(3) == 0 {
						neg = "!"
					}
					fmt.Fprintf(&line, " [%s%s=%s]", neg, pick(statusNames), pick(actions))
				}
			}
			text := line.String() + "\n"
			if rng.IntN(8) == 0 {
				text = "hosts: files\n" + text // two lines: the last wins
			}
			if rng.IntN(10) == 0 {
				text += "hosts: dns" // no newline at the end
			}
			nss = str(text)
		}

		var picked []string
		for range 3 + rng.IntN(3) {
			picked = append(picked, pick(names))
		}
		slices.Sort(picked)
		var hostConf *string
		if rng.IntN(2) == 0 {
			hostConf = str("multi on\n")
		}
		out = append(out, diffCase{ID: fmt.Sprintf("random/%d", i), Resolv: resolv, Nsswitch: nss, Hosts: hostsFiles[rng.IntN(len(hostsFiles))], HostConf: hostConf, Names: slices.Compact(picked)})
	}
	return out
}
