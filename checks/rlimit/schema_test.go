package rlimit

import (
	"bytes"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

// Every fixture root's results render as a report that matches
// docs/report.schema.json: details and remediation are plain JSON.
func TestReportsMatchTheSchema(t *testing.T) {
	for root := range distroOf {
		t.Run(root, func(t *testing.T) {
			h := fixture(t, root)
			out := engine.Run(t.Context(), h, plan(t, proposedProfile(t, distroOf[root], serviceYAML)), engine.RunOptions{})
			var buf bytes.Buffer
			if err := report.JSON(&buf, report.New(report.Input{Version: "test", Identity: h.Identity(), Root: h.Root(), Outcome: out})); err != nil {
				t.Fatal(err)
			}
			if err := reporttest.Validate(buf.Bytes()); err != nil {
				t.Fatal(err)
			}
		})
	}
}
