package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Namespace describes a throwaway set of Linux namespaces in which a
// differential test runs a real reference program (systemd-sysctl, a PAM
// session, getent, ...) on the case's files without touching the host: a
// private mount namespace always, so every tmpfs and bind mount vanishes
// with the command; optionally a network namespace (only loopback, raised
// here) and a pid namespace (the command is its PID 1, with its own /proc).
//
// Mounts are made in order: every Tmpfs, then every Bind. A bind target
// must exist; a target missing on the host is made by mounting a Tmpfs
// over its parent first (the tmpfs hides the parent's other entries, and
// the setup script creates the target inside it).
type Namespace struct {
	Net   bool     // a new network namespace with lo up
	PID   bool     // a new pid namespace; the command is PID 1, /proc is remounted
	Tmpfs []string // directories to cover with an empty tmpfs
	Binds []Bind   // files or directories to bind over their target
	// Setup is shell run after the mounts and before the command, for
	// what a case needs beyond mounts (prlimit, mkdir in a tmpfs, ...).
	Setup string
}

// Bind mounts Source over Target inside the namespace.
type Bind struct {
	Source, Target string
	ReadOnly       bool
}

// NeedNamespaces skips (fails in CI) unless this process can create the
// namespaces the differential tests use: they need root, or CAP_SYS_ADMIN.
func NeedNamespaces(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "differential tests need root to create mount namespaces (make test runs as root in CI)")
		return
	}
	NeedCommand(t, "unshare", "util-linux")
	if err := exec.Command("unshare", "--mount", "--propagation", "private", "true").Run(); err != nil {
		Missing(t, "cannot create a mount namespace here: "+err.Error())
	}
}

// Command returns a command that runs argv inside ns. The command's
// standard streams are the caller's to set; its environment is inherited.
func (ns Namespace) Command(argv ...string) *exec.Cmd {
	args := []string{"--mount", "--propagation", "private"}
	if ns.Net {
		args = append(args, "--net")
	}
	if ns.PID {
		args = append(args, "--pid", "--fork", "--mount-proc")
	}
	args = append(args, "--", "/bin/sh", "-c", ns.script(), "golive-ns")
	args = append(args, argv...)
	return exec.Command("unshare", args...)
}

// Output runs argv inside ns and returns its standard output; a failure
// carries the standard error in its message.
func (ns Namespace) Output(argv ...string) ([]byte, error) {
	cmd := ns.Command(argv...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, &NamespaceError{Err: err, Stderr: stderr.String()}
	}
	return out, nil
}

// NamespaceError is a command that failed inside a Namespace.
type NamespaceError struct {
	Err    error
	Stderr string
}

func (e *NamespaceError) Error() string {
	return e.Err.Error() + ": " + strings.TrimSpace(e.Stderr)
}

func (e *NamespaceError) Unwrap() error { return e.Err }

func (ns Namespace) script() string {
	var b strings.Builder
	b.WriteString("set -e\n")
	if ns.Net {
		b.WriteString("ip link set lo up\n")
	}
	for _, d := range ns.Tmpfs {
		b.WriteString("mount -t tmpfs -o mode=0755 golive-test " + Quote(d) + "\n")
	}
	for _, m := range ns.Binds {
		// A target inside a tmpfs made above does not exist yet.
		b.WriteString("if [ -d " + Quote(m.Source) + " ]; then mkdir -p " + Quote(m.Target) +
			"; elif [ ! -e " + Quote(m.Target) + " ]; then : >" + Quote(m.Target) + "; fi\n")
		b.WriteString("mount --bind " + Quote(m.Source) + " " + Quote(m.Target) + "\n")
		if m.ReadOnly {
			b.WriteString("mount -o remount,bind,ro " + Quote(m.Target) + "\n")
		}
	}
	if ns.Setup != "" {
		b.WriteString(ns.Setup + "\n")
	}
	b.WriteString(`exec "$@"` + "\n")
	return b.String()
}

// Quote quotes s for a POSIX shell as one word.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
