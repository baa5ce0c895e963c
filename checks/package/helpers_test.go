package packages

import (
	"context"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

func testProfile(t testing.TB, yaml string) *profile.Profile {
	t.Helper()
	return profiletest.ResolveNamed(t, "p.yaml", yaml)
}

// run builds the family's checks from p and runs them on h; the results
// are keyed by ID.
func run(t testing.TB, p *profile.Profile, h *host.Host) map[string]engine.Result {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
	m := map[string]engine.Result{}
	for _, r := range out.Results {
		m[r.ID] = r
	}
	return m
}

func want(t testing.TB, r engine.Result, status engine.Status, words ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: %s %q (observed %q), want %s", r.ID, r.Status, r.Message, r.Observed, status)
		return
	}
	for _, w := range words {
		if !strings.Contains(r.Message+" | "+r.Observed, w) {
			t.Errorf("%s: %q (observed %q) does not mention %q", r.ID, r.Message, r.Observed, w)
		}
	}
}

// section is a package section naming each package with body.
func section(names []string, body string) string {
	var b strings.Builder
	b.WriteString("package:\n")
	for _, n := range names {
		b.WriteString("  " + n + ": " + body + "\n")
	}
	return b.String()
}
