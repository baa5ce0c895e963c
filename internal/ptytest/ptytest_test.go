package ptytest

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestRunGivesTheTerminalItsSize: a program on the terminal reads the size
// Run set (stty asks TIOCGWINSZ of its standard input, here the terminal).
func TestRunGivesTheTerminalItsSize(t *testing.T) {
	if _, err := exec.LookPath("stty"); err != nil {
		t.Fatal("stty (coreutils) is missing")
	}
	for _, cols := range []int{80, 123} {
		out, err := Run(exec.Command("sh", "-c", "stty size <&1; test -t 1 && echo tty"), cols)
		if err != nil {
			t.Fatal(err)
		}
		if want := "50 " + strconv.Itoa(cols) + "\ntty\n"; out != want {
			t.Errorf("cols %d: got %q, want %q", cols, out, want)
		}
		if strings.Contains(out, "\r") {
			t.Errorf("CR left in %q", out)
		}
	}
}
