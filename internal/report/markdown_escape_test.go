package report

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestShellLineRoundTrips runs each quoted command line through bash and
// compares the arguments it gets with the originals: what a reader copies
// from a ticket runs as the argv the check meant.
func TestShellLineRoundTrips(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("bash not found")
		}
		t.Skip("bash not found")
	}
	argvs := [][]string{
		{"sysctl", "-w", "net.core.somaxconn=65535"},
		{"restorecon", "-Rv", "/opt/my app/bin"},
		{"echo", "it's", `"double"`, `back\slash`, "$HOME", "`id`", "a;b", "*", ""},
		{"printf", "tab\there", "new\nline", "esc\x1b[31m", "bad\xffbyte", "bidi\u202eoverride", "ünïcode"},
	}
	for _, argv := range argvs {
		line := shellLine(argv...)
		if strings.ContainsAny(line, "\n\x1b") {
			t.Errorf("command line %q holds a raw line break or escape", line)
		}
		// printf prints each argument after the command name, NUL-ended.
		out, err := exec.Command(bash, "-c", "printf '%s\\0' "+shellLine(argv[1:]...)).Output()
		if err != nil {
			t.Fatalf("bash -c %q: %v", line, err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		if strings.Join(got, "\x00") != strings.Join(argv[1:], "\x00") {
			t.Errorf("%q came back from bash as %q", argv[1:], got)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"heading marker", mdText("# not a heading"), `\# not a heading`},
		{"list marker", mdText("- not a list"), `\- not a list`},
		{"ordered list", mdText("12. not a list"), `12\. not a list`},
		{"html and entities", mdText("<b>&amp;</b>"), `\<b\>\&amp;\</b\>`},
		{"line breaks", mdText("a\nb\r\nc"), "a⏎b⏎c"},
		{"code span", mdCode("x"), "`x`"},
		{"code span with backticks", mdCode("a``b"), "```a``b```"},
		{"code span starting with a backtick", mdCode("`a"), "`` `a ``"},
		{"empty code span", mdCode("  "), "—"},
		{"pipe in a cell", mdCell("a|b"), "`a\\|b`"},
		{"escaped pipe in a cell", mdCell(`a\|b`), `<code>a\\\|b</code>`},
		{"fence longer than content's", mdFence("x\n````\ny"), "`````"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
