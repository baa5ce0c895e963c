package memory

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

const nonRootEnv = "GOLIVE_MEMORY_NONROOT_ROOT"

// TestNonRootSaysNeedsRoot: an unreadable /proc/swaps gives "needs root",
// not a failure. As root, the test binary runs itself as nobody.
func TestNonRootSaysNeedsRoot(t *testing.T) {
	if dir := os.Getenv(nonRootEnv); dir != "" {
		nonRootCheck(t, dir)
		return
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	if err := os.MkdirAll(filepath.Join(root, "proc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "proc/swaps"), []byte(header), 0o200); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		nonRootCheck(t, root)
		return
	}
	hosttest.RerunAsNobody(t, []string{nonRootEnv + "=" + root}, root)
}

func nonRootCheck(t *testing.T, root string) {
	if os.Geteuid() == 0 {
		t.Fatal("meant to run unprivileged")
	}
	h, err := host.New(root)
	if err != nil {
		t.Fatal(err)
	}
	want(t, swapResult(t, testProfile(t, ""), h), engine.Skip, "needs root")
}
