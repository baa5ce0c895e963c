package testenv

import (
	"os"
	"strings"
	"testing"
)

// Every hierarchy this process is in has a mount point: the machine's
// child cgroups can be made in each (BootMachine itself is exercised by
// the live systemd tests of checks/all).
func TestCgroupMountsCoverThisProcess(t *testing.T) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Skip("no /proc/self/cgroup:", err)
	}
	mounts, err := cgroupMounts()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if _, ok := mounts[parts[1]]; !ok {
			t.Errorf("no mount point for hierarchy %q (%v)", parts[1], mounts)
		}
	}
}

func TestDescends(t *testing.T) {
	if !descends(os.Getpid(), os.Getppid()) {
		t.Error("this process does not descend from its parent")
	}
	if descends(os.Getppid(), os.Getpid()) {
		t.Error("the parent descends from its child")
	}
}
