package dns

import (
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

// db1 answers for db1.test in DNS with an address that differs from the
// /etc/hosts one, so the answer tells which source won.
var db1 = map[string]zone{"db1.test.": {a: []string{"10.0.0.5"}, aaaa: []string{"2001:db8::5"}}}

const hostsDB1 = "127.0.0.1 localhost\n10.9.9.9 db1.test db1-alias\n"

func TestResolveFollowsNsswitchOrder(t *testing.T) {
	cases := []struct {
		name, nsswitch, query string
		source, answers       string
		dnsAsked              bool
	}{
		{"files dns: /etc/hosts first, DNS never asked", "hosts: files dns\n", "db1.test", "files", "10.9.9.9", false},
		{"files dns: an alias matches, case-insensitively", "hosts: files dns\n", "DB1-Alias", "files", "10.9.9.9", false},
		{"dns files: DNS first", "hosts: dns files\n", "db1.test", "dns", "10.0.0.5, 2001:db8::5", true},
		{"no hosts line: glibc 2.33+'s default reads /etc/hosts first", "passwd: files\n", "db1.test", "files", "10.9.9.9", false},
		{"resolve is DNS through the configured servers", "hosts: resolve [!UNAVAIL=return] dns\n", "db1.test", "resolve", "10.0.0.5, 2001:db8::5", true},
		{"myhostname answers localhost names", "hosts: myhostname dns\n", "foo.localhost", "myhostname", "127.0.0.1, ::1", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			port, servers := startLab(t, serverSpec{ip: "127.0.0.1", zones: db1})
			h := labRoot(t, map[string]string{
				"etc/resolv.conf": resolvConfFor(servers, ""), "etc/nsswitch.conf": c.nsswitch, "etc/hosts": hostsDB1,
			})
			r := result(t, dnsProfile(t, port, "  names: ["+c.query+"]\n"), h, "dns/resolve:"+c.query, engine.RunOptions{})
			if r.Status != engine.Pass || r.Details["source"] != c.source || !strings.HasPrefix(r.Observed, c.answers+" (") {
				t.Fatalf("%s source=%v %q (%q), want pass from %s with %s", r.Status, r.Details["source"], r.Observed, r.Message, c.source, c.answers)
			}
			if asked := len(servers[0].questions()) > 0; asked != c.dnsAsked {
				t.Errorf("DNS asked: %v, want %v", asked, c.dnsAsked)
			}
		})
	}
}

func TestResolveSearchListOrder(t *testing.T) {
	cases := []struct {
		name, conf, query string
		zones             map[string]zone
		seen              []string // the candidate names the server saw, in order
		status            engine.Status
		answered          string
	}{
		{"ndots:1, a dotted name: as given first",
			"search a.test b.test\n", "db1.svc",
			map[string]zone{"db1.svc.": {a: []string{"10.0.0.7"}}},
			[]string{"db1.svc."}, engine.Pass, "db1.svc."},
		{"ndots:1, a dotted name that is not in DNS: then the search list",
			"search a.test b.test\n", "db1.svc",
			map[string]zone{"db1.svc.b.test.": {a: []string{"10.0.0.7"}}},
			[]string{"db1.svc.", "db1.svc.a.test.", "db1.svc.b.test."}, engine.Pass, "db1.svc.b.test."},
		{"ndots:2, fewer dots: the search list first, then the name as given",
			"search a.test b.test\noptions ndots:2\n", "db1.svc",
			map[string]zone{"db1.svc.": {a: []string{"10.0.0.7"}}},
			[]string{"db1.svc.a.test.", "db1.svc.b.test.", "db1.svc."}, engine.Pass, "db1.svc."},
		{"a single label goes through the search list",
			"domain a.test\n", "db1",
			map[string]zone{"db1.a.test.": {a: []string{"10.0.0.7"}}},
			[]string{"db1.a.test."}, engine.Pass, "db1.a.test."},
		{"a trailing dot: only the name as given",
			"search a.test\n", "db1.svc.",
			map[string]zone{},
			[]string{"db1.svc."}, engine.Fail, ""},
		{"SERVFAIL goes on to the next search domain",
			"search a.test b.test\noptions ndots:3\n", "db1",
			map[string]zone{"db1.a.test.": {rcode: mdns.RcodeServerFailure}, "db1.b.test.": {a: []string{"10.0.0.7"}}},
			[]string{"db1.a.test.", "db1.b.test."}, engine.Pass, "db1.b.test."},
		{"REFUSED ends the search list, the name as given is still tried",
			"search a.test b.test\n", "db1",
			map[string]zone{"db1.a.test.": {rcode: mdns.RcodeRefused}},
			[]string{"db1.a.test.", "db1."}, engine.Fail, ""},
		{"NXDOMAIN everywhere: every candidate, then it does not resolve",
			"search a.test b.test\n", "nope",
			map[string]zone{},
			[]string{"nope.a.test.", "nope.b.test.", "nope."}, engine.Fail, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			port, servers := startLab(t, serverSpec{ip: "127.0.0.1", zones: c.zones})
			h := labRoot(t, map[string]string{"etc/resolv.conf": resolvConfFor(servers, c.conf)})
			r := result(t, dnsProfile(t, port, "  names: [\""+c.query+"\"]\n"), h, "dns/resolve:"+c.query, engine.RunOptions{})
			if got := servers[0].names(); strings.Join(got, " ") != strings.Join(c.seen, " ") {
				t.Errorf("server saw %v, want %v", got, c.seen)
			}
			if r.Status != c.status {
				t.Errorf("%s %q, want %s", r.Status, r.Message, c.status)
			}
			cands, _ := r.Details["candidates"].([]candidate)
			if len(cands) != len(c.seen) {
				t.Errorf("details.candidates %v, want %d", cands, len(c.seen))
			}
			if c.answered != "" && r.Details["answered_name"] != c.answered {
				t.Errorf("answered_name %v, want %s", r.Details["answered_name"], c.answered)
			}
			if c.status == engine.Fail && (r.Remediation == nil || !strings.Contains(r.Message, "does not resolve")) {
				t.Errorf("a name that does not resolve needs its message and a remediation: %q %+v", r.Message, r.Remediation)
			}
		})
	}
	// The order the tests pin is the documented one.
	if got := candidates("db1.svc", []string{"a.test", "b.test"}, 2); strings.Join(got, " ") != "db1.svc.a.test. db1.svc.b.test. db1.svc." {
		t.Errorf("Candidates: %v", got)
	}
}

func TestResolveFailures(t *testing.T) {
	cases := []struct {
		name   string
		specs  []serverSpec
		extra  string // profile lines
		status engine.Status
		cause  string
		words  string
	}{
		{"expected addresses differ", []serverSpec{{ip: "127.0.0.1", zones: db1}},
			"  names: [{name: db1.test, expect: [10.0.0.6], types: [A]}]\n", engine.Fail, "", "missing 10.0.0.6; unexpected 10.0.0.5"},
		{"expected addresses match as a set", []serverSpec{{ip: "127.0.0.1", zones: db1}},
			"  names: [{name: db1.test, expect: [\"2001:db8::5\", 10.0.0.5]}]\n", engine.Pass, "", "resolves through dns"},
		{"types: [A] asks for A only", []serverSpec{{ip: "127.0.0.1", zones: db1}},
			"  names: [{name: db1.test, types: [A]}]\n", engine.Pass, "", "resolves"},
		{"SERVFAIL everywhere fails with its cause", []serverSpec{{ip: "127.0.0.1", zones: map[string]zone{"db1.test.": {rcode: mdns.RcodeServerFailure}}}},
			"  names: [db1.test.]\n", engine.Fail, causeServfail, "DNS did not answer (servfail)"},
		{"silence fails as a timeout", []serverSpec{{ip: "127.0.0.1", silent: true}},
			"  names: [db1.test.]\n", engine.Fail, causeTimeout, "DNS did not answer (timeout)"},
		{"a silent first server, an answering second: resolves, with a warning", []serverSpec{{ip: "127.0.0.2", silent: true}, {ip: "127.0.0.3", zones: db1}},
			"  names: [db1.test]\n", engine.Warn, "", "127.0.0.2 failed first (timeout)"},
		{"a refusing first server is skipped", []serverSpec{{ip: "127.0.0.2", zones: map[string]zone{"db1.test.": {rcode: mdns.RcodeRefused}}}, {ip: "127.0.0.3", zones: db1}},
			"  names: [db1.test]\n", engine.Warn, "", "127.0.0.2 failed first (refused)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			port, servers := startLab(t, c.specs...)
			h := labRoot(t, map[string]string{"etc/resolv.conf": resolvConfFor(servers, "")})
			p := dnsProfile(t, port, c.extra)
			var id string
			for _, ch := range mustBuild(t, p) {
				if strings.HasPrefix(ch.ID(), "dns/resolve:") {
					id = ch.ID()
				}
			}
			r := result(t, p, h, id, engine.RunOptions{CheckTimeout: time.Second})
			if r.Status != c.status || !strings.Contains(r.Message, c.words) {
				t.Fatalf("%s %q, want %s mentioning %q", r.Status, r.Message, c.status, c.words)
			}
			if c.cause != "" && r.Details["cause"] != c.cause {
				t.Errorf("cause %v, want %s", r.Details["cause"], c.cause)
			}
			if strings.Contains(c.extra, "types: [A]") {
				for _, s := range servers {
					for _, q := range s.questions() {
						if q.qtype != mdns.TypeA {
							t.Errorf("types [A]: the server was asked %s", mdns.TypeToString[q.qtype])
						}
					}
				}
			}
		})
	}
}

func TestResolveThroughTheResolvedStub(t *testing.T) {
	port, servers := startLab(t, serverSpec{ip: "127.0.0.1", zones: db1})
	stubFiles := map[string]string{
		"etc/resolv.conf":                      "->../run/systemd/resolve/stub-resolv.conf",
		"run/systemd/resolve/stub-resolv.conf": "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch test\n",
		"run/systemd/resolve/resolv.conf":      resolvConfFor(servers, "search test\n"),
	}
	h := labRoot(t, stubFiles)
	all := run(t, dnsProfile(t, port, "  names: [db1]\n"), h, engine.RunOptions{}, "dns/resolve:")
	r := all["dns/resolve:db1"]
	if r.Status != engine.Pass || r.Details["server"] != "127.0.0.1" || r.Details["answered_name"] != "db1.test." {
		t.Fatalf("%s %q server=%v, want an answer from the upstream", r.Status, r.Message, r.Details["server"])
	}
	if notes, _ := r.Details["notes"].([]string); !strings.Contains(strings.Join(notes, " "), "upstream") {
		t.Errorf("notes %v should say the upstreams were asked instead of the stub", notes)
	}
	for _, q := range servers[0].questions() {
		if q.qtype == mdns.TypeA && q.proto == "udp" {
			return // asked over UDP with the stub's options (edns0)
		}
	}
	t.Errorf("the upstream saw no A query: %v", servers[0].questions())
}

func TestResolveUnderARootWithoutRunIsSkipped(t *testing.T) {
	h := labRoot(t, map[string]string{"etc/resolv.conf": "->../run/systemd/resolve/stub-resolv.conf"})
	r := result(t, testProfile(t, "dns: {names: [db1.test]}\n"), h, "dns/resolve:db1.test", engine.RunOptions{})
	if r.Status != engine.Skip || !strings.Contains(r.Message, "unknown") {
		t.Errorf("%s %q, want skip: the upstreams are unknown", r.Status, r.Message)
	}
}

// A DNS step golive cannot ask decides the lookup all the same: a later
// source must not answer in its place, and an earlier one still does.
func TestUnaskableDNSStepIsNotSkippedOver(t *testing.T) {
	stub := map[string]string{"etc/resolv.conf": "->../run/systemd/resolve/stub-resolv.conf", "etc/hosts": hostsDB1}
	cases := []struct {
		nsswitch string
		status   engine.Status
		source   string
	}{
		{"hosts: dns files\n", engine.Skip, ""},
		{"hosts: dns [!UNAVAIL=return] files\n", engine.Skip, ""},
		{"hosts: foo dns files\n", engine.Skip, ""},
		{"hosts: files dns\n", engine.Pass, "files"},
		{"hosts: files [SUCCESS=continue] dns\n", engine.Skip, ""},
	}
	for _, c := range cases {
		files := map[string]string{"etc/nsswitch.conf": c.nsswitch}
		for k, v := range stub {
			files[k] = v
		}
		h := labRoot(t, files)
		r := result(t, testProfile(t, "dns: {names: [db1.test]}\n"), h, "dns/resolve:db1.test", engine.RunOptions{})
		if r.Status != c.status || r.Details["source"] != c.source {
			t.Errorf("%q: %s from %q (%q), want %s from %q", strings.TrimSpace(c.nsswitch), r.Status, r.Details["source"], r.Message, c.status, c.source)
		}
		if r.Status == engine.Skip && !strings.Contains(r.Message, "cannot be asked") {
			t.Errorf("%q: skip %q should say why DNS cannot be asked", c.nsswitch, r.Message)
		}
	}
}

// glibc skips a service whose module is not installed, as unavailable,
// and fails a lookup that ends on it; an installed module golive does
// not evaluate decides the lookup in its place.
func TestModulesUnderTheRoot(t *testing.T) {
	port, servers := startLab(t, serverSpec{ip: "127.0.0.1", zones: db1})
	cases := []struct {
		nsswitch string
		files    map[string]string
		status   engine.Status
		words    string
	}{
		{"hosts: ldap dns\n", nil, engine.Pass, "resolves through dns"},
		{"hosts: ldap [UNAVAIL=return] dns\n", nil, engine.Fail, "libnss_ldap.so.2 is not installed"},
		{"hosts: files [NOTFOUND=continue] ldap\n", map[string]string{"etc/hosts": "127.0.0.1 localhost\n"}, engine.Fail, "EAI_SYSTEM"},
		{"hosts: ldap dns\n", map[string]string{"lib64/libnss_ldap.so.2": ""}, engine.Skip, "no source golive can evaluate"},
		{"hosts: wins [NOTFOUND=return] dns\n", map[string]string{"usr/lib/aarch64-linux-gnu/libnss_wins.so.2": ""}, engine.Skip, "no source golive can evaluate"},
	}
	for _, c := range cases {
		files := map[string]string{"etc/resolv.conf": resolvConfFor(servers, ""), "etc/nsswitch.conf": c.nsswitch, "etc/hosts": hostsDB1}
		for k, v := range c.files {
			files[k] = v
		}
		r := result(t, dnsProfile(t, port, "  names: [db1.test]\n"), labRoot(t, files), "dns/resolve:db1.test", engine.RunOptions{})
		if r.Status != c.status || !strings.Contains(r.Message, c.words) {
			t.Errorf("%q %v: %s %q, want %s with %q", strings.TrimSpace(c.nsswitch), c.files, r.Status, r.Message, c.status, c.words)
		}
	}
}

// Without "multi on" in /etc/host.conf, glibc's files service answers
// from the first line that names the host.
func TestHostConfMulti(t *testing.T) {
	const hosts = "2001:db8::9 db1.test\n10.9.9.9 DB1.test\n"
	for conf, want := range map[string]string{"multi on\n": "2001:db8::9, 10.9.9.9 (files)", "": "2001:db8::9 (files)", "multi off\n": "2001:db8::9 (files)", "MULTI On # yes\norder hosts,bind\n": "2001:db8::9, 10.9.9.9 (files)"} {
		h := labRoot(t, map[string]string{"etc/nsswitch.conf": "hosts: files\n", "etc/hosts": hosts, "etc/host.conf": conf, "etc/resolv.conf": "nameserver 127.0.0.1\n"})
		r := result(t, testProfile(t, "dns: {names: [db1.test]}\n"), h, "dns/resolve:db1.test", engine.RunOptions{})
		if r.Observed != want {
			t.Errorf("host.conf %q: %q, want %q", conf, r.Observed, want)
		}
	}
}

// In an image, the stub listed before other servers cannot be asked:
// the others alone would answer what the stub would not (found here by
// the differential test: golive failed a name glibc resolves).
func TestImageStubBeforeOtherServersSkips(t *testing.T) {
	port, servers := startLab(t, serverSpec{ip: "127.0.0.2", zones: map[string]zone{"db1.test.": {rcode: mdns.RcodeRefused}}})
	h := labRoot(t, map[string]string{"etc/resolv.conf": "nameserver 127.0.0.53\n" + resolvConfFor(servers, ""), "etc/nsswitch.conf": "hosts: dns files\n", "etc/hosts": hostsDB1})
	r := result(t, dnsProfile(t, port, "  names: [db1.test]\n"), h, "dns/resolve:db1.test", engine.RunOptions{})
	if r.Status != engine.Skip || !strings.Contains(r.Message, "upstream servers are unknown") {
		t.Errorf("%s %q, want skip: the stub comes first and cannot be asked", r.Status, r.Message)
	}
	if len(servers[0].questions()) > 0 {
		t.Errorf("the server after the stub was asked: %v", servers[0].questions())
	}
}

func TestNoServiceToAskFails(t *testing.T) {
	for nss, words := range map[string]string{
		"hosts: files [NOTFOUND=bogus] dns\n": "no service to ask", // rejected: EAI_NONAME
		"hosts: files dns\nhosts:\n":          "names no service",  // empty: EAI_SYSTEM
	} {
		h := labRoot(t, map[string]string{"etc/resolv.conf": "nameserver 127.0.0.1\n", "etc/hosts": hostsDB1, "etc/nsswitch.conf": nss})
		r := result(t, testProfile(t, "dns: {names: [db1.test]}\n"), h, "dns/resolve:db1.test", engine.RunOptions{})
		if r.Status != engine.Fail || !strings.Contains(r.Message, words) {
			t.Errorf("%q: %s %q, want fail: glibc 2.33+ resolves nothing", nss, r.Status, r.Message)
		}
	}
}

func TestMdnsNotFoundReturnKeepsLocalNamesFromDNS(t *testing.T) {
	port, servers := startLab(t, serverSpec{ip: "127.0.0.1", zones: map[string]zone{"printer.local.": {a: []string{"10.0.0.9"}}}})
	h := labRoot(t, map[string]string{
		"etc/resolv.conf":   resolvConfFor(servers, ""),
		"etc/nsswitch.conf": "hosts:          files mdns4_minimal [NOTFOUND=return] dns\n",
	})
	all := run(t, dnsProfile(t, port, "  names: [printer.local, db1.test]\n"), h, engine.RunOptions{}, "dns/resolve:")
	if r := all["dns/resolve:printer.local"]; r.Status != engine.Fail || !strings.Contains(r.Message, "mdns4_minimal") {
		t.Errorf("printer.local: %s %q, want fail: [NOTFOUND=return] stops before dns", r.Status, r.Message)
	}
	if r := all["dns/resolve:db1.test"]; r.Status != engine.Fail || r.Details["cause"] != resultNXDomain {
		t.Errorf("db1.test: %s %v %q, want DNS asked (NXDOMAIN): mdns4_minimal is unavailable for it", r.Status, r.Details["cause"], r.Message)
	}
	if contains(servers[0].names(), "printer.local.") {
		t.Error("DNS was asked for a .local name")
	}
}

func TestReverse(t *testing.T) {
	port, servers := startLab(t, serverSpec{ip: "127.0.0.1", zones: map[string]zone{
		"5.0.0.10.in-addr.arpa.": {ptr: []string{"db1.test"}},
		"5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.": {ptr: []string{"db1-v6.test"}},
	}})
	h := labRoot(t, map[string]string{
		"etc/resolv.conf": resolvConfFor(servers, ""),
		"etc/hosts":       "127.0.0.1 localhost\n10.0.0.8 app8.test app8\n",
	})
	all := run(t, dnsProfile(t, port, "  reverse: [10.0.0.5, \"2001:db8::5\", 10.0.0.6, 10.0.0.8]\n"), h, engine.RunOptions{}, "dns/reverse:")
	cases := []struct {
		id, status, words string
	}{
		{"dns/reverse:10.0.0.5", "pass", "db1.test. (dns)"},
		{"dns/reverse:2001:db8::5", "pass", "db1-v6.test. (dns)"},
		{"dns/reverse:10.0.0.6", "fail", "no PTR record for 6.0.0.10.in-addr.arpa."},
		{"dns/reverse:10.0.0.8", "pass", "app8.test, app8 (files)"},
	}
	for _, c := range cases {
		r := all[c.id]
		if string(r.Status) != c.status || !strings.Contains(r.Observed+" "+r.Message, c.words) {
			t.Errorf("%s: %s %q %q, want %s mentioning %q", c.id, r.Status, r.Observed, r.Message, c.status, c.words)
		}
	}
}

func TestUnreadableHostsFileIsAnError(t *testing.T) {
	h := hosttest.Root(t, map[string]string{"etc/resolv.conf": "nameserver 127.0.0.1\n", "etc/nsswitch.conf": "hosts: files dns\n", "etc/hosts/oops": ""})
	r := result(t, testProfile(t, "dns: {names: [db1.test]}\n"), h, "dns/resolve:db1.test", engine.RunOptions{})
	if r.Status != engine.Error || !strings.Contains(r.Message, "cannot read /etc/hosts") {
		t.Errorf("%s %q, want error: files comes first and /etc/hosts is a directory", r.Status, r.Message)
	}
}
