package cgroup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// TestRealCgroup2Mount mounts a cgroup2 filesystem on a temp dir, as root,
// and reads it the way the checks read a host: the kernel's own mountinfo
// line (moved to /sys/fs/cgroup inside a temp root), its cgroup.controllers,
// and the knobs of a cgroup that exists. Nothing is written to the
// hierarchy. It unmounts before the temp dir is removed.
func TestRealCgroup2Mount(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI runs the tests as root; this test must not be skipped there")
		}
		t.Skip("mounting cgroup2 needs root")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "sys", "fs", "cgroup")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("none", dir, "cgroup2", 0, ""); err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EBUSY) || errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.ENODEV) {
			t.Skipf("mount -t cgroup2 none %s: %v (this environment does not allow it: no CAP_SYS_ADMIN, a restricted container, or no cgroup2 in the kernel)", dir, err)
		}
		t.Fatalf("mount -t cgroup2 none %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
				t.Errorf("unmount %s: %v", dir, err)
			}
		}
	})

	line := kernelLine(t, dir)
	if err := os.MkdirAll(filepath.Join(root, "proc", "self"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "proc", "self", "mountinfo"), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := host.New(root)
	if err != nil {
		t.Fatal(err)
	}
	controllers, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
	if err != nil {
		t.Fatal(err)
	}
	listed := strings.Fields(string(controllers))
	profile := "extends: rocky-9\ncgroup: {version: v2}\n"
	if len(listed) > 0 {
		var known []string
		for _, c := range listed {
			if v2Controllers[c] {
				known = append(known, c)
			}
		}
		profile = "extends: rocky-9\ncgroup: {version: v2, controllers: [" + strings.Join(known, ", ") + "]}\n"
	}
	got := runProfile(t, h, profile)
	want(t, got["cgroup/version"], engine.Pass, "v2 (cgroup2 on /sys/fs/cgroup)")
	c := got["cgroup/controllers"]
	if len(listed) > 0 {
		want(t, c, engine.Pass, "/sys/fs/cgroup/cgroup.controllers")
	} else if c.Status == engine.Error {
		t.Errorf("controllers: %s %q", c.Status, c.Message)
	}
	t.Logf("kernel line %q; cgroup.controllers %q", strings.TrimSpace(line), listed)

	// The knobs of real cgroups parse (the root cgroup has none).
	read := 0
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		switch {
		case err != nil || !d.IsDir() || p == dir: // the root cgroup has no knobs
			return nil
		case read >= 20:
			return filepath.SkipAll
		}
		for _, k := range knobs {
			data, err := os.ReadFile(filepath.Join(p, k.Name))
			if err != nil {
				continue
			}
			if _, err := parseV2(k, strings.TrimSpace(string(data))); err != nil {
				t.Errorf("%s/%s: %v", p, k.Name, err)
			}
			read++
		}
		return nil
	})
	t.Logf("%d knob files of real cgroups parsed", read)
}

// kernelLine returns the kernel's mountinfo line for the mount at dir, with
// the mount point moved to where it sits inside the temp root.
func kernelLine(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	mi := parseMountInfo(data)
	for _, m := range mi.mounts {
		if m.point == dir && m.fsType == "cgroup2" {
			f := strings.Split(strings.Split(string(data), "\n")[m.line-1], " ")
			f[4] = root
			return strings.Join(f, " ") + "\n"
		}
	}
	t.Fatalf("no cgroup2 line for %s in /proc/self/mountinfo (%d problems: %q)", dir, len(mi.problems), mi.problems)
	return ""
}

// TestLiveHost runs the checks on the machine the tests run on, read-only:
// whatever its cgroup layout, they decide (no error) and never panic.
func TestLiveHost(t *testing.T) {
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	got := runProfile(t, h, "extends: rocky-9\nservice: {unit: golive-test-no-such-unit}\ncgroup: {unit: {memory.max: max, cpu.max: \">= 1\"}}\n")
	for id, r := range got {
		if r.Status == engine.Error && id != "cgroup/controllers" {
			t.Errorf("%s: %s %q", id, r.Status, r.Message)
		}
		t.Logf("%s: %s %s | %s", id, r.Status, r.Observed, r.Message)
	}
}
