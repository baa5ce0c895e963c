package hosttest

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Nobody is the unprivileged user of Debian and Ubuntu (nfsnobody's
// successor on the RHEL family).
const Nobody = 65534

// RerunAsNobody runs the current test again, as an unprivileged user, in a
// copy of the test binary, with env added to its environment, and fails
// unless that run passes. Tests use it to prove that checks run by a
// non-root user skip with "needs root" even when the suite runs as root
// (CI does). paths are the test's own files the unprivileged run must
// reach; only their directories under the system temp dir are opened up,
// never the temp dir itself.
func RerunAsNobody(t *testing.T, env []string, paths ...string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), filepath.Base(self))
	copyFile(t, self, bin)
	tmp := filepath.Clean(os.TempDir())
	for _, start := range append(paths, bin) {
		for p := start; strings.HasPrefix(p, tmp+"/"); p = filepath.Dir(p) {
			if err := os.Chmod(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	cmd := exec.Command(bin, "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: Nobody, Gid: Nobody}}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil || !strings.Contains(out.String(), "--- PASS: "+t.Name()) {
		t.Fatalf("as nobody: %v\n%s", err, out.String())
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
}
