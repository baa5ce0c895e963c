package fleet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/internal/sshclient"
)

// Bounds on what a remote host sends back.
const (
	DefaultMaxReport = report.MaxReportSize // a fetched or read report: what golive writes, golive reads
	maxStderr        = 64 << 10
)

// cleanupReserve is the part of the per-host timeout kept for removing the
// temp dir, so cleanup runs even when the work before it used up its time.
func cleanupReserve(hostTimeout time.Duration) time.Duration {
	return min(10*time.Second, hostTimeout/4)
}

// pidFile, in the temp dir, holds the PID of the running golive check.
const pidFile = "golive.pid"

var archPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`) })

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
	t    Target
	opts *Options
	conn *sshclient.Conn
	// dir is the private temp dir, once its name is chosen: cleanup
	// removes it even if the connection was cut before mkdir answered.
	dir     *sshclient.TempDir
	verdict string // the fetched report's
	// started is set once golive check was started: cleanup then stops
	// it in case it still runs.
	started bool
	// sent counts the bytes written to the host, cleanup included.
	sent atomic.Int64
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
	defer func() { res.BytesSent = h.sent.Load() }()
	conn, err := dial(work, t, opts, &h.sent)
	if err != nil {
		return failed(res, err)
	}
	h.conn = conn
	// Cancelling the work closes the connection: every blocked session
	// returns at once. Cleanup then dials again.
	stop := context.AfterFunc(work, func() { conn.Close() })
	defer func() {
		alive := stop()
		if h.dir != nil {
			h.cleanup(ctx, deadline, alive)
		}
		h.conn.Close()
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
	out, err := h.conn.Output(ctx, "uname -m")
	if err != nil {
		return res, remoteErr("uname -m: %s", describe(err))
	}
	if !archPattern().MatchString(out) {
		return res, remoteErr("uname -m printed %q", clip(out))
	}
	res.Arch = out
	bin, ok := h.opts.Binaries[GOARCH(out)]
	if !ok {
		return res, remoteErr("host is %s and there is no golive binary for it: pass --binary-for %s=PATH", out, GOARCH(out))
	}
	h.dir = sshclient.NewTempDir("golive")
	if err := h.conn.MakeTempDir(ctx, h.dir); err != nil {
		var te *sshclient.TempDirError
		if errors.As(err, &te) {
			return res, remoteErr("mkdir printed %q, not a $TMPDIR/golive.XXXXXXXX directory", clip(te.Printed))
		}
		return res, remoteErr("mkdir: %s", describe(err))
	}
	if b := h.opts.Bundle; b != nil {
		for _, f := range b.Files {
			if err := h.upload(ctx, strings.NewReader(string(f.Data)), h.dir.Path+"/"+f.Remote, 0o600); err != nil {
				return res, err
			}
		}
	}
	var report []byte
	if h.opts.NoCache {
		report, err = h.runUncached(ctx, bin, &res)
	} else {
		report, err = h.runCached(ctx, bin, &res)
	}
	if err != nil {
		return res, err
	}
	res.Kind, res.Report, res.Verdict = KindOK, report, h.verdict
	return res, nil
}

// runUncached copies the binary into the temp dir as it is and runs it
// there: --no-cache, what fleet check did before the cache.
func (h *hostRun) runUncached(ctx context.Context, bin string, res *HostResult) ([]byte, error) {
	res.Cache = CacheOff
	if err := h.uploadFile(ctx, bin, h.dir.Path+"/golive"); err != nil {
		return nil, err
	}
	report, stderr, _, err := h.check(ctx, nil, "./golive")
	res.Stderr = stderr
	return report, err
}

// runCached runs the host's cached copy of the binary when its hash
// matches; else it sends the binary compressed into the cache and runs
// that, or, when the cache cannot be used, into the temp dir.
func (h *hostRun) runCached(ctx context.Context, path string, res *HostResult) ([]byte, error) {
	bin, err := loadBinary(path)
	if err != nil {
		return nil, &stepError{KindRemote, fmt.Sprintf("read %s: %v", path, err)}
	}
	res.Cache = CacheHit
	report, stderr, miss, err := h.check(ctx, bin.cachedExec, `"$f"`)
	res.Stderr = stderr
	if !miss {
		return report, err
	}
	gz, err := bin.compressed()
	if err != nil {
		return nil, &stepError{KindRemote, fmt.Sprintf("compress %s: %v", path, err)}
	}
	out, err := h.conn.Run(ctx, bin.storeCommand(), bytes.NewReader(gz), 0, maxStderr)
	switch {
	case err != nil:
		return nil, remoteErr("send golive to the host's cache: %v", err)
	case out.Exit == 0:
		res.Cache = CacheStored
		report, stderr, miss, err = h.check(ctx, bin.cachedExec, `"$f"`)
		res.Stderr = stderr
		if miss {
			return nil, remoteErr("the binary stored in the host's cache (%s/golive-%s) does not verify", cacheDir, bin.sum)
		}
		return report, err
	case out.Exit != exitCacheUnusable:
		return nil, remoteErr("send golive to the host's cache: exit %d: %s", out.Exit, clip(string(out.Stderr)))
	}
	// No usable cache (not writable, no sha256sum): the temp dir, as
	// --no-cache does, but compressed.
	res.Cache = CacheTemp
	exe := sshclient.Quote(h.dir.Path + "/golive")
	line := "umask 077 && gzip -dc > " + exe + " && chmod 0700 " + exe +
		` && if command -v sha256sum >/dev/null 2>&1; then s=$(sha256sum < ` + exe + `) && [ "${s%% *}" = ` + bin.sum + ` ]; fi`
	out, err = h.conn.Run(ctx, line, bytes.NewReader(gz), 0, maxStderr)
	if err == nil && out.Exit != 0 {
		err = &sshclient.ExitError{Status: out.Exit, Stderr: out.Stderr}
	}
	if err != nil {
		return nil, remoteErr("upload %s/golive: %s", h.dir.Path, describe(err))
	}
	report, stderr, _, err = h.check(ctx, nil, "./golive")
	res.Stderr = stderr
	return report, err
}

func (h *hostRun) uploadFile(ctx context.Context, local, remote string) error {
	f, err := os.Open(local)
	if err != nil {
		return &stepError{KindRemote, fmt.Sprintf("open %s: %v", local, err)}
	}
	defer f.Close()
	return h.upload(ctx, f, remote, 0o700)
}

func (h *hostRun) upload(ctx context.Context, r io.Reader, remote string, mode fs.FileMode) error {
	if err := h.conn.Upload(ctx, r, remote, mode); err != nil {
		return remoteErr("upload %s: %s", remote, describe(err))
	}
	return nil
}

// check runs golive in the temp dir (so no golive.yaml of the login
// user's home is picked up) and returns the report from stdout. exe is
// the binary as a shell word; wrap, when set, puts the exec inside a
// guard (the cache's hash check) that exits exitCacheMiss instead: miss
// is then true and nothing ran. The remote gets --fail-on none: its exit
// code then means 0 complete, 3 aborted, 2 invalid, anything else "did
// not run" (sudo's 1 included); readiness is judged here, from the report.
// The environment frame (secrets) goes on the session's stdin.
func (h *hostRun) check(ctx context.Context, wrap func(string) string, exe string) (report []byte, stderr string, miss bool, err error) {
	argv := []string{"check", "--format", "json", "--fail-on", "none"}
	var stdin io.Reader
	if len(h.opts.EnvFrame) > 0 {
		argv = append(argv, "--env-stdin")
		stdin = bytes.NewReader(h.opts.EnvFrame)
	}
	argv = append(argv, h.opts.CheckArgs...)
	// exec keeps the recorded PID that of golive (or sudo), which cleanup
	// signals if the host times out while it runs.
	run := "exec "
	if h.opts.Sudo {
		run += "sudo -n "
	}
	run += exe + " " + sshclient.Command(argv...)
	if wrap != nil {
		run = wrap(run)
	}
	cmd := "cd " + sshclient.Quote(h.dir.Path) + " && echo $$ > " + pidFile + " || exit 1; " + run
	h.started = true
	maxReport := h.opts.MaxReport
	if maxReport <= 0 {
		maxReport = DefaultMaxReport
	}
	out, err := h.conn.Run(ctx, cmd, stdin, int(maxReport), maxStderr)
	errText := clip(string(out.Stderr))
	if err != nil {
		return nil, errText, false, remoteErr("golive check: %v", err)
	}
	code := out.Exit
	switch {
	case wrap != nil && code == exitCacheMiss && len(out.Stdout) == 0:
		return nil, errText, true, nil
	case out.StdoutCut:
		return nil, errText, false, remoteErr("report larger than %d bytes: not fetched", maxReport)
	case code == 2:
		return nil, errText, false, remoteErr("golive check refused the invocation (exit 2): %s", errText)
	case h.opts.Sudo && code == 1 && len(out.Stdout) == 0:
		return nil, errText, false, remoteErr("sudo -n failed (no passwordless sudo rule for this user and command?): %s", errText)
	case code == 126 || code == 127:
		return nil, errText, false, remoteErr("golive could not be started (exit %d; is /tmp mounted noexec?): %s", code, errText)
	case code != 0 && code != 3:
		return nil, errText, false, remoteErr("golive check exited %d: %s", code, errText)
	}
	rep, err := DecodeReport(out.Stdout)
	if err != nil {
		return nil, errText, false, remoteErr("report from the host: %v", err)
	}
	h.verdict = rep.Verdict
	return out.Stdout, errText, false, nil
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
		c, err := dial(ctx, h.t, h.opts, &h.sent)
		if err != nil {
			return
		}
		h.conn.Close()
		h.conn = c
	}
	stop := context.AfterFunc(ctx, func() { h.conn.Close() })
	defer stop()
	if !h.started || alive {
		_ = h.conn.RemoveTempDir(ctx, h.dir)
		return
	}
	// The connection was cut while golive ran: it would run on to its own
	// --timeout. (sshd refuses ssh signal requests for root logins, so the
	// recorded PID is signalled instead, in the same command as rm -rf: a
	// host that just timed out may be slow to open a session.)
	kill := "kill -TERM \"$(cat " + sshclient.Quote(h.dir.Path+"/"+pidFile) + ")\" 2>/dev/null"
	if h.opts.Sudo {
		kill = "sudo -n " + kill
	}
	_, _ = h.conn.Run(ctx, kill+"; "+h.dir.RemoveCommand(), nil, 0, 0)
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

// describe is a command's error as a message: an exit status shows the
// command's stderr, made one short printable line.
func describe(err error) string {
	var ee *sshclient.ExitError
	if errors.As(err, &ee) {
		return fmt.Sprintf("exit %d: %s", ee.Status, clip(string(ee.Stderr)))
	}
	return err.Error()
}

// dial connects to t through its route, with the command line's user,
// keys and known_hosts for the hops ssh_config says nothing about.
func dial(ctx context.Context, t Target, opts *Options, sent *atomic.Int64) (*sshclient.Conn, error) {
	return sshclient.Dial(ctx, t.route(), &sshclient.Options{
		User: opts.User, Auth: opts.Auth, HostKeys: opts.HostKeys, Timeout: opts.HostTimeout, Sent: sent,
	})
}

// kinds are the fan-out's kinds of the transport's failures.
var kinds = map[sshclient.Reason]Kind{
	sshclient.Unreachable:    KindUnreachable,
	sshclient.AuthFailed:     KindAuth,
	sshclient.HostKeyRefused: KindHostKey,
	sshclient.TimedOut:       KindTimeout,
}

func failed(res HostResult, err error) HostResult {
	var se *stepError
	var de *sshclient.DialError
	switch {
	case errors.As(err, &se):
		res.Kind, res.Err = se.kind, se.msg
	case errors.As(err, &de) && kinds[de.Reason] != "":
		res.Kind, res.Err = kinds[de.Reason], err.Error()
	default:
		res.Kind, res.Err = KindRemote, err.Error()
	}
	res.Report = nil
	return res
}
