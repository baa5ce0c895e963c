package host

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"golang.org/x/sys/unix"
)

// Identity is what a report says about the machine it describes.
type Identity struct {
	Hostname  string
	MachineID string
	Kernel    string
	Arch      string
	OS        OSRelease
	// Problems lists facts that could not be read, one line each, so a
	// report on a broken root says why a field is empty.
	Problems []string
}

// Identity gathers hostname, machine-id, kernel release, architecture and
// os-release. It never fails: what cannot be read is left empty and named
// in Problems.
func (h *Host) Identity() Identity {
	return h.IdentityFrom(h.Hostname, h.KernelRelease, h.Arch, h.OSRelease)
}

// IdentityFrom is Identity with the hostname, kernel release, architecture
// and os-release taken from the given readers (internal/facts passes the ones
// it reads once per run).
func (h *Host) IdentityFrom(hostname, kernel, arch func() (string, error), osRelease func() (OSRelease, error)) Identity {
	var id Identity
	note := func(what string, err error) {
		id.Problems = append(id.Problems, fmt.Sprintf("%s: %v", what, err))
	}
	var err error
	if id.Hostname, err = hostname(); err != nil {
		note("hostname", err)
	}
	if id.MachineID, err = h.MachineID(); err != nil {
		note("machine-id", err)
	}
	if id.Kernel, err = kernel(); err != nil {
		note("kernel", err)
	}
	if id.Arch, err = arch(); err != nil {
		note("arch", err)
	}
	if id.OS, err = osRelease(); err != nil {
		note("os-release", err)
		id.OS = ParseOSRelease("")
		id.OS.Unread = err
	}
	return id
}

// Hostname is the kernel's hostname under the root, falling back to
// /etc/hostname (an image has no /proc).
func (h *Host) Hostname() (string, error) {
	return h.firstLine("/proc/sys/kernel/hostname", "/etc/hostname")
}

// MachineID is /etc/machine-id: 32 lower-case hex digits.
func (h *Host) MachineID() (string, error) {
	s, err := h.firstLine("/etc/machine-id")
	if err != nil {
		return "", err
	}
	if len(s) != 32 || strings.Trim(s, "0123456789abcdef") != "" {
		return "", fmt.Errorf("/etc/machine-id: malformed (%d characters)", len(s))
	}
	return s, nil
}

// KernelRelease is the running kernel's release as the root's procfs shows
// it (uname -r).
func (h *Host) KernelRelease() (string, error) {
	return h.firstLine("/proc/sys/kernel/osrelease")
}

// Arch is the machine hardware name (uname -m). A root with
// /proc/sys/kernel/arch says it; otherwise the running system is asked, and
// only when the host is the running system.
func (h *Host) Arch() (string, error) {
	s, err := h.firstLine("/proc/sys/kernel/arch")
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !h.Live() {
		return s, err
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", fmt.Errorf("uname: %w", err)
	}
	return unix.ByteSliceToString(u.Machine[:]), nil
}

// firstLine returns the first non-empty line of the first of paths that
// exists.
func (h *Host) firstLine(paths ...string) (string, error) {
	var err error
	for _, p := range paths {
		var data []byte
		data, err = h.ReadFileLimit(p, 4096)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return "", err
		}
		s := strings.TrimSpace(string(data))
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		if s == "" {
			err = fmt.Errorf("%s: empty", p)
			continue
		}
		return s, nil
	}
	return "", err
}
