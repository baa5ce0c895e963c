package ptytest

import (
	"bytes"
	"errors"
	"io"
	"os/exec"

	"golang.org/x/sys/unix"
)

// RunStderr runs cmd with its standard error on a cols-wide terminal (what
// a person sees of progress lines) and returns what it wrote there, raw:
// carriage returns and escape sequences as the terminal got them (the
// terminal's own \n -> \r\n included). Standard output stays as cmd has it.
func RunStderr(cmd *exec.Cmd, cols int) (string, error) {
	master, tty, err := Open(cols, 50)
	if err != nil {
		return "", err
	}
	defer master.Close()
	cmd.Stderr = tty
	if err := cmd.Start(); err != nil {
		tty.Close()
		return "", err
	}
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
	return out.String(), waitErr
}
