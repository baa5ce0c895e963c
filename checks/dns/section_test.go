package dns

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
)

func TestSectionErrorsNameFileAndLine(t *testing.T) {
	cases := []struct {
		name, yaml, where, words string
	}{
		{"unknown key", "dns:\n  nameservers: [10.0.0.2]\n", ":2", `unknown key "nameservers"`},
		{"port out of range", "dns:\n  port: 70000\n", ":2", "out of range (1 to 65535)"},
		{"port not a number", "dns:\n  port: fifty-three\n", ":2", "expected "},
		{"max_nameservers zero", "dns:\n  max_nameservers: 0\n", ":2", "out of range (1 to 64)"},
		{"max_lookup_time not a duration", "dns:\n  max_lookup_time: soon\n", ":2", "not a positive duration"},
		{"names not a list", "dns:\n  names: db1.test\n", ":2", "expected "},
		{"a name that is not a domain name", "dns:\n  names:\n    - db1.test\n    - \"bad name\"\n", ":4", `"bad name" is not a domain name`},
		{"an address listed as a name", "dns:\n  names: [10.0.0.5]\n", ":2", "is an address, not a name"},
		{"a name listed twice", "dns:\n  names:\n    - db1.test\n    - DB1.test\n", ":4", "listed twice"},
		{"an absolute name listed twice", "dns:\n  names:\n    - db1.test.\n    - DB1.test.\n", ":4", "listed twice"},
		{"a mapping without name", "dns:\n  names:\n    - {expect: [10.0.0.5]}\n", ":3", "needs a name"},
		{"an unknown key in a name", "dns:\n  names:\n    - {name: db1.test, expected: [10.0.0.5]}\n", ":3", `unknown key "expected"`},
		{"a bad expected address", "dns:\n  names:\n    - name: db1.test\n      expect:\n        - 10.0.0.5\n        - 10.0.0.300\n", ":6", `expect "10.0.0.300" is not an IP address`},
		{"an expected address of a type not asked for", "dns:\n  names:\n    - {name: db1.test, expect: [\"2001:db8::5\"], types: [A]}\n", ":3", "types has no AAAA"},
		{"an unknown type", "dns:\n  names:\n    - {name: db1.test, types: [A, MX]}\n", ":3", `not "MX"`},
		{"a bad reverse address", "dns:\n  reverse:\n    - 10.0.0.5\n    - db1.test\n", ":4", `"db1.test" is not an IP address`},
		{"a reverse address listed twice", "dns:\n  reverse: [10.0.0.5, 10.0.0.5]\n", ":2", "listed twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := testProfile(t, c.yaml)
			_, err := build(p.Section(kind), p)
			if err == nil || !strings.Contains(err.Error(), "golive.yaml"+c.where) || !strings.Contains(err.Error(), c.words) {
				t.Errorf("error %v, want golive.yaml%s and %q", err, c.where, c.words)
			}
		})
	}
}

func TestSectionBuildsTheChecks(t *testing.T) {
	p := testProfile(t, `dns:
  names:
    - db1.internal.example.com
    - {name: api.example.com, expect: [10.0.0.5, "2001:db8::5"]}
    - {name: v4only.example.com, types: [a]}
  reverse: [10.0.0.5, "2001:db8::5"]
  port: 5353
  max_nameservers: 2
  max_lookup_time: 30s
`)
	checks := mustBuild(t, p)
	var ids []string
	for _, c := range checks {
		ids = append(ids, c.ID())
	}
	want := "dns/config dns/nameservers dns/resolve:db1.internal.example.com dns/resolve:api.example.com dns/resolve:v4only.example.com dns/reverse:10.0.0.5 dns/reverse:2001:db8::5"
	if got := strings.Join(ids, " "); got != want {
		t.Fatalf("checks %s\nwant %s", got, want)
	}
	cfg := checks[0].(*configCheck)
	if cfg.maxNS != 2 || cfg.maxLookup.String() != "30s" || !strings.Contains(cfg.Meta().Expected, "1 to 2 nameservers") {
		t.Errorf("config: %+v %q", cfg, cfg.Meta().Expected)
	}
	set := checks[1].(*nameserverSet)
	if set.port != 5353 || set.probe.String() != "db1.internal.example.com A" {
		t.Errorf("nameservers: port %d probe %s", set.port, set.probe)
	}
	api := checks[3].(*resolveCheck)
	if len(api.expect) != 2 || len(api.types) != 2 || api.Meta().Expected != "resolves to 10.0.0.5, 2001:db8::5" {
		t.Errorf("api: %+v %q", api, api.Meta().Expected)
	}
	if w := api.Meta().Where; !strings.HasSuffix(w, "golive.yaml:4") {
		t.Errorf("api.example.com is written on line 4, Meta.Where says %q", w)
	}
	if v4 := checks[4].(*resolveCheck); len(v4.types) != 1 {
		t.Errorf("types [a]: %v", v4.types)
	}
}

// "db1" and "db1." are different names for glibc: the trailing dot
// turns the search list off. Both are checks, under the user's spelling.
func TestRelativeAndAbsoluteNamesAreDistinct(t *testing.T) {
	checks := mustBuild(t, testProfile(t, "dns:\n  names: [db1, db1., DB2.Test.]\n"))
	var ids []string
	for _, c := range checks[2:] {
		ids = append(ids, c.ID())
	}
	if got := strings.Join(ids, " "); got != "dns/resolve:db1 dns/resolve:db1. dns/resolve:DB2.Test." {
		t.Errorf("checks %s", got)
	}
	if m, ok := explain("dns/resolve:db1."); !ok || m.Title != "resolves db1." {
		t.Errorf("explain(dns/resolve:db1.) = %q, %v", m.Title, ok)
	}
}

func TestWithoutASectionConfigAndNameserversStillRun(t *testing.T) {
	p := testProfile(t, "description: no dns section\n")
	checks := mustBuild(t, p)
	if len(checks) != 2 || checks[0].ID() != "dns/config" || checks[1].ID() != "dns/nameservers" {
		t.Errorf("checks %v", checks)
	}
	if set := checks[1].(*nameserverSet); set.probe.String() != ". SOA" || set.port != defaultPort {
		t.Errorf("default probe %s port %d, want . SOA on 53", set.probe, set.port)
	}
}

func TestExplain(t *testing.T) {
	cases := map[string]string{
		"dns/config":                   "resolver configuration",
		"dns/nameservers":              "nameservers in use answer",
		"dns/nameserver:10.0.0.2":      "nameserver 10.0.0.2 answers",
		"dns/nameserver:fe80::1%eth0":  "nameserver fe80::1%eth0 answers",
		"dns/resolve:db1.example.com":  "resolves db1.example.com",
		"dns/reverse:2001:db8::5":      "reverse lookup of 2001:db8::5",
		"dns/nameserver:not-an-ip":     "",
		"dns/resolve:":                 "",
		"dns/unknown":                  "",
		"sysctl/net.core.somaxconn":    "",
		"dns/reverse:db1.example.com":  "",
		"dns/nameserver:10.0.0.2:5353": "",
	}
	for id, title := range cases {
		m, ok := explain(id)
		if ok != (title != "") || m.Title != title {
			t.Errorf("explain(%s) = %q, %v; want %q", id, m.Title, ok, title)
		}
		if ok && m.ID != id {
			t.Errorf("explain(%s) has ID %s", id, m.ID)
		}
		if ok && id != "dns/config" && !m.Network {
			t.Errorf("%s must be a network check", id)
		}
	}
	if _, ok := engine.Explain("dns/config"); !ok {
		t.Error("the dns explainer is not registered")
	}
}
