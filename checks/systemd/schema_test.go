package systemd

import (
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

// Every fixture root's results render as a report that matches
// docs/report.schema.json: details and remediation are plain JSON.
func TestReportsMatchTheSchema(t *testing.T) {
	for root := range distroOf {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			out := engine.Run(t.Context(), h, plan(t, testProfile(t, distroOf[root], demo)), engine.RunOptions{})
			reporttest.ValidateOutcome(t, h, h.Root(), out)
		})
	}
}
