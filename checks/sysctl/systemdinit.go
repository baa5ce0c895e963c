package sysctl

import (
	"path"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// systemdInit is what golive knows about systemd as PID 1 at boot, which
// raises fs.file-max and fs.nr_open before systemd-sysctl runs (src/core/
// main.c bump_file_max_and_nr_open, since systemd 240).
type systemdInit struct {
	pid1    bool
	version int    // 0: unknown
	why     string // how PID1 and Version were found
	// noNrOpenBump: the distro's build leaves fs.nr_open alone
	// (-Dbump-proc-sys-fs-nr-open=false; the profile's
	// facts.systemd_bumps_nr_open: false).
	noNrOpenBump bool
}

// systemdLibDirs hold libsystemd-shared-<version>.so: /usr/lib/systemd and
// /lib/systemd on Debian/Ubuntu before Debian 12, /usr/lib64/systemd on the
// RHEL family, /usr/lib/<multiarch>/systemd on Debian 12 (found by listing
// /usr/lib). The file name is the most robust version source readable under
// a root: the binaries are ELF and the package databases differ per distro.
var systemdLibDirs = []string{"/usr/lib/systemd", "/lib/systemd", "/usr/lib64/systemd", "/lib64/systemd"}

// detectSystemd decides whether systemd is PID 1 at boot. On the running
// system /proc/1/comm says it; under --root, /sbin/init must resolve to a
// program named systemd (or, with no /sbin/init, systemd must be installed
// where distributions put it). An init= on the kernel command line wins.
func detectSystemd(h *host.Host, cmdlineInit string) systemdInit {
	sd := systemdInit{}
	comm := ""
	if h.Live() && cmdlineInit == "" {
		comm = readComm(h)
	}
	switch {
	case cmdlineInit != "":
		sd.pid1 = path.Base(cmdlineInit) == "systemd"
		sd.why = "kernel command line init=" + cmdlineInit
	case comm != "":
		sd.pid1 = comm == "systemd"
		sd.why = "/proc/1/comm is " + strconv.Quote(comm)
	default:
		sd.pid1, sd.why = initIsSystemd(h)
	}
	if !sd.pid1 {
		return sd
	}
	if h.Live() && h.Exists("/run/systemd/container") {
		// In a container PID 1 cannot write /proc/sys (read-only): the
		// bump fails silently and the host's values show through.
		sd.pid1 = false
		sd.why += "; in a container (/run/systemd/container), where /proc/sys is read-only"
		return sd
	}
	if v, where := systemdVersion(h); v > 0 {
		sd.version = v
		sd.why += "; version " + strconv.Itoa(v) + " from " + where
	}
	return sd
}

func readComm(h *host.Host) string {
	data, err := h.ReadFileLimit("/proc/1/comm", 256)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// initIsSystemd follows /sbin/init's symlinks inside the root.
func initIsSystemd(h *host.Host) (bool, string) {
	p := "/sbin/init"
	for hops := 0; hops < 16; hops++ {
		t, err := h.Readlink(p)
		if err != nil {
			break
		}
		if !path.IsAbs(t) {
			t = path.Join(path.Dir(p), t)
		}
		p = path.Clean(t)
	}
	if h.Exists("/sbin/init") {
		return path.Base(p) == "systemd", "/sbin/init is " + p
	}
	for _, bin := range []string{"/usr/lib/systemd/systemd", "/lib/systemd/systemd"} {
		if fi, err := h.Stat(bin); err == nil && fi.Mode().IsRegular() {
			return true, "no /sbin/init; " + bin + " is installed"
		}
	}
	return false, "no /sbin/init and no systemd binary"
}

// systemdVersion reads the version from libsystemd-shared-NNN[-release].so,
// in the first directory that holds one: the fixed ones, then Debian's
// multiarch directory for the root's architecture, then any
// /usr/lib/*-linux-*/systemd.
func systemdVersion(h *host.Host) (int, string) {
	dirs := append([]string{}, systemdLibDirs...)
	if arch, err := facts.Arch(h); err == nil && multiarch[arch] != "" {
		dirs = append(dirs, "/usr/lib/"+multiarch[arch]+"/systemd")
	}
	if v, where := sharedLibIn(h, dirs); v > 0 {
		return v, where
	}
	var more []string
	if entries, err := h.ReadDir("/usr/lib"); err == nil {
		for _, e := range entries {
			if strings.Contains(e.Name(), "-linux-") {
				more = append(more, "/usr/lib/"+e.Name()+"/systemd")
			}
		}
	}
	return sharedLibIn(h, more)
}

// multiarch is Debian's multiarch tuple per machine (uname -m).
var multiarch = map[string]string{
	"x86_64": "x86_64-linux-gnu", "aarch64": "aarch64-linux-gnu", "i686": "i386-linux-gnu",
	"armv7l": "arm-linux-gnueabihf", "ppc64le": "powerpc64le-linux-gnu", "s390x": "s390x-linux-gnu",
	"riscv64": "riscv64-linux-gnu",
}

func sharedLibIn(h *host.Host, dirs []string) (int, string) {
	for _, d := range dirs {
		entries, err := h.ReadDir(d)
		if err != nil {
			continue
		}
		best, where := 0, ""
		for _, e := range entries {
			if v := sharedLibVersion(e.Name()); v > best {
				best, where = v, path.Join(d, e.Name())
			}
		}
		if best > 0 {
			return best, where
		}
	}
	return 0, ""
}

// sharedLibVersion parses "libsystemd-shared-252.so" and
// "libsystemd-shared-252-32.el9_4.so" (Fedora's shared-lib-tag).
func sharedLibVersion(name string) int {
	rest, ok := strings.CutPrefix(name, "libsystemd-shared-")
	if !ok || !strings.HasSuffix(rest, ".so") {
		return 0
	}
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	if j == 0 || j > 4 {
		return 0
	}
	v, _ := strconv.Atoi(rest[:j])
	return v
}

// is32Bit reports a 32-bit machine (uname -m), where long and pointers are
// 4 bytes: LONG_MAX and the kernel's nr_open maximum differ.
func is32Bit(arch string) bool {
	switch arch {
	case "i386", "i486", "i586", "i686", "armv6l", "armv7l", "arm", "mips", "ppc", "s390":
		return true
	}
	return false
}

// systemdBump is the value systemd as PID 1 leaves in fs.file-max or
// fs.nr_open, given the value before it (the kernel default or the command
// line's). ok is false when systemd does not change the key, or when the
// outcome cannot be told (see docs/truth.md).
func systemdBump(key string, sd systemdInit, kver kernelVersion, kknown bool, arch string, before uint64, beforeKnown bool) (value uint64, ok bool, why string) {
	if !sd.pid1 || sd.version < 240 {
		return 0, false, ""
	}
	longMax := uint64(1<<63 - 1)
	ptr := uint64(8)
	if is32Bit(arch) {
		longMax, ptr = 1<<31-1, 4
	}
	switch key {
	case "fs.file-max":
		// v240..242 wrote ULONG_MAX: accepted before the kernel's range
		// check (Linux 5.2, backported to 5.1.10, 4.19 and 4.14 stable),
		// rejected after it. v243 (systemd PR #12808) writes LONG_MAX.
		if sd.version >= 243 {
			return longMax, true, "systemd " + strconv.Itoa(sd.version) + " (PID 1) writes LONG_MAX at boot"
		}
		if !kknown {
			return 0, false, ""
		}
		if kver.less(kv(4, 14)) {
			ulongMax := uint64(1<<64 - 1)
			if ptr == 4 {
				ulongMax = 1<<32 - 1
			}
			return ulongMax, true, "systemd " + strconv.Itoa(sd.version) + " (PID 1) writes ULONG_MAX at boot"
		}
		return 0, false, ""
	case "fs.nr_open":
		if !beforeKnown || sd.noNrOpenBump {
			return 0, false, ""
		}
		// The kernel's maximum: min(INT_MAX, SIZE_MAX/sizeof(void*)) rounded
		// down to a multiple of BITS_PER_LONG (fs/file.c sysctl_nr_open_max).
		kmax := uint64(1<<31-1) &^ (ptr*8 - 1)
		v := uint64(1<<31 - 1)
		if sd.version >= 258 {
			// systemd PR #38081 (v258) starts at the kernel's maximum.
			v = kmax
		}
		for {
			v &^= ptr - 1 // round down to a multiple of the pointer size
			if v < 1024 || before >= v {
				return 0, false, ""
			}
			if v > kmax { // the kernel answers EINVAL; systemd halves
				v /= 2
				continue
			}
			return v, true, "systemd " + strconv.Itoa(sd.version) + " (PID 1) raises it to the largest value the kernel accepts at boot"
		}
	}
	return 0, false, ""
}
