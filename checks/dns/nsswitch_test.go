package dns

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
)

func TestParseNsswitch(t *testing.T) {
	const modernDefault, legacyDefault = "files dns", "dns [!UNAVAIL=return] files"
	cases := []struct {
		name     string
		in       string
		rules    nssRules
		line     string // the hosts services, rendered
		dflt     bool
		problems int
	}{
		{"RHEL 9 (authselect)", "passwd:     sss files systemd\nhosts:      files dns myhostname\n", nssModern, "files dns myhostname", false, 0},
		{"Ubuntu 22.04", "hosts:          files mdns4_minimal [NOTFOUND=return] dns\n", nssModern, "files mdns4_minimal [NOTFOUND=return] dns", false, 0},
		{"a negated action sets every other status", "hosts: dns [!UNAVAIL=return] files\n", nssModern, "dns [!UNAVAIL=return] files", false, 0},
		{"statuses and actions are case-insensitive", "hosts: files [notfound=Return] dns\n", nssModern, "files [notfound=Return] dns", false, 0},
		{"blanks around '=' and inside the brackets", "hosts: files [ NOTFOUND = return ] dns\n", nssModern, "files [NOTFOUND=return] dns", false, 0},
		{"an action list right after the name", "hosts: files[NOTFOUND=return] dns\n", nssModern, "files [NOTFOUND=return] dns", false, 0},

		// glibc 2.33+ (nss_database.c)
		{"2.33+: whole-line comments, leading blanks", "# hosts: dns\n   hosts: files dns\n", nssModern, "files dns", false, 0},
		{"2.33+: '#' later in a line is a service name", "hosts: dns # files\n", nssModern, "dns # files", false, 0},
		{"2.33+: the last hosts line wins", "hosts: files\nhosts: dns\n", nssModern, "dns", false, 1},
		{"2.33+: no hosts line: files dns", "passwd: files\n", nssModern, modernDefault, true, 0},
		{"2.33+: no colon needed", "hosts files\n", nssModern, "files", false, 0},
		{"2.33+: blanks and colons after the name", "hosts : :files\n", nssModern, "files", false, 0},
		{"2.33+: an empty last hosts line leaves no service", "hosts: dns\nhosts:\n", nssModern, "", false, 2},
		{"2.33+: a bare name ended by a newline is an empty hosts line", "hosts: dns\nhosts\n", nssModern, "", false, 2},
		{"2.33+: a last line without a newline is ignored", "hosts: dns\nhosts: files", nssModern, "dns", false, 1},
		{"2.33+: a bad action rejects the file", "hosts: files [NOTFOUND=jump] dns\n", nssModern, "", false, 2},
		{"2.33+: an unterminated action list rejects the file", "hosts: files [NOTFOUND=return\n", nssModern, "", false, 2},
		{"2.33+: an action list with no service stops the line", "hosts: [NOTFOUND=return] files\n", nssModern, "", false, 2},
		{"2.33+: database names are case-sensitive", "Hosts: dns\n", nssModern, modernDefault, true, 1},
		{"2.33+: merge is an action", "hosts: files [SUCCESS=merge] dns\n", nssModern, "files [SUCCESS=merge] dns", false, 0},

		// glibc 2.17 (nsswitch.c)
		{"2.17: '#' starts a comment anywhere", "hosts: files # dns\n", nssLegacyNoMerge, "files", false, 0},
		{"2.17: the last hosts line wins", "hosts: files\nhosts: dns\n", nssLegacyNoMerge, "dns", false, 1},
		{"2.17: no hosts line: DNS first", "passwd: files\n", nssLegacyNoMerge, legacyDefault, true, 0},
		{"2.17: an empty last hosts line means the default", "hosts: files\nhosts:\n", nssLegacyNoMerge, legacyDefault, true, 2},
		{"2.17: a bare name is no hosts line", "hosts\n", nssLegacyNoMerge, legacyDefault, true, 0},
		{"2.17: a last line without a newline counts", "hosts: files", nssLegacyNoMerge, "files", false, 0},
		{"2.17: one character after the name is skipped", "hosts : files\n", nssLegacyNoMerge, ": files", false, 0},
		{"2.17: a bad action drops the rest of the line", "hosts: files dns [NOTFOUND=jump] myhostname\n", nssLegacyNoMerge, "files", false, 1},
		{"2.17: merge is not an action yet", "hosts: files [SUCCESS=merge] dns\n", nssLegacyNoMerge, legacyDefault, true, 2},
		{"2.24-2.32: merge is an action", "hosts: files [SUCCESS=merge] dns\n", nssLegacy, "files [SUCCESS=merge] dns", false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ns := parseNsswitch([]byte(c.in), c.rules)
			if got := ns.hostsLine(); got != c.line {
				t.Errorf("hosts %q, want %q", got, c.line)
			}
			if ns.Default != c.dflt || len(ns.problems) != c.problems {
				t.Errorf("default %v problems %v, want %v and %d", ns.Default, ns.problems, c.dflt, c.problems)
			}
		})
	}
}

func TestNSSRulesFor(t *testing.T) {
	for v, want := range map[string]nssRules{"2.17": nssLegacyNoMerge, "2.23": nssLegacyNoMerge, "2.24": nssLegacy, "2.28": nssLegacy,
		"2.32": nssLegacy, "2.33": nssModern, "2.34": nssModern, "2.35": nssModern, "": nssModern, "junk": nssModern, "3.0": nssModern} {
		if got := nssRulesFor(v); got != want {
			t.Errorf("NSSRulesFor(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestRootGlibcFromLibcSo(t *testing.T) {
	cases := []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"lib64/libc-2.17.so": "", "lib64/libc.so.6": "->libc-2.17.so"}, "2.17"},
		{map[string]string{"lib/x86_64-linux-gnu/libc-2.31.so": "", "lib/x86_64-linux-gnu/libc.so.6": "->libc-2.31.so"}, "2.31"},
		{map[string]string{"usr/lib/x86_64-linux-gnu/libc.so.6": "\x7fELF"}, "2.34"},
		{map[string]string{"etc/os-release": "ID=x\n"}, ""},
	}
	for _, c := range cases {
		if got := rootGlibc(hosttest.Root(t, c.files)); got != c.want {
			t.Errorf("%v: %q, want %q", c.files, got, c.want)
		}
	}
}

func TestRejectedNsswitchHasNoService(t *testing.T) {
	ns := parseNsswitch([]byte("hosts: files dns\nhosts: files [NOTFOUND=jump] dns\n"), nssModern)
	if !ns.rejected || len(ns.hosts) != 0 || ns.line != 2 {
		t.Errorf("rejected %v hosts %q line %d, want a rejected file with no service", ns.rejected, ns.hostsLine(), ns.line)
	}
}

func TestServiceActions(t *testing.T) {
	ns := parseNsswitch([]byte("hosts: files mdns4_minimal [NOTFOUND=return] dns [!UNAVAIL=return] resolve [SUCCESS=merge]\n"), nssModern)
	want := map[string]map[status]action{
		"files":         {statusSuccess: actionReturn, statusNotFound: actionContinue, statusUnavail: actionContinue},
		"mdns4_minimal": {statusNotFound: actionReturn, statusUnavail: actionContinue},
		"dns":           {statusNotFound: actionReturn, statusTryAgain: actionReturn, statusUnavail: actionContinue},
		"resolve":       {statusSuccess: actionContinue}, // merge means nothing for hosts
	}
	if len(ns.hosts) != 4 {
		t.Fatalf("services %q", ns.hostsLine())
	}
	for _, s := range ns.hosts {
		for st, a := range want[s.Name] {
			if got := s.Action(st); got != a {
				t.Errorf("%s after %s: %s, want %s", s.Name, st, got, a)
			}
		}
	}
}

func TestParseHostsAndLookup(t *testing.T) {
	h := parseHosts([]byte(`# /etc/hosts
127.0.0.1   localhost localhost.localdomain
::1         localhost ip6-localhost
10.0.0.21	app01.corp.example.com	app01   # trailing comment
10.0.0.22 app01
10.0.0.300 bad.example
fe80::1%eth0 zoned.example
10.0.0.23
not-an-address junk.example
` + "\x00\xff\xfe binary\n"))
	cases := []struct {
		name, want string
	}{
		{"localhost", "127.0.0.1 ::1"},
		{"APP01", "10.0.0.21 10.0.0.22"},
		{"app01.corp.example.com", "10.0.0.21"},
		{"bad.example", ""},
		{"zoned.example", ""},
		{"app01.corp.example.com.", ""}, // glibc's files service does not strip a trailing dot
	}
	for _, c := range cases {
		addrs, _ := h.lookupAll(c.name)
		if got := strings.Join(addrStrings(addrs), " "); got != c.want {
			t.Errorf("Lookup(%s) = %q, want %q", c.name, got, c.want)
		}
	}
	// The binary line starts with NUL: as in C, nothing of it is left.
	if len(h.problems) != 4 {
		t.Errorf("problems %v, want 4 (bad address, zone, no name, not an address)", h.problems)
	}
	if names, line := h.reverse(netip.MustParseAddr("10.0.0.21")); strings.Join(names, " ") != "app01.corp.example.com app01" || line != 4 {
		t.Errorf("Reverse: %v line %d", names, line)
	}
}

func TestHostsProblemsAreBounded(t *testing.T) {
	h := parseHosts([]byte(strings.Repeat("junk junk\n", 1000)))
	if len(h.problems) != maxHostsProblems+1 || !strings.Contains(h.problems[maxHostsProblems].Text, "980 more") {
		t.Errorf("%d problems, last %v", len(h.problems), h.problems[len(h.problems)-1])
	}
}
