package memory

import (
	"context"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

// Every fixture root's memory results make a report that validates against
// docs/report.schema.json (details, remediation actions and all).
func TestReportsValidate(t *testing.T) {
	for _, root := range []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"} {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			p := profiletest.Detected(t, h, "")
			out := engine.Run(context.Background(), h, mustBuild(t, p), engine.RunOptions{})
			reporttest.ValidateOutcome(t, h, root, out)
		})
	}
}

func mustBuild(t *testing.T, p *profile.Profile) []engine.Check {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}
