package profile

import (
	"path/filepath"
	"testing"
	"time"
)

func TestWaiversDecode(t *testing.T) {
	dir := writeFiles(t, map[string]string{"p.yaml": `name: p
waivers:
  - check: sysctl/vm.swappiness
    reason: tuned manages swappiness
    ticket: OPS-1234
    expires: 2027-01-31
  - check: "os/*"
    reason: "EOL host, migration planned"
    ticket: OPS-9
    expires: "2026-12-01"
`})
	p, err := resolveFile(t, filepath.Join(dir, "p.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Waivers) != 2 {
		t.Fatalf("waivers = %+v", p.Waivers)
	}
	w := p.Waivers[0]
	if w.Check != "sysctl/vm.swappiness" || w.Ticket != "OPS-1234" || w.Expires != "2027-01-31" {
		t.Errorf("waiver = %+v", w)
	}
	// The waiver holds through its last day: it ends at the next midnight UTC.
	if want := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC); !w.Until.Equal(want) {
		t.Errorf("Until = %v, want %v", w.Until, want)
	}
	if w.Where != filepath.Join(dir, "p.yaml")+":3" {
		t.Errorf("Where = %q", w.Where)
	}
	if p.Waivers[1].Expires != "2026-12-01" {
		t.Errorf("quoted date: %+v", p.Waivers[1])
	}
}

func TestWaiverErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		line       int
		part       string
	}{
		{"missing reason", "waivers:\n  - check: a/b\n    ticket: T-1\n    expires: 2027-01-01\n", 2, "reason is required"},
		{"missing ticket", "waivers:\n  - check: a/b\n    reason: r\n    expires: 2027-01-01\n", 2, "ticket is required"},
		{"missing expires", "waivers:\n  - check: a/b\n    reason: r\n    ticket: T-1\n", 2, "expires is required"},
		{"missing check", "waivers:\n  - reason: r\n    ticket: T-1\n    expires: 2027-01-01\n", 2, "check is required"},
		{"bad date", "waivers:\n  - check: a/b\n    reason: r\n    ticket: T-1\n    expires: next spring\n", 5, "not a date"},
		{"impossible date", "waivers:\n  - check: a/b\n    reason: r\n    ticket: T-1\n    expires: 2027-02-30\n", 5, "not a date"},
		{"unknown key", "waivers:\n  - check: a/b\n    reason: r\n    ticket: T-1\n    expires: 2027-01-01\n    owner: me\n", 6, "owner"},
		{"not a list", "waivers:\n  check: a/b\n", 2, "a list"},
		{"duplicate", "waivers:\n  - {check: a/b, reason: r, ticket: T-1, expires: 2027-01-01}\n  - {check: a/b, reason: s, ticket: T-2, expires: 2027-01-01}\n", 3, "second waiver"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"p.yaml": tc.yaml})
			_, err := resolveFile(t, filepath.Join(dir, "p.yaml"))
			wantError(t, err, filepath.Join(dir, "p.yaml"), tc.line, tc.part)
		})
	}
}

func TestServiceWaiversReplaceBaseWaivers(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"base.yaml": "waivers:\n  - {check: a/b, reason: r, ticket: T-1, expires: 2027-01-01}\n",
		"svc.yaml":  "extends: base.yaml\nwaivers:\n  - {check: c/d, reason: r, ticket: T-2, expires: 2027-01-01}\n",
	})
	p, err := resolveFile(t, filepath.Join(dir, "svc.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Waivers) != 1 || p.Waivers[0].Check != "c/d" {
		t.Errorf("waivers = %+v, want only the service file's", p.Waivers)
	}
}
