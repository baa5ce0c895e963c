// Package sshclient is golive's ssh transport: it resolves a destination
// through ssh_config (Host aliases, HostName, ProxyJump...), authenticates
// with --identity keys and ssh-agent, verifies every host key against
// known_hosts (never skipped), and gives a connection that runs commands
// with bounded output, uploads files through a command's stdin (no scp or
// sftp needed on the host) and makes and removes a private temp dir.
//
// Text the host sends back is the caller's to make safe before showing:
// errors here carry it in fields (ExitError.Stderr, TempDirError.Printed),
// never in their messages.
package sshclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"golang.org/x/crypto/ssh"
)

// maxSmallOutput bounds what Output keeps and what Upload keeps of stderr.
const maxSmallOutput = 4 << 10

// Conn is an authenticated connection to one host; each command runs on a
// session of its own. Close it when done; closing it from another
// goroutine makes every running command return at once.
type Conn struct {
	client *ssh.Client
}

// Close closes the connection and, through the route, its jump hosts'.
func (c *Conn) Close() error { return c.client.Close() }

// Result is what a command did: its exit status and what it printed,
// each stream cut at its bound.
type Result struct {
	Exit           int
	Stdout, Stderr []byte
	// StdoutCut says the command printed more than was kept.
	StdoutCut bool
}

// ExitError is a command that exited non-zero. Stderr is the host's text,
// clipped to a few KiB but not made printable.
type ExitError struct {
	Status int
	Stderr []byte
}

func (e *ExitError) Error() string { return fmt.Sprintf("exit %d", e.Status) }

// Run runs the shell command line on its own session, feeding it stdin
// (nil for none), and keeps at most maxStdout and maxStderr bytes of its
// output; the rest is read and dropped so the command never blocks on a
// full pipe. A non-zero exit is a Result, not an error; a cancelled ctx
// returns its cause. With an error, the Result holds what was read before
// it.
func (c *Conn) Run(ctx context.Context, line string, stdin io.Reader, maxStdout, maxStderr int) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, context.Cause(ctx)
	}
	s, err := c.client.NewSession()
	if err != nil {
		return Result{}, err
	}
	defer s.Close()
	stdout, stderr := &capped{max: maxStdout}, &capped{max: maxStderr}
	s.Stdin, s.Stdout, s.Stderr = stdin, stdout, stderr
	err = s.Run(line)
	res := Result{Stdout: stdout.buf, Stderr: stderr.buf, StdoutCut: stdout.over}
	var ee *ssh.ExitError
	switch {
	case err == nil:
		return res, nil
	case errors.As(err, &ee):
		res.Exit = ee.ExitStatus()
		return res, nil
	case ctx.Err() != nil:
		return res, context.Cause(ctx)
	}
	return res, err
}

// Output runs a command that prints one short line and returns that line,
// trimmed; a non-zero exit is an *ExitError.
func (c *Conn) Output(ctx context.Context, line string) (string, error) {
	res, err := c.Run(ctx, line, nil, maxSmallOutput, maxSmallOutput)
	if err != nil {
		return "", err
	}
	if res.Exit != 0 {
		return "", &ExitError{Status: res.Exit, Stderr: res.Stderr}
	}
	return strings.TrimSpace(string(res.Stdout)), nil
}

// Upload streams r into the file path through a session's stdin, making
// its directory if need be, and gives it mode. The umask keeps the file
// private while it is written. A non-zero exit is an *ExitError.
func (c *Conn) Upload(ctx context.Context, r io.Reader, path string, mode fs.FileMode) error {
	dir := path[:strings.LastIndexByte(path, '/')]
	line := "umask 077 && mkdir -p " + Quote(dir) + " && cat > " + Quote(path) + " && chmod " + fmt.Sprintf("%04o", mode.Perm()) + " " + Quote(path)
	res, err := c.Run(ctx, line, r, 0, maxSmallOutput)
	if err != nil {
		return err
	}
	if res.Exit != 0 {
		return &ExitError{Status: res.Exit, Stderr: res.Stderr}
	}
	return nil
}

// capped keeps the first max bytes written and counts the rest, so a
// chatty or hostile remote cannot grow memory without bound. It never
// fails a write: a failing writer would stop draining the ssh channel and
// leave the remote process blocked until the host timeout.
type capped struct {
	buf  []byte
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	room := c.max - len(c.buf)
	if len(p) > room {
		c.over = true
		p2 := p[:max(room, 0)]
		c.buf = append(c.buf, p2...)
		return len(p), nil
	}
	c.buf = append(c.buf, p...)
	return len(p), nil
}
