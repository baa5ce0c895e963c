package testenv

import (
	"os"
	"strings"
	"testing"
)

// The machine boots a real systemd as PID 1 and leaves no cgroup behind.
func TestBootMachine(t *testing.T) {
	if os.Getenv("GOLIVE_TEST_MACHINE") == "" {
		t.Skip("boots a container: set GOLIVE_TEST_MACHINE=1 (the live tests of checks/all boot one anyway)")
	}
	m := BootMachine(t, nil)
	if comm := strings.TrimSpace(m.MustExec(t, "cat", "/proc/1/comm")); comm != "systemd" {
		t.Fatalf("PID 1 is %q", comm)
	}
	t.Log(m.MustExec(t, "systemctl", "is-system-running"))
	t.Log(m.MustExec(t, "cat", "/proc/self/cgroup"))
	t.Log(m.MustExec(t, "sh", "-c", "grep cgroup /proc/self/mountinfo"))
}
