package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/golive-sh/golive/internal/testenv"
)

// terminal is an interactive shell on a pseudo-terminal, as a user has it:
// the completion scripts only run their TAB bindings in one.
type terminal struct {
	t    *testing.T
	pty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func startShell(t *testing.T, home string, argv ...string) *terminal {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = home
	cmd.Env = []string{"HOME=" + home, "ZDOTDIR=" + home, "TERM=dumb", "LANG=C",
		"PATH=" + filepath.Dir(golive) + ":/usr/bin:/bin", "GOLIVE_OFFLINE=true"}
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 60, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, pty: f, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
		<-term.done
	})
	return term
}

// waitFor waits until the screen output since mark contains every want.
func (term *terminal) waitFor(mark int, want ...string) int {
	term.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		term.mu.Lock()
		seen := term.out.String()[mark:]
		term.mu.Unlock()
		missing := ""
		for _, w := range want {
			if !strings.Contains(seen, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return mark + len(seen)
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("%q did not appear on the terminal; it shows:\n%s", missing, seen)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (term *terminal) send(s string) {
	term.t.Helper()
	if _, err := term.pty.Write([]byte(s)); err != nil {
		term.t.Fatal(err)
	}
}

// TestShellCompletionThroughATerminal sources `golive completion bash`
// and `golive completion zsh` in interactive shells with a HOME of their
// own, types `golive check --only sys<TAB><TAB>` and reads the candidates
// off the terminal; then the same for check IDs with a colon (bash splits
// words at colons), an explain ID completed and run, and --profile.
//
// bash's first TAB inserts what all candidates share ("sys" -> "sysctl");
// readline lists them on the next two, as it does for file names: so bash
// is typed sys<TAB><TAB><TAB>, zsh (which lists at once) sys<TAB><TAB>.
func TestShellCompletionThroughATerminal(t *testing.T) {
	root, err := filepath.Abs("../../testdata/roots/rocky-9")
	if err != nil {
		t.Fatal(err)
	}
	for _, shell := range []struct {
		name, rcFile, rc string
		argv             []string
		sysTabs          string
	}{
		{"bash", ".bashrc", `. /usr/share/bash-completion/bash_completion
. <(golive completion bash)
PS1='READY> '
`, []string{"bash", "--noprofile", "--rcfile", ".bashrc", "-i"}, "\t\t\t"},
		{"zsh", ".zshrc", `autoload -U compinit && compinit -u
. <(golive completion zsh)
PROMPT='READY> '
`, []string{"zsh", "-i"}, "\t\t"},
	} {
		t.Run(shell.name, func(t *testing.T) {
			testenv.NeedCommand(t, shell.name, shell.name)
			if shell.name == "bash" {
				if _, err := os.Stat("/usr/share/bash-completion/bash_completion"); err != nil {
					testenv.Missing(t, "bash-completion not installed: install the Debian package bash-completion (make test does it as root)")
				}
			}
			home := t.TempDir()
			write(t, home, shell.rcFile, shell.rc)
			term := startShell(t, home, shell.argv...)
			m := term.waitFor(0, "READY> ")

			term.send("golive check --root " + root + " --only sys" + shell.sysTabs)
			m = term.waitFor(m, "sysctl/net.core.somaxconn", "sysctl/fs.nr_open", "sysctl/net.ipv4.tcp_tw_reuse")
			// ^U empties the line (emacs keys, both shells' default); the
			// shells read what follows in order, so there is nothing to
			// wait for (a prompt would not do: zsh redraws it under a list).
			term.send("\x15")

			term.send("golive check --root " + root + " --skip dns/nameserver:10.0.0.\t\t")
			m = term.waitFor(m, "10.0.0.2", "10.0.0.3")
			term.send("\x15")

			// A single candidate is inserted on the line, which then runs.
			term.send("golive explain --root " + root + " os/eo\t")
			term.send("\r")
			m = term.waitFor(m, "os/eol — distro release is supported")

			term.send("golive list --profile ubuntu-2\t\t")
			term.waitFor(m, "ubuntu-20.04", "ubuntu-22.04", "ubuntu-24.04")
			term.send("\x15exit\r")
		})
	}
}
