package cgroup

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

const nonRootEnv = "GOLIVE_CGROUP_NONROOT_ROOT"

// TestNonRootSaysNeedsRoot runs the checks as an unprivileged user on a
// root whose mount table only root may read: they skip with "needs root"
// instead of failing. As root, the test binary runs itself as nobody.
func TestNonRootSaysNeedsRoot(t *testing.T) {
	if dir := os.Getenv(nonRootEnv); dir != "" {
		nonRootChecks(t, dir)
		return
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	for p, content := range map[string]string{
		"proc/self/mountinfo":            rootLine + v2Line,
		"etc/systemd/system/app.service": "[Service]\nMemoryMax=1G\n",
	} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(root, "proc/self/mountinfo"), 0o200); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		nonRootChecks(t, root)
		return
	}
	hosttest.RerunAsNobody(t, []string{nonRootEnv + "=" + root}, root)
}

func nonRootChecks(t *testing.T, root string) {
	if os.Geteuid() == 0 {
		t.Fatal("meant to run unprivileged")
	}
	h, err := host.New(root)
	if err != nil {
		t.Fatal(err)
	}
	got := runProfile(t, h, "extends: rocky-9\nservice: {unit: app}\ncgroup: {unit: {memory.max: \"<= 2147483648\"}}\n")
	for _, id := range []string{"cgroup/version", "cgroup/controllers", "cgroup/unit:app.service/memory.max"} {
		want(t, got[id], engine.Skip, "needs root")
	}
}
