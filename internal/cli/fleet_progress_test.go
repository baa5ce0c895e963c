package cli_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/ptytest"
	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

// On a terminal, fleet check's progress is one line redrawn in place
// (\r, erase to end of line) saying hosts done, failed, running and the
// time so far; a host that could not be checked is printed above it; the
// line is erased at the end. Issue 18 §4.
func TestFleetProgressOnATerminal(t *testing.T) {
	l := newFleetLab(t)
	up := l.server(t, true)
	down := sshdtest.ClosedPort(t)
	args := []string{"fleet", "check", "--identity", l.key.File, "--known-hosts", l.knownHosts,
		"--offline", "--only", "os/kernel", "--config", "ready.yaml", up.Addr, down}
	cmd := exec.Command(golive, args...)
	cmd.Dir = l.dir
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=", "HOME="+l.dir)
	var stdout strings.Builder
	cmd.Stdout = &stdout
	out, err := ptytest.RunStderr(cmd, 100)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1\n%q", err, out)
	}
	for _, want := range []string{"\rgolive: 0/2 hosts done, 0 failed, 1 running", "2/2 hosts done, 1 failed, 0 running", "\x1b[K",
		"unreachable: connect " + down} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal lacks %q:\n%q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("the live line is not erased at the end:\n%q", out)
	}
	// The host that was checked has no line of its own: the live line
	// counts it.
	if strings.Contains(out, "[1/2] "+up.Addr) || strings.Contains(out, "[2/2] "+up.Addr) {
		t.Errorf("a checked host got a line on the terminal:\n%q", out)
	}
	if !strings.Contains(stdout.String(), "2 hosts:") {
		t.Errorf("fleet table missing:\n%s", stdout.String())
	}
}

// Through a pipe (a CI log), progress is plain lines, one per host, with
// no \r or escape sequence; -q prints none.
func TestFleetProgressToAPipe(t *testing.T) {
	l := newFleetLab(t)
	up := l.server(t, true)
	down := sshdtest.ClosedPort(t)
	r := l.run(t, "--config", "ready.yaml", up.Addr, down)
	if r.code != 1 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if strings.ContainsAny(r.stderr, "\r\x1b") {
		t.Errorf("control characters in piped progress:\n%q", r.stderr)
	}
	for _, want := range []string{"] " + up.Addr + " ok, verdict pass (", "] " + down + " unreachable: "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("piped progress lacks %q:\n%s", want, r.stderr)
		}
	}
	if r := l.run(t, "--config", "ready.yaml", "-q", up.Addr, down); strings.Contains(r.stderr, "golive: [") || strings.Contains(r.stderr, "hosts done") {
		t.Errorf("-q: progress printed:\n%s", r.stderr)
	}
}
