package testenv

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Machine is a real systemd booted as PID 1 of a container
// (systemd-nspawn) from a throwaway copy of a Debian bookworm root, for
// the tests of golive's live paths (D-Bus, /proc/<pid>/limits, the live
// cgroup tree). The host is left as it was: nspawn starts in child
// cgroups the test creates and removes, with a private network, without
// registering with a host systemd (there is none here) or machined.
type Machine struct {
	// Root is the container's root directory as the host sees it: a file
	// written there is what the container sees (nspawn -D binds it).
	Root string
	// Leader is the host pid of the container's PID 1 (systemd).
	Leader int

	cmd      *exec.Cmd
	log      *bytes.Buffer
	cgroups  []string
	nspawnRD bool // /run/systemd/nspawn was created by this machine
	done     chan error
}

// MachineNofile is the NOFILE limit (soft and hard) of the container's
// systemd: the most it can give a service.
const MachineNofile = 20000

// bootTimeout bounds the boot until systemctl is-system-running answers.
const bootTimeout = 90 * time.Second

// SystemdRoot returns the cached Debian root with systemd that
// scripts/systemd-root.sh builds (or finds): the script is run, which
// builds it with debootstrap on the first call on a machine.
func SystemdRoot(t testing.TB) string {
	t.Helper()
	NeedNamespaces(t)
	NeedCommand(t, "debootstrap", "debootstrap")
	script := filepath.Join(moduleRoot(t), "scripts", "systemd-root.sh")
	out, err := exec.Command("sh", script).Output()
	if err != nil {
		var ee *exec.ExitError
		msg := err.Error()
		if errors.As(err, &ee) {
			msg += ": " + strings.TrimSpace(string(ee.Stderr))
		}
		Missing(t, "no Debian root with systemd to boot ("+script+"): "+msg)
		return ""
	}
	return strings.TrimSpace(string(out))
}

func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// BootMachine copies the cached root into a temporary directory, boots it
// with systemd-nspawn and waits until systemd reports running or
// degraded. setup, if not nil, edits the copy before the boot (unit
// files, system.conf.d). The machine is powered off and every trace of it
// removed when the test ends.
func BootMachine(t testing.TB, setup func(root string)) *Machine {
	t.Helper()
	cached := SystemdRoot(t)
	nspawn := NeedCommand(t, "systemd-nspawn", "systemd-container")
	NeedCommand(t, "nsenter", "util-linux")
	if _, err := os.Stat("/sys/fs/cgroup"); err != nil {
		Missing(t, "no /sys/fs/cgroup: systemd in a container needs the cgroup tree")
	}
	dir, err := os.MkdirTemp("", "golive-machine-")
	if err != nil {
		t.Fatal(err)
	}
	m := &Machine{Root: filepath.Join(dir, "root"), log: &bytes.Buffer{}, done: make(chan error, 1)}
	t.Cleanup(func() {
		m.shutdown(t)
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("remove the machine's root: %v", err)
		}
	})
	if out, err := exec.Command("cp", "-a", "--reflink=auto", cached, m.Root).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v: %s", cached, err, out)
	}
	if setup != nil {
		setup(m.Root)
	}
	if err := m.makeCgroups(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/run/systemd/nspawn"); errors.Is(err, os.ErrNotExist) {
		m.nspawnRD = true
	}
	// The shell moves itself into the test's cgroups, then becomes nspawn:
	// nspawn's own cgroups land below them, not at the host's roots.
	var join strings.Builder
	for _, cg := range m.cgroups {
		join.WriteString("echo $$ >" + Quote(cg+"/cgroup.procs") + " || exit 1\n")
	}
	join.WriteString(`exec "$@"` + "\n")
	m.cmd = exec.Command("sh", "-c", join.String(), "golive-machine", nspawn,
		"--quiet", "-D", m.Root, "-b", "--private-network", "--keep-unit", "--register=no",
		"--machine=golive-test", "--console=read-only",
		// The container's limits do not depend on the shell the tests run
		// from: systemd in it gets NOFILE 20000:20000 and no
		// CAP_SYS_RESOURCE, so it cannot give a service more.
		"--rlimit=RLIMIT_NOFILE="+strconv.Itoa(MachineNofile))
	m.cmd.Stdout, m.cmd.Stderr = m.log, m.log
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := m.cmd.Start(); err != nil {
		t.Fatalf("start systemd-nspawn: %v", err)
	}
	go func() { m.done <- m.cmd.Wait() }()
	if err := m.waitBooted(); err != nil {
		t.Fatalf("boot the container: %v\nnspawn's output:\n%s", err, m.tail())
	}
	return m
}

// makeCgroups creates a child cgroup of this process's own cgroup in every
// mounted hierarchy (v1 controllers, name=systemd, the unified one).
func (m *Machine) makeCgroups() error {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return err
	}
	mounts, err := cgroupMounts()
	if err != nil {
		return err
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	name := "golive-test-" + hex.EncodeToString(suffix[:])
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		mnt, ok := mounts[parts[1]]
		if !ok {
			continue
		}
		dir := filepath.Join(mnt, parts[2], name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return fmt.Errorf("create the test's cgroup: %w", err)
		}
		m.cgroups = append(m.cgroups, dir)
		// A new cpuset has no CPUs and no memory nodes: nothing can join
		// it until it gets its parent's.
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			if v, err := os.ReadFile(filepath.Join(filepath.Dir(dir), f)); err == nil {
				if err := os.WriteFile(filepath.Join(dir, f), v, 0o644); err != nil {
					return fmt.Errorf("set up the test's cpuset: %w", err)
				}
			}
		}
	}
	return sc.Err()
}

// cgroupMounts maps a /proc/self/cgroup controller list ("memory",
// "name=systemd", "" for the unified hierarchy) to its mount point.
func cgroupMounts() (map[string]string, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 3 {
			continue
		}
		switch g[0] {
		case "cgroup2":
			out[""] = f[4]
		case "cgroup":
			var ctrls []string
			for _, o := range strings.Split(g[2], ",") {
				switch o {
				case "rw", "ro", "relatime", "noexec", "nosuid", "nodev":
				default:
					ctrls = append(ctrls, o)
				}
			}
			out[strings.Join(ctrls, ",")] = f[4]
		}
	}
	return out, nil
}

func (m *Machine) waitBooted() error {
	deadline := time.Now().Add(bootTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-m.done:
			m.done <- err
			return fmt.Errorf("systemd-nspawn exited: %v", err)
		default:
		}
		if m.Leader == 0 {
			m.Leader = m.findLeader()
		}
		if m.Leader != 0 {
			out, _ := m.Exec("systemctl", "is-system-running")
			switch strings.TrimSpace(string(out)) {
			case "running", "degraded":
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("systemd did not reach running or degraded within %s", bootTimeout)
}

// findLeader finds the container's PID 1: nspawn's child whose comm is
// systemd (nspawn forks an intermediate process that execs it).
func (m *Machine) findLeader() int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	pgid := m.cmd.Process.Pid
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile("/proc/" + e.Name() + "/comm")
		if err != nil || strings.TrimSpace(string(comm)) != "systemd" {
			continue
		}
		if descends(pid, pgid) {
			return pid
		}
	}
	return 0
}

// descends reports whether pid is a descendant of ancestor.
func descends(pid, ancestor int) bool {
	for i := 0; i < 8 && pid > 1; i++ {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return false
		}
		s := string(data)
		rest := s[strings.LastIndexByte(s, ')')+2:]
		f := strings.Fields(rest)
		if len(f) < 2 {
			return false
		}
		pid, _ = strconv.Atoi(f[1])
		if pid == ancestor {
			return true
		}
	}
	return false
}

// Command returns a command that runs argv inside every namespace of the
// container (nsenter -a into its PID 1): it sees the container's /proc,
// its PID 1 and its D-Bus socket.
func (m *Machine) Command(argv ...string) *exec.Cmd {
	args := append([]string{"-t", strconv.Itoa(m.Leader), "-a", "--", "/usr/bin/env", "-i",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "SYSTEMD_COLORS=0", "SYSTEMD_PAGER="}, argv...)
	return exec.Command("nsenter", args...)
}

// Exec runs argv in the container and returns its standard output; an
// error carries the standard error.
func (m *Machine) Exec(argv ...string) ([]byte, error) {
	cmd := m.Command(argv...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			if cmd.Process != nil {
				_ = cmd.Process.Kill()
			}
		case <-done:
		}
	}()
	out, err := cmd.Output()
	close(done)
	if err != nil {
		return out, fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// MustExec is Exec that fails the test on an error.
func (m *Machine) MustExec(t testing.TB, argv ...string) string {
	t.Helper()
	out, err := m.Exec(argv...)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// WriteFile writes a file of the container (name is its path there),
// creating its directories.
func (m *Machine) WriteFile(t testing.TB, name, content string) {
	t.Helper()
	p := filepath.Join(m.Root, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// enforcingControllers are the v1 controllers systemd enforces
// MemoryMax=, CPUQuota=, TasksMax= and IO limits with.
var enforcingControllers = []string{"memory", "cpu,cpuacct", "cpu", "cpuacct", "pids", "blkio"}

// MakeControllersWritable remounts the container's memory, cpu, cpuacct,
// pids and blkio hierarchies read-write (nspawn mounts the v1 controllers of a
// hybrid host read-only) and re-executes systemd so that it enforces the
// limits there. It does nothing on a unified host, where nspawn delegates
// the container's subtree. The remounts live in the container's mount
// namespace only.
func (m *Machine) MakeControllersWritable(t testing.TB) {
	t.Helper()
	mounts, err := m.Exec("cat", "/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, line := range strings.Split(string(mounts), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f := strings.Fields(pre)
		g := strings.Fields(post)
		if len(f) < 5 || len(g) < 1 || g[0] != "cgroup" {
			continue
		}
		for _, c := range enforcingControllers {
			if filepath.Base(f[4]) == c {
				dirs = append(dirs, f[4])
			}
		}
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		m.MustExec(t, "mount", "-o", "remount,bind,rw", d)
	}
	if len(dirs) > 0 {
		m.MustExec(t, "systemctl", "daemon-reexec")
		m.waitIdle(t)
	}
}

// waitIdle waits until systemd answers again after a re-exec.
func (m *Machine) waitIdle(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := m.Exec("systemctl", "is-system-running")
		switch strings.TrimSpace(string(out)) {
		case "running", "degraded":
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("systemd did not answer after daemon-reexec")
}

func (m *Machine) tail() string {
	s := m.log.String()
	if len(s) > 4000 {
		s = s[len(s)-4000:]
	}
	return s
}

// shutdown powers the container off (SIGTERM makes nspawn ask systemd to
// halt), kills what is left after a timeout, and removes the cgroups and
// /run/systemd/nspawn when this machine created it.
func (m *Machine) shutdown(t testing.TB) {
	if m.cmd != nil && m.cmd.Process != nil {
		_ = m.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-m.done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
			m.killCgroups()
			<-m.done
		}
	}
	m.killCgroups()
	for i := len(m.cgroups) - 1; i >= 0; i-- {
		if err := removeCgroupTree(m.cgroups[i]); err != nil {
			t.Errorf("remove the test's cgroup %s: %v", m.cgroups[i], err)
		}
	}
	if m.nspawnRD {
		if err := os.RemoveAll("/run/systemd/nspawn"); err != nil {
			t.Errorf("remove /run/systemd/nspawn: %v", err)
		}
	}
}

// killCgroups kills every process still in the test's cgroups.
func (m *Machine) killCgroups() {
	for _, cg := range m.cgroups {
		_ = filepath.WalkDir(cg, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() != "cgroup.procs" {
				return nil
			}
			data, _ := os.ReadFile(p)
			for _, f := range strings.Fields(string(data)) {
				if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			return nil
		})
	}
}

// removeCgroupTree removes a cgroup and its children, deepest first; a
// cgroup whose processes are still exiting is retried for a while.
func removeCgroupTree(dir string) error {
	var dirs []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
	deadline := time.Now().Add(10 * time.Second)
	for _, d := range dirs {
		for {
			err := syscall.Rmdir(d)
			if err == nil || errors.Is(err, syscall.ENOENT) {
				break
			}
			if !errors.Is(err, syscall.EBUSY) || time.Now().After(deadline) {
				return fmt.Errorf("rmdir %s: %w", d, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}
