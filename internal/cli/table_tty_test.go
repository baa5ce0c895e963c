package cli_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/ptytest"
	"github.com/golive-sh/golive/internal/report/reporttest"
	"github.com/golive-sh/golive/internal/textfmt"
)

// ttyProfile adds to rocky-9 a rule with a long why and an expired waiver:
// the date of the expiry is at the end of the check's message, the part a
// table that cuts messages loses first.
const ttyProfile = `sysctl:
  net.ipv4.tcp_max_syn_backlog:
    expect: ">= 65535"
    why: "the SYN queue holds connections the service has not accepted yet; under a burst of new clients a short queue drops their SYNs and each client waits a second or more before it retries, which a latency budget of a few hundred milliseconds cannot absorb"
waivers:
  - check: sysctl/net.ipv4.tcp_max_syn_backlog
    reason: tuned set the SYN backlog on this fleet until the migration to sysctl.d
    ticket: OPS-4242
    expires: 2025-01-31
`

// TestTableFitsARealTerminal runs the built golive with its standard output
// on a pseudo-terminal 80, 120 and 200 columns wide: no line is wider than
// the terminal, and every check's ID, expected and observed values and
// every non-pass's whole message (and a finding's why) are in the table,
// wrapped, compared with the JSON report of the same run.
func TestTableFitsARealTerminal(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "golive.yaml")
	if err := os.WriteFile(config, []byte(ttyProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(repoRoot(t), "testdata", "roots", "rocky-9")
	for _, cols := range []int{80, 120, 200} {
		jsonPath := filepath.Join(dir, "report.json")
		out := ttyRun(t, cols, []string{"NO_COLOR=1"}, "check", "--root", root, "--offline", "-c", config, "--report", "json="+jsonPath)
		for _, l := range strings.Split(out, "\n") {
			if w := textfmt.Width(l); w > cols {
				t.Errorf("%d columns: line is %d wide: %q", cols, w, l)
			}
		}
		checks := jsonChecks(t, jsonPath)
		rows := reporttest.ParseTable(out)
		if len(rows) != len(checks) {
			t.Fatalf("%d columns: %d rows in the table, %d checks in the report:\n%s", cols, len(rows), len(checks), out)
		}
		sq := func(s string) string { return reporttest.Squeeze(textfmt.OneLine(s)) }
		sawExpiry := false
		for i, c := range checks {
			r := rows[i]
			for j, want := range []string{c.ID, c.Expected, c.Observed} {
				if sq(r.Cells[j]) != sq(want) {
					t.Errorf("%d columns: %s: column %d reads %q, want %q", cols, c.ID, j+1, r.Cells[j], want)
				}
			}
			if c.Status == "pass" {
				continue
			}
			if !strings.Contains(sq(r.Detail), sq(c.Message)) {
				t.Errorf("%d columns: %s: the message is not whole:\ntable: %q\nreport: %q", cols, c.ID, r.Detail, c.Message)
			}
			if c.Why != "" && (c.Status == "fail" || c.Status == "warn" || c.Status == "error") && !strings.Contains(sq(r.Detail), sq("why: "+c.Why)) {
				t.Errorf("%d columns: %s: the why is missing:\ntable: %q\nreport: %q", cols, c.ID, r.Detail, c.Why)
			}
			sawExpiry = sawExpiry || strings.Contains(c.Message, "expired on 2025-01-31")
		}
		if !sawExpiry {
			t.Errorf("%d columns: no check says the waiver expired on 2025-01-31", cols)
		}
	}
}

// TestTableWideAndColourOnATerminal: colour codes take no columns, and
// --wide keeps each check on one line however narrow the terminal.
func TestTableWideAndColourOnATerminal(t *testing.T) {
	root := filepath.Join(repoRoot(t), "testdata", "roots", "rocky-9")
	out := ttyRun(t, 80, nil, "check", "--root", root, "--offline")
	if !strings.Contains(out, "\x1b[") {
		t.Fatalf("no colour on a terminal:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if w := textfmt.Width(l); w > 80 {
			t.Errorf("coloured line is %d wide: %q", w, l)
		}
	}
	wide := ttyRun(t, 80, []string{"NO_COLOR=1"}, "check", "--root", root, "--offline", "--wide")
	longest := 0
	for _, l := range strings.Split(wide, "\n") {
		longest = max(longest, textfmt.Width(l))
	}
	if longest <= 80 {
		t.Errorf("--wide: no line is wider than the 80-column terminal (longest %d)", longest)
	}
	for _, r := range reporttest.ParseTable(wide) {
		if strings.Contains(r.Cells[0], " ") || strings.Contains(r.Cells[1], "  ") {
			t.Errorf("--wide wrapped a row: %+v", r)
		}
	}
}

// ttyRun runs the built golive with standard output on a cols-wide
// pseudo-terminal and returns what it printed there.
func ttyRun(t *testing.T, cols int, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(golive, args...)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GOLIVE_") && !strings.HasPrefix(e, "NO_COLOR=") && !strings.HasPrefix(e, "COLUMNS=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := ptytest.Run(cmd, cols)
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("golive %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

type ttyCheck struct {
	ID, Status, Expected, Observed, Message, Why string
}

func jsonChecks(t *testing.T, path string) []ttyCheck {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct{ Checks []ttyCheck }
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return rep.Checks
}
