package remediate

import (
	"os/exec"
	"strings"
	"testing"
	"unicode"
)

// hostile are values a report or a profile could carry: everything a shell,
// awk, YAML or Jinja2 could give a meaning to.
var hostile = []string{
	"",
	"plain",
	"two words",
	"  leading and trailing  ",
	"tab\tseparated",
	`it's`,
	`'`,
	`''`,
	`"double"`,
	`$(touch PWNED)`,
	"`touch PWNED`",
	`${HOME} $HOME $0 $@ $$`,
	`back\slash \\ \n \t \' \"`,
	`\`,
	`%s %d %n`,
	`* ? [a-z] ~ !`,
	`; rm -rf / #`,
	`& | > < >> 2>&1`,
	"{{ lookup('pipe', 'touch PWNED') }}",
	"{% raw %}",
	"new\nline",
	"trailing newline\n",
	"\r\n",
	"ünïcödé \u2028 \u2029 \u0085",
	"\x1b[31mred\x1b[0m",
}

func TestShellQuoteRoundTrips(t *testing.T) {
	// One bash run prints every quoted value NUL-terminated; each must come
	// back byte for byte.
	var script strings.Builder
	for _, v := range hostile {
		script.WriteString("printf '%s\\0' " + shellQuote(v) + "\n")
	}
	out, err := exec.Command("bash", "-c", script.String()).Output()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, script.String())
	}
	got := strings.Split(string(out), "\x00")
	got = got[:len(got)-1]
	if len(got) != len(hostile) {
		t.Fatalf("%d values back, want %d", len(got), len(hostile))
	}
	for i, v := range hostile {
		if got[i] != v {
			t.Errorf("value %q came back as %q", v, got[i])
		}
	}
}

func TestSafeTextStaysOnOneLine(t *testing.T) {
	for _, v := range append(hostile, "\xff\xfe invalid utf-8", "nul\x00byte") {
		s := safeText(v)
		for _, r := range s {
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == unicode.ReplacementChar && !strings.Contains(v, "\xff") {
				t.Errorf("safeText(%q) = %q keeps %U", v, s, r)
			}
		}
	}
	if got := safeText("a\nb\x1bc"); got != `a\nb\x{1B}c` {
		t.Errorf("escapes are not visible: %q", got)
	}
}
