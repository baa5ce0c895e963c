package cgroup

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// The kernel releases that matter for cgroup v2: the cgroup2 filesystem
// left development in 4.5, and the cpu controller joined it in 4.15
// (Documentation/admin-guide/cgroup-v2.rst; kernelnewbies 4.5, 4.15).
// systemd's CPUQuota=/CPUWeight= need that controller on v2, so a kernel
// before 4.15 has no usable v2 for a service that sets CPU limits.
var (
	firstCgroup2   = []int{4, 5}
	firstV2CPUCtrl = []int{4, 15}
)

// support is whether the host's kernel can run the unified hierarchy.
type support struct {
	// release is the kernel the verdict is about: the running one
	// (/proc/sys/kernel/osrelease) or, on an image, the newest installed
	// under /lib/modules.
	release string
	from    string
	// fsListed is whether /proc/filesystems lists cgroup2 (nil: not read).
	fsListed *bool
	// usable is nil when nothing tells.
	usable *bool
	why    string
}

func boolp(b bool) *bool { return &b }

// kernelSupport works out whether the kernel can do cgroup v2. runtime is
// set when the root stands for a running system.
func kernelSupport(h *host.Host, runtime bool) support {
	var s support
	if runtime {
		if data, err := h.ReadFileLimit("/proc/filesystems", 64<<10); err == nil {
			s.fsListed = boolp(listsCgroup2(data))
		}
		if rel, err := facts.KernelRelease(h); err == nil {
			s.release, s.from = rel, "/proc/sys/kernel/osrelease"
		}
	} else if rel, dir := newestModules(h); rel != "" {
		s.release, s.from = rel, dir
	}
	ver := releaseVersion(s.release)
	switch {
	case s.fsListed != nil && !*s.fsListed:
		s.usable = boolp(false)
		s.why = "the kernel has no cgroup2 filesystem (/proc/filesystems does not list it; it arrived in Linux 4.5)"
	case ver != nil && !atLeast(ver, firstCgroup2):
		s.usable = boolp(false)
		s.why = "kernel " + s.release + " has no cgroup v2 (the cgroup2 filesystem arrived in Linux 4.5)"
	case ver != nil && !atLeast(ver, firstV2CPUCtrl):
		s.usable = boolp(false)
		s.why = "kernel " + s.release + " has no cpu controller on cgroup v2 (added in Linux 4.15), so CPUQuota= cannot work there"
	case ver != nil || (s.fsListed != nil && *s.fsListed):
		s.usable = boolp(true)
		if ver != nil {
			s.why = "kernel " + s.release + " supports cgroup v2"
		} else {
			s.why = "the kernel lists the cgroup2 filesystem"
		}
	default:
		s.why = "the kernel release is unknown (no /proc/sys/kernel/osrelease, no /lib/modules)"
	}
	return s
}

// listsCgroup2 reads /proc/filesystems ("nodev\tcgroup2").
func listsCgroup2(data []byte) bool {
	for _, line := range bytes.Split(data, []byte("\n")) {
		f := bytes.Fields(line)
		if len(f) > 0 && string(f[len(f)-1]) == "cgroup2" {
			return true
		}
	}
	return false
}

// newestModules returns the highest kernel release installed in an image,
// from the directory names under /lib/modules (or /usr/lib/modules).
func newestModules(h *host.Host) (release, dir string) {
	for _, d := range []string{"/lib/modules", "/usr/lib/modules"} {
		entries, err := h.ReadDir(d)
		if err != nil {
			continue // an image may have either directory, or neither
		}
		for _, e := range entries {
			v := releaseVersion(e.Name())
			if v == nil {
				continue
			}
			if release == "" || compareVersion(v, releaseVersion(release)) > 0 {
				release, dir = e.Name(), d
			}
		}
		if release != "" {
			return release, d
		}
	}
	return "", ""
}

// releaseVersion returns the leading numeric components of a release:
// "3.10.0-1160.el7.x86_64" is 3, 10, 0. nil when it does not start with
// major.minor.
func releaseVersion(rel string) []int {
	var out []int
	for _, p := range strings.FieldsFunc(rel, func(r rune) bool { return r == '.' || r == '-' }) {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || len(out) == 3 {
			break
		}
		out = append(out, n)
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

func compareVersion(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

func atLeast(v, min []int) bool { return compareVersion(v, min) >= 0 }
