package rlimit

import (
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

// Every fixture root's results render as a report that matches
// docs/report.schema.json: details and remediation are plain JSON.
func TestReportsMatchTheSchema(t *testing.T) {
	for root := range distroOf {
		t.Run(root, func(t *testing.T) {
			h := fixture(t, root)
			out := engine.Run(t.Context(), h, plan(t, proposedProfile(t, distroOf[root], serviceYAML)), engine.RunOptions{})
			reporttest.ValidateOutcome(t, h, h.Root(), out)
		})
	}
}
