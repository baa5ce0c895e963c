// Package enginetest runs checks the way family tests need: plainly, with
// the results at hand by check ID.
package enginetest

import (
	"context"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// ResultsByID runs checks on h with the engine's defaults and keys the
// results by check ID.
func ResultsByID(t testing.TB, h *host.Host, checks []engine.Check) map[string]engine.Result {
	t.Helper()
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
	m := make(map[string]engine.Result, len(out.Results))
	for _, r := range out.Results {
		m[r.ID] = r
	}
	return m
}
