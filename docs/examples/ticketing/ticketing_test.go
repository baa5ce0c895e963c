// Package ticketing_test runs the ticketing example of docs/ticketing.md
// against real reports: a worked example that is not tested rots.
package ticketing_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/cli"
	"github.com/golive-sh/golive/internal/depcheck/deptest"
	"github.com/golive-sh/golive/internal/testenv"
)

const root = "../../../testdata/roots/centos-7"

type action struct {
	Action, Fingerprint, ID, Host, Title, Body string
}

// check writes a centos-7 report as of day, with extra flags.
func check(t *testing.T, dir, name string, day time.Time, args ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	var out, errb bytes.Buffer
	args = append([]string{"check", "--root", root, "--offline", "--format", "json", "--output", path}, args...)
	code := cli.Execute(args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb,
		Getenv: func(string) string { return "" }, Now: func() time.Time { return day }})
	if code > 1 {
		t.Fatalf("golive %v: exit %d: %s", args, code, errb.String())
	}
	return path
}

func sync(t *testing.T, report, state string, env ...string) []action {
	t.Helper()
	testenv.NeedCommand(t, "jq", "jq")
	cmd := exec.Command("./sync-tickets.sh", report, state)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sync-tickets.sh: %v: %s", err, stderr.String())
	}
	var actions []action
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var a action
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("action line: %v\n%s", err, out)
		}
		actions = append(actions, a)
	}
	return actions
}

func summary(actions []action) []string {
	var out []string
	for _, a := range actions {
		out = append(out, a.Action+" "+a.ID)
	}
	sort.Strings(out)
	return out
}

func TestTicketLifecycle(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	day := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

	// Day 1: one ticket per failure.
	first := sync(t, check(t, dir, "1.json", day), state)
	if got := summary(first); strings.Join(got, ",") != "create cabundle/expiry,create os/eol,create sysctl/fs.file-max" {
		t.Fatalf("day 1: %v", got)
	}
	for _, a := range first {
		if !strings.HasPrefix(a.Fingerprint, "sha256:") || a.Host != "c7-app01" || !strings.Contains(a.Body, "Expected: ") || !strings.Contains(a.Title, a.ID) {
			t.Errorf("create action %+v", a)
		}
	}

	// The same report again: nothing to do.
	if again := sync(t, check(t, dir, "1b.json", day), state); len(again) != 0 {
		t.Errorf("a repeated report acted: %v", summary(again))
	}

	// A run with --only closes nothing it did not check.
	if partial := sync(t, check(t, dir, "only.json", day, "--only", "os"), state); len(partial) != 0 {
		t.Errorf("a partial run acted: %v", summary(partial))
	}

	// Day 2: fs.file-max fixed, the CA bundle waived, os/eol's observed
	// value moved (days since end of life).
	cfg := filepath.Join(dir, "golive.yaml")
	if err := os.WriteFile(cfg, []byte(`extends: auto
sysctl:
  fs.file-max: ">= 1"
waivers:
  - {check: cabundle/expiry, reason: replaced by the image pipeline, ticket: OPS-7, expires: 2027-01-31}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	second := sync(t, check(t, dir, "2.json", day.AddDate(0, 0, 1), "--config", cfg), state)
	if got := summary(second); strings.Join(got, ",") != "close cabundle/expiry,close sysctl/fs.file-max,comment os/eol" {
		t.Fatalf("day 2: %v", got)
	}
	for _, a := range second {
		if a.ID == "cabundle/expiry" && !strings.Contains(a.Body, "OPS-7") {
			t.Errorf("the waiver close does not name the waiver: %q", a.Body)
		}
	}

	// Warnings become tickets when asked.
	warn := sync(t, check(t, dir, "3.json", day.AddDate(0, 0, 1), "--config", cfg), state, "GOLIVE_TICKET_ON_WARN=1")
	if len(warn) == 0 {
		t.Fatal("GOLIVE_TICKET_ON_WARN=1 opened nothing")
	}
	for _, a := range warn {
		if a.Action != "create" {
			t.Errorf("warn run: %s %s", a.Action, a.ID)
		}
	}
}

// An interrupted check (the run's --timeout cut it short) is no finding:
// it opens no ticket, and a ticket already open for it is neither
// commented nor closed. The reports come from real runs against a silent
// TLS peer on loopback.
func TestInterruptedChecksAreIgnored(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	day := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	cfg := filepath.Join(dir, "golive.yaml")
	if err := os.WriteFile(cfg, []byte("extends: auto\ntls:\n  endpoints: ["+deptest.SilentListener(t)+"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	only := []string{"--config", cfg, "--only", "tls/*", "--offline=false"}

	// Interrupted on a fresh state: nothing to do.
	cut := runCode(t, dir, "cut.json", day, 3, append(only, "--check-timeout", "5s", "--timeout", "300ms")...)
	if got := sync(t, cut, state); len(got) != 0 {
		t.Fatalf("an interrupted run acted: %v", summary(got))
	}

	// The peer's own timeout (--check-timeout) is a finding: a ticket.
	timedOut := runCode(t, dir, "timeout.json", day, 1, append(only, "--check-timeout", "300ms")...)
	if got := summary(sync(t, timedOut, state)); len(got) != 1 || !strings.HasPrefix(got[0], "create tls/endpoint:") {
		t.Fatalf("peer timeout: %v", got)
	}

	// Interrupted again while that ticket is open: no comment, no close.
	cut2 := runCode(t, dir, "cut2.json", day, 3, append(only, "--check-timeout", "5s", "--timeout", "300ms")...)
	if got := sync(t, cut2, state); len(got) != 0 {
		t.Fatalf("an interrupted run touched the open ticket: %v", summary(got))
	}
	b, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "tls/endpoint:") {
		t.Errorf("the open ticket left the state: %s", b)
	}
}

// runCode is check with an expected exit code.
func runCode(t *testing.T, dir, name string, day time.Time, want int, args ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	var out, errb bytes.Buffer
	args = append([]string{"check", "--root", root, "--format", "json", "--output", path}, args...)
	code := cli.Execute(args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb,
		Getenv: func(string) string { return "" }, Now: func() time.Time { return day }})
	if code != want {
		t.Fatalf("golive %v: exit %d, want %d: %s", args, code, want, errb.String())
	}
	return path
}
