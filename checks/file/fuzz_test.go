package file

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// FuzzParseMode: any text parses to an expression whose canonical form
// parses back to the same one, and whose fix meets it; or it is refused.
func FuzzParseMode(f *testing.F) {
	for _, s := range []string{"0640", "640", "4755", "0o750", "== 0600", "<= 0755", ">=0600", "none 0022", "none0022", "", "07777", "99999", "<= ", "0x1ed"} {
		f.Add(s, uint16(0o644))
	}
	f.Fuzz(func(t *testing.T, s string, mode uint16) {
		e, err := parseMode(s)
		if err != nil {
			return
		}
		if e.bits > 0o7777 {
			t.Fatalf("%q: bits %o", s, e.bits)
		}
		back, err := parseMode(e.String())
		if err != nil || back != e {
			t.Fatalf("%q -> %q -> %+v, %v", s, e, back, err)
		}
		if fix := e.fix(uint32(mode)); !e.match(fix) || fix > 0o7777 {
			t.Fatalf("%q: fix(%o) = %o", s, mode, fix)
		}
	})
}

// FuzzContains: any pattern and any file give a verdict, never a panic;
// a pattern that parsed finds a line it was built from.
func FuzzContains(f *testing.F) {
	f.Add("listen: ", "listen: 8080\nlog: info\n")
	f.Add("/^log: (info|warn)$/", "log: warn\r\n")
	f.Add("!debug", "debug: true")
	f.Add(`\!x`, "!x")
	f.Add("/(a+)+$/", strings.Repeat("a", 1000)+"b")
	f.Fuzz(func(t *testing.T, pat, data string) {
		p, err := parsePattern(pat)
		if err != nil {
			return
		}
		got := missed([]byte(data), []pattern{p})
		if len(got) > 1 {
			t.Fatalf("%q: %q", pat, got)
		}
		if p.re == nil && !strings.Contains(p.lit, "\n") {
			if m := missed([]byte("x"+p.lit+"y\n"), []pattern{p}); (len(m) == 0) == p.negate {
				t.Fatalf("%q: its own text %q", pat, m)
			}
		}
	})
}

// FuzzSection: any file section is accepted or refused with a file:line
// error, never a panic; accepted paths build one check per aspect.
func FuzzSection(f *testing.F) {
	f.Add("/etc/x: {mode: \"0640\", owner: root, contains: [a, \"/b/\", \"!c\"]}\n")
	f.Add("/etc/x: {exists: false}\n/etc/y: {target: /z, size: \"> 0\"}\n")
	f.Add("/etc/x: {sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, type: file}\n")
	f.Add("/etc/x: 0640\n")
	f.Add("[a, b]\n")
	f.Fuzz(func(t *testing.T, body string) {
		if strings.ContainsAny(body, "\t\x00") || len(body) > 2000 {
			return // YAML refuses tabs; the profile reader's own fuzz target covers raw bytes
		}
		yaml := "file:\n"
		for _, l := range strings.Split(body, "\n") {
			yaml += "  " + l + "\n"
		}
		p, err := profiletest.ResolveErr(t, "p.yaml", yaml)
		if err != nil {
			return
		}
		checks, err := build(p.Section(kind), p)
		if err != nil {
			if !strings.Contains(err.Error(), "p.yaml:") {
				t.Fatalf("error without file and line: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, c := range checks {
			if seen[c.ID()] {
				t.Fatalf("ID %s twice", c.ID())
			}
			seen[c.ID()] = true
			if _, ok := explain(c.ID()); !ok {
				t.Fatalf("%s does not explain", c.ID())
			}
		}
	})
}
