// Package ptytest runs a command with a pseudo-terminal as its standard
// output, the way a person at a terminal of a given size runs it, so tests
// see what golive decides about a real terminal (its width from
// TIOCGWINSZ, colour) rather than what a buffer stands in for.
//
// It opens /dev/ptmx through golang.org/x/sys/unix, which golive already
// requires, instead of adding creack/pty: the same three ioctls
// (TIOCSPTLCK, TIOCGPTN, TIOCSWINSZ), maintained by the Go team, and no new
// module in go.mod for a test helper. Linux only, like golive.
package ptytest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/sys/unix"
)

// Open returns a pseudo-terminal of cols×rows: the controlling side
// (master) and the terminal a program writes to (tty).
func Open(cols, rows int) (master, tty *os.File, err error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("unlockpt: %w", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("ptsname: %w", err)
	}
	t, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		return nil, nil, err
	}
	ws := &unix.Winsize{Col: uint16(cols), Row: uint16(rows)}
	if err := unix.IoctlSetWinsize(int(t.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		m.Close()
		t.Close()
		return nil, nil, fmt.Errorf("set window size: %w", err)
	}
	return m, t, nil
}

// Run runs cmd with its standard output on a cols-wide terminal and returns
// what it wrote there, with the terminal's CR LF turned back into LF.
// Standard error stays as cmd has it. The error is cmd's (an *exec.ExitError
// for a non-zero exit).
func Run(cmd *exec.Cmd, cols int) (string, error) {
	master, tty, err := Open(cols, 50)
	if err != nil {
		return "", err
	}
	defer master.Close()
	cmd.Stdout = tty
	if err := cmd.Start(); err != nil {
		tty.Close()
		return "", err
	}
	// Only the child holds the terminal now: when it exits, reading the
	// master ends (EIO).
	tty.Close()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(&out, master)
		done <- err
	}()
	waitErr := cmd.Wait()
	if err := <-done; err != nil && !errors.Is(err, unix.EIO) {
		return "", err
	}
	return strings.ReplaceAll(out.String(), "\r\n", "\n"), waitErr
}
