package remediate

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// TestCommandLineRoundTrips runs each quoted command line through bash and
// compares the arguments it gets with the originals: what a reader copies
// from a ticket runs as the argv the check meant.
func TestCommandLineRoundTrips(t *testing.T) {
	bash := testenv.NeedCommand(t, "bash", "bash")
	argvs := [][]string{
		{"sysctl", "-w", "net.core.somaxconn=65535"},
		{"restorecon", "-Rv", "/opt/my app/bin"},
		{"echo", "it's", `"double"`, `back\slash`, "$HOME", "`id`", "a;b", "*", ""},
		{"printf", "tab\there", "new\nline", "esc\x1b[31m", "bad\xffbyte", "bidi\u202eoverride", "ünïcode"},
	}
	for _, argv := range argvs {
		line := CommandLine(argv...)
		if strings.ContainsAny(line, "\n\x1b") {
			t.Errorf("command line %q holds a raw line break or escape", line)
		}
		// printf prints each argument after the command name, NUL-ended.
		out, err := exec.Command(bash, "-c", "printf '%s\\0' "+CommandLine(argv[1:]...)).Output()
		if err != nil {
			t.Fatalf("bash -c %q: %v", line, err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		if strings.Join(got, "\x00") != strings.Join(argv[1:], "\x00") {
			t.Errorf("%q came back from bash as %q", argv[1:], got)
		}
	}
}
