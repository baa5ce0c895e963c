package selinux

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/golive-sh/golive/internal/host"
)

// Paths of the running system's SELinux state.
const (
	// SelinuxFS is where the kernel's SELinux file system is mounted when
	// SELinux is enabled (RHEL 7 and later).
	SelinuxFS   = "/sys/fs/selinux"
	EnforcePath = SelinuxFS + "/enforce"
)

// Runtime is the running kernel's SELinux mode.
type Runtime struct {
	// Mode is "" when there is no running system to ask (Image).
	Mode  Mode
	Image bool
	// Why says how the mode was learned, for details and messages.
	Why string
}

// ReadRuntime reads the mode from selinuxfs under the root. The kernel
// mounts selinuxfs only when SELinux is enabled, so its absence means
// disabled — on the running system, and on a root that stands for one:
// a root holding /sys/fs/selinux or /proc/sys (a fixture, or a chroot with
// /sys and /proc mounted). Any other root is an image with no running
// kernel: its runtime mode is unknown and only the configuration speaks.
// golive never asks the library (opencontainers/selinux): it looks at the
// machine golive runs on, and reads a file named "enforce" in the current
// directory when selinuxfs is absent.
func ReadRuntime(h *host.Host) (Runtime, error) {
	return readRuntime(h, (*host.Host).ReadFileLimit)
}

// reader reads a file under the root; tests replace the host's to play a
// non-root run.
type reader func(h *host.Host, name string, limit int64) ([]byte, error)

func readRuntime(h *host.Host, read reader) (Runtime, error) {
	data, err := read(h, EnforcePath, 64)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		switch {
		case h.Live():
			return Runtime{Mode: Disabled, Why: "selinuxfs is not mounted (no " + EnforcePath + ")"}, nil
		case h.Exists(SelinuxFS):
			return Runtime{Mode: Disabled, Why: SelinuxFS + " has no enforce file: selinuxfs is not mounted"}, nil
		case h.Exists("/proc/sys"):
			return Runtime{Mode: Disabled, Why: "the root stands for a running system (it has /proc/sys) without " + SelinuxFS}, nil
		}
		return Runtime{Image: true, Why: "image: no running kernel (the root has neither " + SelinuxFS + " nor /proc/sys)"}, nil
	default:
		return Runtime{}, err
	}
	switch v := strings.TrimSpace(string(data)); v {
	case "1":
		return Runtime{Mode: Enforcing, Why: EnforcePath + " is 1"}, nil
	case "0":
		return Runtime{Mode: Permissive, Why: EnforcePath + " is 0"}, nil
	default:
		return Runtime{}, fmt.Errorf("%s: %s is neither 0 nor 1", EnforcePath, shown(v))
	}
}

// policyFile is the binary policy name load_policy looks for.
var policyFile = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^policy\.[0-9]+$`) })

// PolicyDir is the directory of a policy's files.
func PolicyDir(policy string) string { return path.Join("/etc/selinux", policy) }

// BinaryPolicies lists the binary policy files (policy.NN) a boot can load
// for policy. An empty list with a nil error means none is installed.
func BinaryPolicies(h *host.Host, policy string) ([]string, error) {
	dir := path.Join(PolicyDir(policy), "policy")
	entries, err := h.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if policyFile().MatchString(e.Name()) && !e.IsDir() {
			out = append(out, path.Join(dir, e.Name()))
		}
	}
	return out, nil
}
