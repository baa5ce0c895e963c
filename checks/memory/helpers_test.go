package memory

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

func testProfile(t testing.TB, yaml string) *profile.Profile {
	t.Helper()
	return profiletest.ResolveNamed(t, "p.yaml", yaml)
}

// swapResult runs memory/swap of profile p on h.
func swapResult(t testing.TB, p *profile.Profile, h *host.Host) engine.Result {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
	return out.Results[0]
}

// fixture runs memory/swap with the profile auto-detected for a fixture root.
func fixture(t testing.TB, root string) engine.Result {
	t.Helper()
	h := hosttest.Fixture(t, root)
	rel, _ := h.OSRelease()
	p, err := profile.Resolve(profile.Request{OS: rel})
	if err != nil {
		t.Fatal(err)
	}
	return swapResult(t, p, h)
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
