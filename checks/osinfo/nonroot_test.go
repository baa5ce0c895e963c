package osinfo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
)

const nonRootEnv = "GOLIVE_OSINFO_NONROOT_ROOT"

// TestUnreadableOSReleaseAsNonRootNeedsRoot: an os-release only root may
// read makes os/distro a "needs root" skip, like every other unreadable
// file, and the fallback profile says why it was chosen. As root, the test
// binary runs itself as nobody.
func TestUnreadableOSReleaseAsNonRootNeedsRoot(t *testing.T) {
	if dir := os.Getenv(nonRootEnv); dir != "" {
		nonRootDistro(t, dir)
		return
	}
	root := filepath.Join(t.TempDir(), "root")
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	osr := filepath.Join(root, "etc/os-release")
	if err := os.WriteFile(osr, []byte("ID=rocky\nVERSION_ID=9.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(osr, 0o000); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		nonRootDistro(t, root)
		return
	}
	hosttest.RerunAsNobody(t, []string{nonRootEnv + "=" + root}, root)
}

func nonRootDistro(t *testing.T, root string) {
	if os.Geteuid() == 0 {
		t.Fatal("meant to run unprivileged")
	}
	h, err := host.New(root, host.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	id := h.Identity()
	p, err := profile.Resolve(profile.Request{OS: id.OS})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Fallback || !strings.Contains(p.MatchedBy, "os-release could not be read") || !strings.Contains(p.MatchedBy, "permission denied") {
		t.Errorf("fallback %v, matched by %q: want the generic profile, saying os-release was unreadable", p.Fallback, p.MatchedBy)
	}
	r := results(t, p, h)["os/distro"]
	if r.Status != engine.Skip || !strings.HasPrefix(r.Message, "needs root: ") || !strings.Contains(r.Message, "os-release could not be read") {
		t.Errorf("os/distro = %s %q, want skip needs root naming the fallback's reason", r.Status, r.Message)
	}
}
