package packages

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// FuzzConstraint: any text parses to a constraint whose canonical form
// parses back to the same one, and any installed version gets a verdict
// under both ecosystems' rules without a panic; or the text is refused.
func FuzzConstraint(f *testing.F) {
	for _, s := range []string{">= 3.0", ">= 1.1, < 2", "1:2.4.6-1.el9", "!= 2.0~rc1", "= 1", ">=", ",", "1:", ":1", "-1"} {
		f.Add(s, "1:3.0.7-27.el9")
	}
	f.Fuzz(func(t *testing.T, s, installed string) {
		c, err := parseConstraint(s)
		if err != nil {
			return
		}
		back, err := parseConstraint(c.String())
		if err != nil || back.String() != c.String() {
			t.Fatalf("%q -> %q -> %q, %v", s, c, back, err)
		}
		c.met(dpkg, installed)
		c.met(rpm, installed)
	})
}

// FuzzSection: any package section is accepted or refused with a
// file:line error, never a panic; accepted packages build checks that
// explain.
func FuzzSection(f *testing.F) {
	f.Add("openssl: {version: \">= 3.0, < 4\"}\ntelnet: {installed: false}\n")
	f.Add("chrony: {}\nx: ~\n")
	f.Add("openssl: \">= 3.0\"\n")
	f.Add("[a, b]\n")
	f.Fuzz(func(t *testing.T, body string) {
		if strings.ContainsAny(body, "\t\x00") || len(body) > 2000 {
			return // YAML refuses tabs; the profile reader's own fuzz target covers raw bytes
		}
		yaml := "package:\n"
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
		for _, c := range checks {
			if _, ok := explain(c.ID()); !ok {
				t.Fatalf("%s does not explain", c.ID())
			}
		}
	})
}
