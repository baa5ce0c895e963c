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
