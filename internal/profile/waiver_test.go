package profile

import (
	"path/filepath"
	"slices"
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

// Waivers add up along extends: a later file's entry for the same check
// replaces the inherited one, drop removes one, null removes them all.
func TestWaiversAddUpAlongExtends(t *testing.T) {
	base := "waivers:\n  - {check: a/b, reason: r, ticket: T-1, expires: 2027-01-01}\n  - {check: e/f, reason: r, ticket: T-3, expires: 2027-01-01}\n"
	for _, tc := range []struct {
		name, svc string
		want      []string // check:ticket:expires, in order
	}{
		{"added", "waivers:\n  - {check: c/d, reason: r, ticket: T-2, expires: 2027-01-01}\n", []string{"a/b:T-1:2027-01-01", "e/f:T-3:2027-01-01", "c/d:T-2:2027-01-01"}},
		{"renewed", "waivers:\n  - {check: a/b, reason: renewed, ticket: T-9, expires: 2027-06-30}\n", []string{"a/b:T-9:2027-06-30", "e/f:T-3:2027-01-01"}},
		{"dropped", "waivers:\n  - {check: a/b, drop: true}\n  - {check: c/d, reason: r, ticket: T-2, expires: 2027-01-01}\n", []string{"e/f:T-3:2027-01-01", "c/d:T-2:2027-01-01"}},
		{"all removed", "waivers: null\n", nil},
		{"empty key keeps them", "waivers:\n", []string{"a/b:T-1:2027-01-01", "e/f:T-3:2027-01-01"}},
		{"none set", "sysctl: {}\n", []string{"a/b:T-1:2027-01-01", "e/f:T-3:2027-01-01"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"base.yaml": base, "svc.yaml": "extends: base.yaml\n" + tc.svc})
			p, err := resolveFile(t, filepath.Join(dir, "svc.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range p.Waivers {
				got = append(got, w.Check+":"+w.Ticket+":"+w.Expires)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("waivers = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWaiverDropErrors(t *testing.T) {
	base := "waivers:\n  - {check: a/b, reason: r, ticket: T-1, expires: 2027-01-01}\n"
	for _, tc := range []struct {
		name, svc string
		line      int
		part      string
	}{
		{"nothing to drop", "waivers:\n  - {check: x/y, drop: true}\n", 3, "no file this one extends waives"},
		{"drop false", "waivers:\n  - {check: a/b, drop: false}\n", 3, "drop: false removes nothing"},
		{"drop with fields", "waivers:\n  - {check: a/b, drop: true, reason: r}\n", 3, "reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"base.yaml": base, "svc.yaml": "extends: base.yaml\n" + tc.svc})
			_, err := resolveFile(t, filepath.Join(dir, "svc.yaml"))
			wantError(t, err, filepath.Join(dir, "svc.yaml"), tc.line, tc.part)
		})
	}
}
