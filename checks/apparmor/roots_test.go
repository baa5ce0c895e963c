package apparmor

import (
	"context"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

// TestFixtureRootVerdicts pins testdata/roots/README.md ("selinux and
// apparmor fixtures") with the built-in profiles.
func TestFixtureRootVerdicts(t *testing.T) {
	want := map[string]struct {
		status engine.Status
		words  string
	}{
		"centos-7":     {engine.Skip, "CentOS Linux 7 uses SELinux, not AppArmor"},
		"rocky-9":      {engine.Skip, "Rocky Linux 9 uses SELinux, not AppArmor"},
		"ubuntu-22.04": {engine.Pass, "AppArmor is enabled; 19 profiles loaded (18 enforce, 1 complain)"},
		"broken":       {engine.Skip, "no AppArmor in this kernel, and profile linux does not ask for it"},
	}
	for root, w := range want {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			rel, _ := h.OSRelease()
			p, err := profile.Resolve(profile.Request{OS: rel})
			if err != nil {
				t.Fatal(err)
			}
			checks, err := build(p.Section(kind), p)
			if err != nil {
				t.Fatal(err)
			}
			out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
			r := out.Results[0]
			if r.ID != "apparmor/enabled" || r.Status != w.status || !strings.Contains(r.Message, w.words) {
				t.Errorf("%s %s %q, want %s %q", r.ID, r.Status, r.Message, w.status, w.words)
			}
			reporttest.ValidateOutcome(t, h, h.Root(), out)
		})
	}
}
