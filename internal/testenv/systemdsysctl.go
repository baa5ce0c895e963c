package testenv

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// SysctlDirs are the directories systemd-sysctl 252 reads, relative to a
// root. (/lib/sysctl.d is read only by a split-usr build; on this machine,
// as on the fixture roots, /lib is a link to usr/lib.)
var SysctlDirs = []string{"etc/sysctl.d", "run/sysctl.d", "usr/local/lib/sysctl.d", "usr/lib/sysctl.d"}

// NeedSystemdSysctl returns the path of the real systemd-sysctl once it is
// known that a SystemdSysctl can run here: namespaces, the program, and
// the host paths it binds over (binding over a missing path would create
// it on the host).
func NeedSystemdSysctl(t testing.TB) string {
	t.Helper()
	NeedNamespaces(t)
	bin := NeedCommand(t, "/lib/systemd/systemd-sysctl", "systemd")
	for _, p := range []string{"/etc/sysctl.conf", "/etc/sysctl.d", "/usr/lib/sysctl.d"} {
		if _, err := os.Stat(p); err != nil {
			Missing(t, p+" is missing here, and systemd-sysctl's namespace binds over it (packages procps and systemd provide it)")
		}
	}
	return bin
}

// SystemdSysctl is one namespace in which the real systemd-sysctl runs, as
// often as asked, on the sysctl configuration of a directory laid out like
// a root: its etc/sysctl.conf and SysctlDirs are bound over the real ones,
// and ProcSys (a directory of key files, net/core/somaxconn, ...) over
// /proc/sys, itself under a tmpfs. A bound directory keeps its inode: a
// caller may change its entries between runs, not replace it. What
// systemd-sysctl writes lands in ProcSys; it writes "value\n" from offset
// 0 without truncating, so a key's value is its file's first line.
type SystemdSysctl struct {
	bin, out string
	cmd      *exec.Cmd
	in       io.WriteCloser
	lines    *bufio.Reader
	errs     *strings.Builder
}

// StartSystemdSysctl starts the namespace for root's configuration and
// procSys's key files. A directory or etc/sysctl.conf missing from root is
// an empty one (made outside root); a source that is a link leaving root
// is refused, since the bind would follow it to this machine's files.
func StartSystemdSysctl(t testing.TB, bin, root, procSys string) *SystemdSysctl {
	t.Helper()
	s := &SystemdSysctl{bin: bin, out: t.TempDir(), errs: &strings.Builder{}}
	empty := t.TempDir()
	source := func(rel string, dir bool) string {
		p := filepath.Join(root, rel)
		resolved, err := filepath.EvalSymlinks(p)
		switch {
		case os.IsNotExist(err):
			alt := filepath.Join(empty, rel)
			if dir {
				err = os.MkdirAll(alt, 0o755)
			} else if err = os.MkdirAll(filepath.Dir(alt), 0o755); err == nil {
				err = os.WriteFile(alt, nil, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			return alt
		case err != nil:
			t.Fatal(err)
		}
		realRoot, err := filepath.EvalSymlinks(root)
		if err != nil {
			t.Fatal(err)
		}
		if resolved != realRoot && !strings.HasPrefix(resolved, realRoot+"/") {
			t.Fatalf("%s resolves to %s, outside %s: refusing to bind it", p, resolved, root)
		}
		return resolved
	}
	// A split-usr root's own lib/sysctl.d would be read by its systemd,
	// not by this one: refuse rather than leave it out silently.
	if lib, err := filepath.EvalSymlinks(filepath.Join(root, "lib/sysctl.d")); err == nil {
		if usr, err := filepath.EvalSymlinks(filepath.Join(root, "usr/lib/sysctl.d")); err != nil || usr != lib {
			t.Fatalf("%s/lib/sysctl.d is a directory of its own (split /usr), and systemd-sysctl 252 here reads only %v", root, SysctlDirs)
		}
	}
	ns := Namespace{Net: true, Tmpfs: []string{"/proc/sys", "/run"}}
	if _, err := os.Stat("/usr/local/lib/sysctl.d"); err != nil {
		ns.Tmpfs = append(ns.Tmpfs, "/usr/local/lib") // the bind below makes the directory in it
	}
	ns.Binds = []Bind{
		{Source: procSys, Target: "/proc/sys"},
		{Source: source("etc/sysctl.conf", false), Target: "/etc/sysctl.conf"},
	}
	for _, d := range SysctlDirs {
		ns.Binds = append(ns.Binds, Bind{Source: source(d, true), Target: "/" + d})
	}
	script := `while read -r _; do
	rc=0
	env -u CREDENTIALS_DIRECTORY SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=debug "$1" >"$2/stdout" 2>"$2/stderr" || rc=$?
	echo "$rc"
done
`
	s.cmd = ns.Command("/bin/sh", "-c", script, "golive-sysctl", bin, s.out)
	s.cmd.Stderr = s.errs
	var err error
	if s.in, err = s.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.lines = bufio.NewReader(stdout)
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return s
}

// Run runs systemd-sysctl once and returns its exit code and what it
// printed (at debug level, on standard error). It fails the test when the
// namespace is gone or systemd-sysctl did not read its directories.
func (s *SystemdSysctl) Run(t testing.TB) (rc int, stderr string) {
	t.Helper()
	if _, err := io.WriteString(s.in, "run\n"); err != nil {
		t.Fatalf("systemd-sysctl namespace gone: %v: %s", err, s.errs)
	}
	line, err := s.lines.ReadString('\n')
	if err != nil {
		t.Fatalf("systemd-sysctl namespace gone: %v: %s", err, s.errs)
	}
	errb, _ := os.ReadFile(filepath.Join(s.out, "stderr"))
	out, _ := os.ReadFile(filepath.Join(s.out, "stdout"))
	if rc, err = strconv.Atoi(strings.TrimSpace(line)); err != nil {
		t.Fatalf("systemd-sysctl namespace said %q", line)
	}
	if len(out) > 0 || strings.Contains(string(errb), "Failed to enumerate") {
		t.Fatalf("systemd-sysctl did not read the directories:\n%s%s", out, errb)
	}
	return rc, string(errb)
}

// Close ends the namespace.
func (s *SystemdSysctl) Close(t testing.TB) {
	t.Helper()
	s.in.Close()
	if err := s.cmd.Wait(); err != nil {
		t.Errorf("systemd-sysctl namespace: %v: %s", err, s.errs)
	}
}
