package rlimit

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/engine/enginetest"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// distroOf is the built-in profile each fixture root resolves to.
var distroOf = profiletest.FixtureProfile

// serviceYAML names the fixtures' demo service (testdata/roots/README.md).
const serviceYAML = "service: {unit: golive-demo, user: golive-demo}\n"

// proposedProfile resolves the built-in profile distro (its rlimits
// section merged over linux's) with extra YAML on top.
func proposedProfile(t testing.TB, distro, extra string) *profile.Profile {
	t.Helper()
	return profiletest.Extending(t, distro, extra)
}

// fixture opens a fixture root; opts pin the euid for non-root tests.
func fixture(t testing.TB, root string, opts ...host.Option) *host.Host {
	t.Helper()
	return hosttest.Fixture(t, root, opts...)
}

// plan builds the rlimit checks of a profile.
func plan(t testing.TB, p *profile.Profile) []engine.Check {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}

// run runs checks on h and keys the results by ID.
func run(t testing.TB, h *host.Host, checks []engine.Check) map[string]engine.Result {
	t.Helper()
	return enginetest.ResultsByID(t, h, checks)
}

// rootResults runs the proposed profile of a fixture root with the demo
// service.
func rootResults(t testing.TB, root string, opts ...host.Option) map[string]engine.Result {
	t.Helper()
	return run(t, fixture(t, root, opts...), plan(t, proposedProfile(t, distroOf[root], serviceYAML)))
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
