package dns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fixtureSeeds adds every fixture root's copy of a file as a seed.
func fixtureSeeds(f *testing.F, rel string) {
	roots, _ := filepath.Glob("../../testdata/roots/*")
	for _, r := range roots {
		if data, err := os.ReadFile(filepath.Join(r, rel)); err == nil {
			f.Add(data)
		}
	}
}

// FuzzParseResolvConf: any bytes parse, in both dialects, into a
// configuration within glibc's caps, with valid addresses and problems
// that point at real lines.
func FuzzParseResolvConf(f *testing.F) {
	fixtureSeeds(f, "etc/resolv.conf")
	fixtureSeeds(f, "run/systemd/resolve/resolv.conf")
	for _, s := range []string{
		"", "nameserver 10.1\nnameserver 0x7f.1\nnameserver fe80::1%eth0\n",
		"options ndots:-99999999999999999999 timeout:99999999999999999999 attempts:-1\n",
		"search " + strings.Repeat("a ", 300) + "\n", "domain\tx\r\nsearch\r\n",
		"nameserver 10.0.0.2\x00\nsearch a\x00b\n", "options single-request-reopen rotate edns0 trust-ad no-aaaa\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		for _, d := range []dialect{modern, legacy} {
			rc := parseResolvConf(data, d)
			o := rc.options
			if o.ndots < 0 || o.ndots > maxNdots || o.timeout > maxTimeout || o.attempts > maxAttempts || o.goTimeout < 1 || o.goAttempts < 1 {
				t.Fatalf("options outside glibc's caps: %+v", o)
			}
			for _, ns := range rc.nameservers {
				if !ns.addr.IsValid() || ns.line < 1 || ns.line > lines {
					t.Fatalf("bad nameserver %+v", ns)
				}
			}
			for _, p := range rc.problems {
				if p.Line < 1 || p.Line > lines || !utf8.ValidString(p.Text) {
					t.Fatalf("bad problem %+v", p)
				}
			}
			if d == legacy && len(rc.search) > legacyMaxSearch {
				t.Fatalf("legacy search list of %d domains", len(rc.search))
			}
			for _, s := range rc.search {
				if s == "" || strings.ContainsAny(s, " \t\n\x00") {
					t.Fatalf("bad search domain %q", s)
				}
			}
			_ = worstCaseFor(o, min(max(len(rc.nameservers), 1), maxNS))
		}
	})
}

// FuzzParseNsswitch: any bytes parse under every glibc's rules into
// services with names and valid actions, or (glibc 2.33+ only) into none,
// with the reason.
func FuzzParseNsswitch(f *testing.F) {
	fixtureSeeds(f, "etc/nsswitch.conf")
	for _, s := range []string{"", "hosts: [", "hosts: files [!NOTFOUND=return UNAVAIL=merge] dns]\n", "hosts:]]][[[\n", "hosts:\x00dns\n",
		"hosts: dns # files\nhosts files", "hosts\n", "hosts : files [ notfound = RETURN ]dns\n", "hosts: files [SUCCESS=merge]\n\x00hosts: dns\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, r := range []nssRules{nssModern, nssLegacy, nssLegacyNoMerge} {
			checkNsswitch(t, parseNsswitch(data, r), r, data)
		}
	})
}

// checkNsswitch: only glibc 2.33+ can end with no service, and then it
// says why; services have names and their actions are valid.
func checkNsswitch(t *testing.T, ns *nsswitch, r nssRules, data []byte) {
	t.Helper()
	lines := strings.Count(string(data), "\n") + 1
	if len(ns.hosts) == 0 && (r != nssModern || len(ns.problems) == 0) {
		t.Fatalf("%v: no hosts services and no reason", r)
	}
	if ns.Default && ns.hostsLine() != defaultNsswitch(r).hostsLine() {
		t.Fatalf("%v: default %q", r, ns.hostsLine())
	}
	for _, p := range ns.problems {
		if p.Line < 0 || p.Line > lines || !utf8.ValidString(p.Text) {
			t.Fatalf("bad problem %+v", p)
		}
	}
	for _, s := range ns.hosts {
		if s.Name == "" || strings.ContainsAny(s.Name, cSpace+"[") || (r != nssModern && strings.Contains(s.Name, "#")) {
			t.Fatalf("bad service name %q", s.Name)
		}
		for _, st := range statuses {
			if a := s.Action(st); a != actionReturn && a != actionContinue {
				t.Fatalf("%s after %s: %q", s.Name, st, a)
			}
		}
	}
}

// FuzzParseHosts: any bytes parse; every entry has a valid address and a
// name, and Lookup finds each entry by its own first name.
func FuzzParseHosts(f *testing.F) {
	fixtureSeeds(f, "etc/hosts")
	for _, s := range []string{"", "127.0.0.1 localhost\n::1 localhost\n", "fe80::1%lo x\n10.0.0.1\n#\n", "1.2.3.4 a b c # d\n\x00\xff\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h := parseHosts(data)
		if len(h.problems) > maxHostsProblems+1 {
			t.Fatalf("%d problems: the list must stay bounded", len(h.problems))
		}
		for _, e := range h.entries() {
			if !e.addr.IsValid() || e.addr.Zone() != "" || len(e.names) == 0 {
				t.Fatalf("bad entry %+v", e)
			}
			if addrs, _ := h.lookupAll(e.names[0]); len(addrs) == 0 {
				t.Fatalf("Lookup(%q) misses its own entry", e.names[0])
			}
		}
	})
}

// FuzzParseHostConf: any bytes give a multi setting, and the last valid
// "multi" line decides it.
func FuzzParseHostConf(f *testing.F) {
	fixtureSeeds(f, "etc/host.conf")
	for _, s := range []string{"", "multi on\n", "# multi on\nmulti off", "MULTI ON\norder hosts,bind\nmulti\n", "multi on\x00\nmulti offer\n", "\tmulti\ton # x\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for last, want := range map[string]bool{"\nmulti off\n": false, "\nmulti on\n": true} {
			if got := parseHostConfMulti(append(append([]byte{}, data...), last...)); got != want {
				t.Fatalf("a last %q line must win", last)
			}
		}
	})
}
