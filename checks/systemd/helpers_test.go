package systemd

import (
	"context"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// distroOf is the built-in profile each fixture root resolves to.
var distroOf = profiletest.FixtureProfile

// testProfile resolves a profile that extends a built-in one.
func testProfile(t testing.TB, distro, extra string) *profile.Profile {
	t.Helper()
	return profiletest.Extending(t, distro, extra)
}

const demo = "service: {unit: golive-demo}\n"

func plan(t testing.TB, p *profile.Profile) []engine.Check {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}

func run(t testing.TB, h *host.Host, checks []engine.Check) map[string]engine.Result {
	t.Helper()
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
	m := map[string]engine.Result{}
	for _, r := range out.Results {
		m[strings.TrimSuffix(strings.TrimPrefix(r.ID, kind+"/"), ":golive-demo.service")] = r
	}
	return m
}

// rootResults runs the systemd checks for the demo service on a fixture.
func rootResults(t testing.TB, root string, opts ...host.Option) map[string]engine.Result {
	t.Helper()
	return run(t, hosttest.Fixture(t, root, opts...), plan(t, testProfile(t, distroOf[root], demo)))
}

func want(t *testing.T, r engine.Result, status engine.Status, words ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: %s %q (observed %q), want %s", r.ID, r.Status, r.Message, r.Observed, status)
		return
	}
	for _, w := range words {
		if !strings.Contains(r.Message+" | "+r.Observed, w) {
			t.Errorf("%s: message %q / observed %q should mention %q", r.ID, r.Message, r.Observed, w)
		}
	}
}
