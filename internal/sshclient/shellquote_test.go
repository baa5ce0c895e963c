package sshclient

import (
	"os/exec"
	"strings"
	"testing"
)

// hostile are arguments that break naive quoting.
var hostile = []string{
	"", "plain", "two words", "it's", "'", "''", `"double"`, `back\slash`, "$(touch /tmp/pwned)", "`id`",
	"a;b", "a&&b", "a|b", "*", "~", "-rf", "new\nline", "tab\there", "$HOME", "!!", "ünïcödé", "\\'\\''",
}

// TestQuoteRoundTripsThroughARealShell runs sh with every hostile value
// quoted and checks each arrives as exactly one unchanged argument.
func TestQuoteRoundTripsThroughARealShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	// The line a remote shell would get: printf repeats its format for
	// every argument, so each arrives NUL-terminated.
	out, err := exec.Command(sh, "-c", "printf '%s\\0' "+Command(hostile...)).Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(got) != len(hostile) {
		t.Fatalf("%d arguments arrived, want %d: %q", len(got), len(hostile), got)
	}
	for i := range hostile {
		if got[i] != hostile[i] {
			t.Errorf("argument %d: %q arrived as %q", i, hostile[i], got[i])
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{"": "''", "a b": "'a b'", "it's": `'it'\''s'`} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}
