package cli_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the unprivileged user of Debian and Ubuntu.
const nobody = 65534

// TestNonRootRun runs golive as an unprivileged user — directly when the
// tests are not root, by switching to nobody when they are — and checks that
// what needs privilege says "skip: needs root" instead of failing or
// erroring, and that a run on this machine still completes.
func TestNonRootRun(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "root/etc/os-release", "ID=testos\nVERSION_ID=1\n")
	write(t, dir, "root/proc/sys/kernel/osrelease", "5.14.0\n")
	write(t, dir, "root/proc/sys/net/core/somaxconn", "4096\n")
	write(t, dir, "p.yaml", "sysctl:\n  net.core.somaxconn: \">= 1024\"\n")
	secret := filepath.Join(dir, "root/proc/sys/net/core/somaxconn")
	if err := os.Chmod(secret, 0o200); err != nil { // like /proc/sys/vm/stat_refresh: write-only
		t.Fatal(err)
	}
	// t.TempDir() is private to root; nobody must be able to reach it. Only
	// the test's own directories are opened up, never the system temp dir.
	tmp := filepath.Clean(os.TempDir())
	for p := dir; strings.HasPrefix(p, tmp+"/"); p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	run := func(args ...string) (int, string) {
		cmd := exec.Command(golive, args...)
		cmd.Dir = dir
		if os.Geteuid() == 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		}
		var out bytes.Buffer
		cmd.Stdout = &out
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), out.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, out.String()
	}

	code, out := run("check", "--root", "root", "--config", "p.yaml", "--format", "json", "--only", "sysctl/net.core.somaxconn")
	if code != 0 {
		t.Fatalf("exit %d: an unreadable value must skip, not fail\n%s", code, out)
	}
	var rep struct {
		Checks []struct{ ID, Status, Message string } `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Checks) != 1 {
		t.Fatalf("report: %v\n%s", err, out)
	}
	if c := rep.Checks[0]; c.Status != "skip" || !strings.Contains(c.Message, "needs root") {
		t.Errorf("%s: %s %q, want skip: needs root", c.ID, c.Status, c.Message)
	}

	if code, out = run("check", "--format", "json"); code != 0 && code != 1 {
		t.Errorf("non-root run on this machine exited %d\n%s", code, out)
	}
}
