package cgroup

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

// Every fixture root's cgroup results make a report that validates against
// docs/report.schema.json (details, remediation actions and all).
func TestReportsValidate(t *testing.T) {
	for _, root := range []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"} {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			rel, _ := h.OSRelease()
			cfg := filepath.Join(t.TempDir(), "golive.yaml")
			if err := os.WriteFile(cfg, []byte(serviceConfig), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := profile.Resolve(profile.Request{OS: rel, Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			out := engine.Run(context.Background(), h, plan(t, p), engine.RunOptions{})
			reporttest.ValidateOutcome(t, h, root, out)
		})
	}
}
