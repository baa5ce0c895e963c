package cli_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

// procScan watches every process's command line and environment while a
// fleet run goes on, for a secret; the client golive, whose environment
// the secret comes from, is exempt from the environment scan.
type procScan struct {
	mu       sync.Mutex
	leaks    []string
	remote   int // scans that saw the remote golive check running
	clientID int
}

func (p *procScan) scan(secret []byte) {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		environ, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		p.mu.Lock()
		if bytes.Contains(cmdline, secret) {
			p.leaks = append(p.leaks, "cmdline of "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
		if pid != p.clientID && bytes.Contains(environ, secret) {
			p.leaks = append(p.leaks, "environment of pid "+e.Name()+": "+firstField(cmdline))
		}
		if bytes.Contains(cmdline, []byte("--env-stdin")) {
			p.remote++
		}
		p.mu.Unlock()
	}
}

func firstField(cmdline []byte) string {
	f, _, _ := bytes.Cut(cmdline, []byte{0})
	return string(f)
}

// filesHolding lists the files under dir whose content holds secret.
func filesHolding(t *testing.T, dir string, secret []byte) []string {
	t.Helper()
	var hits []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, secret) {
			hits = append(hits, p)
		}
		return nil
	})
	return hits
}

// The acceptance case of issue 18 §2: the DSN a profile names by dsn_env,
// and a variable named by --env, reach the remote golive check through
// the session's stdin. While the remote check runs (its mysql check waits
// on a server that never answers), no process's command line, no other
// process's environment, no file on the host side and no output holds the
// secret; and the remote mysql check did get the DSN: it dialled the
// server the DSN names instead of reporting the variable not set.
func TestFleetCheckSecretsTravelOnStdin(t *testing.T) {
	l := newFleetLab(t)
	s := l.server(t, true)
	db := sshdtest.StartSilent(t)
	password := "pw-" + rand.Text()
	extra := "extra-" + rand.Text()
	dsn := "golive:" + password + "@tcp(" + db.Addr + ")/"
	write(t, l.dir, "secrets.yaml", "extends: base/base.yaml\nmysql:\n  - name: db\n    dsn_env: GOLIVE_T_FLEET_DSN\n    role: primary\n")
	out := filepath.Join(l.dir, "out")
	args := []string{"fleet", "check", "--identity", l.key.File, "--known-hosts", l.knownHosts,
		"--only", "mysql/*", "--check-timeout", "3s", "--timeout", "20s", "--host-timeout", "1m",
		"--config", "secrets.yaml", "--env", "GOLIVE_T_EXTRA", "--out-dir", out, "--format", "json", s.Addr}

	// Control: without the variable, the host says it is not set.
	r := exe(t, golive, l.dir, []string{"SSH_AUTH_SOCK=", "HOME=" + l.dir, "GOLIVE_T_EXTRA=" + extra}, args...)
	if !strings.Contains(readAll(t, out), "environment variable GOLIVE_T_FLEET_DSN is not set") || !strings.Contains(r.stderr, "GOLIVE_T_FLEET_DSN (named by mysql.dsn_env) is not set here") {
		t.Fatalf("control run without the DSN: exit %d; the host should report the variable not set\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	cmd := exec.Command(golive, args...)
	cmd.Dir = l.dir
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=", "HOME="+l.dir, "GOLIVE_T_FLEET_DSN="+dsn, "GOLIVE_T_EXTRA="+extra)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	scan := &procScan{clientID: cmd.Process.Pid}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	for running := true; running; {
		select {
		case err = <-done:
			running = false
		case <-time.After(20 * time.Millisecond):
			scan.scan([]byte(password))
			scan.scan([]byte(extra))
		}
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	if scan.remote == 0 {
		t.Fatal("never saw the remote golive check (--env-stdin) running: the scan proves nothing")
	}
	for _, leak := range scan.leaks {
		t.Errorf("secret found in the %s", leak)
	}
	if _, total := db.MaxOpen(); total == 0 {
		t.Errorf("the remote mysql check never dialled %s: the DSN did not reach it\n%s", db.Addr, readAll(t, out))
	}
	reports := readAll(t, out)
	if strings.Contains(reports, "is not set") {
		t.Errorf("the host still reports the variable not set:\n%s", reports)
	}
	for _, secret := range []string{password, extra} {
		for name, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String(), "reports": reports, "sshd log": s.Log()} {
			if strings.Contains(text, secret) {
				t.Errorf("secret in %s", name)
			}
		}
		for _, dir := range []string{s.Dir, l.dir} {
			for _, f := range filesHolding(t, dir, []byte(secret)) {
				t.Errorf("secret in file %s", f)
			}
		}
	}
	assertCleanedUp(t, s)
}

// readAll joins every file of dir, for searching.
func readAll(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		b.Write(data)
	}
	return b.String()
}
