package dns

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseNsswitch(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		line     string // the hosts services, rendered
		dflt     bool
		problems int
	}{
		{"RHEL 9 (authselect)", "passwd:     sss files systemd\nhosts:      files dns myhostname\n", "files dns myhostname", false, 0},
		{"Ubuntu 22.04", "hosts:          files mdns4_minimal [NOTFOUND=return] dns\n", "files mdns4_minimal [NOTFOUND=return] dns", false, 0},
		{"a negated action sets every other status", "hosts: dns [!UNAVAIL=return] files\n", "dns [!UNAVAIL=return] files", false, 0},
		{"statuses and actions are case-insensitive", "hosts: files [notfound=Return] dns\n", "files [notfound=Return] dns", false, 0},
		{"comments anywhere, leading blanks", "# hosts: dns\n   hosts: files # dns\n", "files", false, 0},
		{"the first hosts line wins", "hosts: files\nhosts: dns\n", "files", false, 1},
		{"no hosts line: glibc's default", "passwd: files\n", "dns [!UNAVAIL=return] files", true, 0},
		{"a missing colon is not a hosts line", "hosts files dns\n", "dns [!UNAVAIL=return] files", true, 1},
		{"an empty hosts line is not one either", "hosts:\n", "dns [!UNAVAIL=return] files", true, 1},
		{"a bad action item is skipped", "hosts: files [NOTFOUND=jump] dns [UNAVAIL=continue\n", "files [NOTFOUND=jump] dns [UNAVAIL=continue]", false, 2},
		{"an action before any service", "hosts: [NOTFOUND=return] files\n", "files", false, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ns := ParseNsswitch([]byte(c.in))
			if got := ns.HostsLine(); got != c.line {
				t.Errorf("hosts %q, want %q", got, c.line)
			}
			if ns.Default != c.dflt || len(ns.Problems) != c.problems {
				t.Errorf("default %v problems %v, want %v and %d", ns.Default, ns.Problems, c.dflt, c.problems)
			}
		})
	}
}

func TestServiceActions(t *testing.T) {
	ns := ParseNsswitch([]byte("hosts: files mdns4_minimal [NOTFOUND=return] dns [!UNAVAIL=return] resolve [SUCCESS=merge]\n"))
	want := map[string]map[Status]Action{
		"files":         {StatusSuccess: ActionReturn, StatusNotFound: ActionContinue, StatusUnavail: ActionContinue},
		"mdns4_minimal": {StatusNotFound: ActionReturn, StatusUnavail: ActionContinue},
		"dns":           {StatusNotFound: ActionReturn, StatusTryAgain: ActionReturn, StatusUnavail: ActionContinue},
		"resolve":       {StatusSuccess: ActionContinue}, // merge means nothing for hosts
	}
	for _, s := range ns.Hosts {
		for st, a := range want[s.Name] {
			if got := s.Action(st); got != a {
				t.Errorf("%s after %s: %s, want %s", s.Name, st, got, a)
			}
		}
	}
}

func TestActionsAreCaseInsensitive(t *testing.T) {
	files := ParseNsswitch([]byte("hosts: files [notfound=Return] dns\n")).Hosts[0]
	if files.Action(StatusNotFound) != ActionReturn {
		t.Errorf("files [notfound=Return]: %s after notfound, want return", files.Action(StatusNotFound))
	}
}

func TestParseHostsAndLookup(t *testing.T) {
	h := ParseHosts([]byte(`# /etc/hosts
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
		addrs, _ := h.Lookup(c.name)
		if got := strings.Join(addrStrings(addrs), " "); got != c.want {
			t.Errorf("Lookup(%s) = %q, want %q", c.name, got, c.want)
		}
	}
	// The binary line starts with NUL: as in C, nothing of it is left.
	if len(h.Problems) != 4 {
		t.Errorf("problems %v, want 4 (bad address, zone, no name, not an address)", h.Problems)
	}
	if names, line := h.Reverse(netip.MustParseAddr("10.0.0.21")); strings.Join(names, " ") != "app01.corp.example.com app01" || line != 4 {
		t.Errorf("Reverse: %v line %d", names, line)
	}
}

func TestHostsProblemsAreBounded(t *testing.T) {
	h := ParseHosts([]byte(strings.Repeat("junk junk\n", 1000)))
	if len(h.Problems) != maxHostsProblems+1 || !strings.Contains(h.Problems[maxHostsProblems].Text, "980 more") {
		t.Errorf("%d problems, last %v", len(h.Problems), h.Problems[len(h.Problems)-1])
	}
}
