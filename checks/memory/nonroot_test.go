package memory

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

const nobody = 65534

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
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "memory.test")
	copyFile(t, self, bin)
	tmp := filepath.Clean(os.TempDir())
	for p := bin; strings.HasPrefix(p, tmp+"/"); p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-test.run=^TestNonRootSaysNeedsRoot$", "-test.v")
	cmd.Env = append(os.Environ(), nonRootEnv+"="+root)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil || !strings.Contains(out.String(), "--- PASS: TestNonRootSaysNeedsRoot") {
		t.Fatalf("as nobody: %v\n%s", err, out.String())
	}
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

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
}
