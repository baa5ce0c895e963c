package cli_test

import (
	"strings"
	"testing"
)

// A mistyped flag or command is a usage error (exit 2) that names what
// was probably meant, at every level of the command tree.
func TestUnknownFlagsAndCommandsSuggestTheNearest(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--profle", "rocky-9"}, "unknown flag: --profle; did you mean --profile"}, // or --probe
		{[]string{"check", "--offlin"}, "did you mean --offline?"},
		{[]string{"remediate", "--formt", "bash"}, "did you mean --format?"},
		{[]string{"fleet", "check", "--paralel", "2"}, "did you mean --parallel?"},
		{[]string{"chek"}, "Did you mean this?\n\tcheck"},
		{[]string{"fleet", "chek"}, `unknown command "chek" for "golive fleet"; did you mean check?`},
		{[]string{"profiles", "shwo", "linux"}, `unknown command "shwo" for "golive profiles"; did you mean show?`},
	} {
		code, _, errb := runInProcess(t, c.args...)
		if code != 2 || !strings.Contains(errb, c.want) {
			t.Errorf("golive %s: exit %d, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, errb, c.want)
		}
	}
	// Nothing near: no guess.
	code, _, errb := runInProcess(t, "check", "--zzzzzz")
	if code != 2 || strings.Contains(errb, "did you mean") {
		t.Errorf("--zzzzzz: exit %d %q", code, errb)
	}
	// The groups still show their help without a subcommand.
	if code, out, _ := runInProcess(t, "fleet"); code != 0 || !strings.Contains(out, "Available Commands") {
		t.Errorf("golive fleet: exit %d %q", code, out)
	}
}

func TestExplainUnknownUnplannedAndGlob(t *testing.T) {
	root := "../../testdata/roots/rocky-9"
	// No family knows it: exit 2, with the nearest ID.
	code, out, errb := runInProcess(t, "explain", "os/eoll", "--root", root)
	if code != 2 || out != "" || !strings.Contains(errb, `unknown check "os/eoll"; did you mean os/eol?`) {
		t.Errorf("explain os/eoll: exit %d %q %q", code, out, errb)
	}
	if code, _, errb = runInProcess(t, "explain", "nosuchfamily/x", "--root", root); code != 2 || strings.Contains(errb, "did you mean") {
		t.Errorf("explain nosuchfamily/x: exit %d %q", code, errb)
	}
	// The sysctl family explains any key, but this host's plan does not
	// have it: it is explained, and the note names the planned key.
	code, out, errb = runInProcess(t, "explain", "sysctl/net.core.somaxcon", "--root", root)
	if code != 0 || !strings.Contains(out, "Not planned here") || !strings.Contains(out, "did you mean sysctl/net.core.somaxconn?") ||
		!strings.Contains(out, "Why it matters:") {
		t.Errorf("explain of an unplanned key: exit %d %s\n%s", code, errb, out)
	}
	// A planned ID has no such note; one skipped by the selection has.
	if _, out, _ = runInProcess(t, "explain", "sysctl/net.core.somaxconn", "--root", root); strings.Contains(out, "Not planned") {
		t.Errorf("a planned check is called unplanned:\n%s", out)
	}
	if _, out, _ = runInProcess(t, "explain", "sysctl/net.core.somaxconn", "--root", root, "--skip", "sysctl"); !strings.Contains(out, "Not planned here") {
		t.Errorf("a check --skip drops is not called unplanned:\n%s", out)
	}
	// A glob lists the matching IDs, planned here or only elsewhere.
	code, out, errb = runInProcess(t, "explain", "sysctl/*", "--root", root)
	if code != 0 || !strings.Contains(out, "sysctl/net.core.somaxconn  ") || !strings.Contains(out, "planned here") ||
		strings.Contains(out, "os/eol") || strings.Contains(out, "Why it matters") {
		t.Errorf("explain 'sysctl/*': exit %d %s\n%s", code, errb, out)
	}
	if !strings.Contains(out, "sysctl/net.ipv4.tcp_tw_reuse") {
		t.Errorf("explain 'sysctl/*' misses tcp_tw_reuse:\n%s", out)
	}
	if code, _, errb = runInProcess(t, "explain", "sysctlz/*", "--root", root); code != 2 || !strings.Contains(errb, "matches no check") {
		t.Errorf("explain 'sysctlz/*': exit %d %q", code, errb)
	}
}
