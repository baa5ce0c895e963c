package logs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

// run builds the family's checks from p and runs them on h; the results
// are keyed by ID.
func run(t testing.TB, p *profile.Profile, h *host.Host) map[string]engine.Result {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{CheckTimeout: 5 * time.Second})
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
