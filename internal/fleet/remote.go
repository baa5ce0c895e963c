package fleet

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/golive-sh/golive/internal/report"
	"golang.org/x/crypto/ssh"
)

// Bounds on what a remote host sends back.
const (
	DefaultMaxReport = report.MaxReportSize // a fetched or read report: what golive writes, golive reads
	maxStderr        = 64 << 10
	maxSmallOutput   = 4 << 10 // uname -m, mktemp
)

// cleanupReserve is the part of the per-host timeout kept for removing the
// temp dir, so cleanup runs even when the work before it used up its time.
func cleanupReserve(hostTimeout time.Duration) time.Duration {
	return min(10*time.Second, hostTimeout/4)
}

// pidFile, in the temp dir, holds the PID of the running golive check.
const pidFile = "golive.pid"

var (
	// The temp dir is made under the remote's $TMPDIR (else /tmp): an
	// absolute path of plain components ending in golive.XXXXXXXX, so no
	// "..", no glob and no space ever reaches rm -rf.
	tempDirPattern = regexp.MustCompile(`^(/[A-Za-z0-9._-]+)*/golive\.[A-Za-z0-9]{8}$`)
	archPattern    = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)
)

// GOARCH maps `uname -m` to Go's name for the architecture.
func GOARCH(unameM string) string {
	switch unameM {
	case "x86_64", "amd64":
		return "amd64"
	case "aarch64", "arm64", "aarch64_be":
		return "arm64"
	case "i386", "i486", "i586", "i686", "386":
		return "386"
	case "armv6l", "armv7l", "armv7", "armv8l", "arm":
		return "arm"
	}
	return unameM // ppc64le, s390x, riscv64, mips64 are spelt alike
}

// hostRun is one host's fan-out: a connection and what was made on it.
type hostRun struct {
	t      Target
	opts   *Options
	client *ssh.Client
	dir    string // the private temp dir, once made
	// name is the temp dir's last component, chosen here before the dir
	// is made: a cut during mkdir leaves a dir whose path never came
	// back, and cleanup still finds it by name.
	name    string
	verdict string // the fetched report's
	// started is set once golive check was started: cleanup then stops
	// it in case it still runs.
	started bool
}

// checkHost runs the whole sequence on one host within the per-host
// timeout: dial, uname, mktemp, upload, run, fetch, and — always, with the
// reserve — cleanup.
func checkHost(ctx context.Context, t Target, opts *Options) (res HostResult) {
	start := time.Now()
	res.Target = t
	defer func() { res.Duration = time.Since(start) }()
	defer func() {
		if res.Kind != KindOK {
			res.Err += t.routeNote()
		}
	}()
	deadline := start.Add(opts.HostTimeout)
	work, cancel := context.WithDeadline(ctx, deadline.Add(-cleanupReserve(opts.HostTimeout)))
	defer cancel()

	h := &hostRun{t: t, opts: opts}
	client, err := dial(work, t, opts)
	if err != nil {
		return failed(res, err)
	}
	h.client = client
	// Cancelling the work closes the connection: every blocked session
	// returns at once. Cleanup then dials again.
	stop := context.AfterFunc(work, func() { client.Close() })
	defer func() {
		alive := stop()
		if h.name != "" {
			h.cleanup(ctx, deadline, alive)
		}
		h.client.Close()
	}()

	res, err = h.work(work, res)
	if err != nil {
		if work.Err() != nil {
			err = &stepError{KindTimeout, fmt.Sprintf("host timeout %s reached: %v", opts.HostTimeout, err)}
		}
		return failed(res, err)
	}
	return res
}

func (h *hostRun) work(ctx context.Context, res HostResult) (HostResult, error) {
	out, err := h.small(ctx, "uname -m")
	if err != nil {
		return res, remoteErr("uname -m: %v", err)
	}
	if !archPattern.MatchString(out) {
		return res, remoteErr("uname -m printed %q", clip(out))
	}
	res.Arch = out
	bin, ok := h.opts.Binaries[GOARCH(out)]
	if !ok {
		return res, remoteErr("host is %s and there is no golive binary for it: pass --binary-for %s=PATH", out, GOARCH(out))
	}
	// mkdir, like mktemp -d, fails if the path exists and makes the dir
	// 0700; the name is chosen here so that cleanup knows it even if the
	// connection is cut before the path comes back.
	h.name = "golive." + rand.Text()[:8]
	dir, err := h.small(ctx, `d="`+h.tempDirExpr()+`" && mkdir -m 0700 "$d" && printf '%s\n' "$d"`)
	if err != nil {
		return res, remoteErr("mkdir: %v", err)
	}
	// Checked before it is ever used, above all in rm -rf.
	if !tempDirPattern.MatchString(dir) || !strings.HasSuffix(dir, "/"+h.name) || strings.Contains(dir, "/../") || strings.Contains(dir, "/./") {
		return res, remoteErr("mkdir printed %q, not a $TMPDIR/golive.XXXXXXXX directory", clip(dir))
	}
	h.dir = dir
	if err := h.uploadFile(ctx, bin, dir+"/golive"); err != nil {
		return res, err
	}
	if b := h.opts.Bundle; b != nil {
		for _, f := range b.Files {
			if err := h.upload(ctx, strings.NewReader(string(f.Data)), dir+"/"+f.Remote, "0600"); err != nil {
				return res, err
			}
		}
	}
	report, stderr, err := h.check(ctx)
	res.Stderr = stderr
	if err != nil {
		return res, err
	}
	res.Kind, res.Report, res.Verdict = KindOK, report, h.verdict
	return res, nil
}

// tempDirExpr is the temp dir's path as a shell word to put in double
// quotes: the remote's $TMPDIR (else /tmp) and the name chosen here.
func (h *hostRun) tempDirExpr() string {
	return "${TMPDIR:-/tmp}/" + h.name
}

// small runs a command that prints one short line and returns that line.
func (h *hostRun) small(ctx context.Context, cmd string) (string, error) {
	stdout := &capped{max: maxSmallOutput}
	stderr := &capped{max: maxSmallOutput}
	code, err := h.session(ctx, cmd, nil, stdout, stderr)
	if err != nil {
		return "", err
	}
	if code != 0 {
		return "", fmt.Errorf("exit %d: %s", code, clip(string(stderr.buf)))
	}
	return strings.TrimSpace(string(stdout.buf)), nil
}

func (h *hostRun) uploadFile(ctx context.Context, local, remote string) error {
	f, err := os.Open(local)
	if err != nil {
		return &stepError{KindRemote, fmt.Sprintf("open %s: %v", local, err)}
	}
	defer f.Close()
	return h.upload(ctx, f, remote, "0700")
}

// upload streams r into remote through a session's stdin: no scp or sftp
// needed on the host. The umask keeps the file private while it is written.
func (h *hostRun) upload(ctx context.Context, r io.Reader, remote, mode string) error {
	dir := remote[:strings.LastIndexByte(remote, '/')]
	cmd := "umask 077 && mkdir -p " + Quote(dir) + " && cat > " + Quote(remote) + " && chmod " + mode + " " + Quote(remote)
	stderr := &capped{max: maxSmallOutput}
	code, err := h.session(ctx, cmd, r, io.Discard, stderr)
	if err != nil {
		return remoteErr("upload %s: %v", remote, err)
	}
	if code != 0 {
		return remoteErr("upload %s: exit %d: %s", remote, code, clip(string(stderr.buf)))
	}
	return nil
}

// check runs golive in the temp dir (so no golive.yaml of the login
// user's home is picked up) and returns the report from stdout. The
// remote gets --fail-on none: its exit code then means 0 complete, 3
// aborted, 2 invalid, anything else "did not run" (sudo's 1 included);
// readiness is judged here, from the report.
func (h *hostRun) check(ctx context.Context) ([]byte, string, error) {
	argv := []string{"./golive", "check", "--format", "json", "--fail-on", "none"}
	argv = append(argv, h.opts.CheckArgs...)
	// exec keeps the recorded PID that of golive (or sudo), which cleanup
	// signals if the host times out while it runs.
	cmd := "cd " + Quote(h.dir) + " && echo $$ > " + pidFile + " && exec "
	if h.opts.Sudo {
		cmd += "sudo -n "
	}
	cmd += Command(argv...)
	h.started = true
	maxReport := h.opts.MaxReport
	if maxReport <= 0 {
		maxReport = DefaultMaxReport
	}
	stdout := &capped{max: int(maxReport)}
	stderr := &capped{max: maxStderr}
	code, err := h.session(ctx, cmd, nil, stdout, stderr)
	errText := clip(string(stderr.buf))
	if err != nil {
		return nil, errText, remoteErr("golive check: %v", err)
	}
	switch {
	case stdout.over:
		return nil, errText, remoteErr("report larger than %d bytes: not fetched", maxReport)
	case code == 2:
		return nil, errText, remoteErr("golive check refused the invocation (exit 2): %s", errText)
	case h.opts.Sudo && code == 1 && len(stdout.buf) == 0:
		return nil, errText, remoteErr("sudo -n failed (no passwordless sudo rule for this user and command?): %s", errText)
	case code == 126 || code == 127:
		return nil, errText, remoteErr("golive could not be started (exit %d; is /tmp mounted noexec?): %s", code, errText)
	case code != 0 && code != 3:
		return nil, errText, remoteErr("golive check exited %d: %s", code, errText)
	}
	rep, err := DecodeReport(stdout.buf)
	if err != nil {
		return nil, errText, remoteErr("report from the host: %v", err)
	}
	h.verdict = rep.Verdict
	return stdout.buf, errText, nil
}

// session runs one command on its own session and returns its exit code.
func (h *hostRun) session(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, context.Cause(ctx)
	}
	s, err := h.client.NewSession()
	if err != nil {
		return 0, err
	}
	defer s.Close()
	s.Stdin, s.Stdout, s.Stderr = stdin, stdout, stderr
	err = s.Run(cmd)
	var ee *ssh.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		return ee.ExitStatus(), nil
	case ctx.Err() != nil:
		return 0, context.Cause(ctx)
	}
	return 0, err
}

// cleanupFloor is the least time cleanup is given, past the per-host
// timeout if need be: a new SSH connection to a host that just timed out
// (often a loaded host) can take seconds, and a golive binary left in the
// host's /tmp costs more than a fleet run ending a few seconds later.
const cleanupFloor = 10 * time.Second

// cleanup removes the temp dir, on the live connection or a new one, with
// what is left of the per-host timeout, at least cleanupFloor.
func (h *hostRun) cleanup(parent context.Context, deadline time.Time, alive bool) {
	ctx, cancel := context.WithDeadline(context.WithoutCancel(parent), later(deadline, time.Now().Add(cleanupFloor)))
	defer cancel()
	if !alive {
		c, err := dial(ctx, h.t, h.opts)
		if err != nil {
			return
		}
		h.client.Close()
		h.client = c
	}
	stop := context.AfterFunc(ctx, func() { h.client.Close() })
	defer stop()
	// A dir whose path never came back is removed by the name chosen
	// for it (random letters and digits, in double quotes: no glob, no
	// word splitting).
	cmd := "rm -rf \"" + h.tempDirExpr() + "\""
	if h.dir != "" {
		cmd = "rm -rf " + Quote(h.dir)
	}
	if h.started && !alive {
		// The connection was cut while golive ran: it would run on to its
		// own --timeout. (sshd refuses ssh signal requests for root
		// logins, so the recorded PID is signalled instead.)
		kill := "kill -TERM \"$(cat " + Quote(h.dir+"/"+pidFile) + ")\" 2>/dev/null"
		if h.opts.Sudo {
			kill = "sudo -n " + kill
		}
		cmd = kill + "; " + cmd
	}
	_, _ = h.session(ctx, cmd, nil, io.Discard, io.Discard)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// stepError is a failure of a kind.
type stepError struct {
	kind Kind
	msg  string
}

func (e *stepError) Error() string { return e.msg }

func remoteErr(format string, args ...any) error {
	return &stepError{KindRemote, fmt.Sprintf(format, args...)}
}

func failed(res HostResult, err error) HostResult {
	var se *stepError
	if errors.As(err, &se) {
		res.Kind, res.Err = se.kind, se.msg
	} else {
		res.Kind, res.Err = KindRemote, err.Error()
	}
	res.Report = nil
	return res
}
