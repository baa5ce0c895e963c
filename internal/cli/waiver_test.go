package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// centos7Waivers waives two of centos-7's three failures; the third waiver
// expired the day before the pinned clock, and the fourth has a typo.
const centos7Waivers = `extends: auto
waivers:
  - check: os/eol
    reason: migration to Rocky 9 is booked for Q1
    ticket: OPS-101
    expires: 2027-03-31
  - check: "cabundle/*"
    reason: the bundle is replaced by the image pipeline
    ticket: OPS-102
    expires: 2026-11-21
  - check: sysctl/fs.file-max
    reason: applied at the next reboot window
    ticket: OPS-103
    expires: 2026-11-20
  - check: sysctl/vm.swapiness
    reason: tuned manages swappiness
    ticket: OPS-104
    expires: 2027-01-31
`

type waivedReport struct {
	Summary struct{ Fail, Warn, Waived int }
	Checks  []struct {
		ID, Status, Message string
		Details             map[string]any
	}
}

func (r waivedReport) check(t *testing.T, id string) (status, message string, details map[string]any) {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			return c.Status, c.Message, c.Details
		}
	}
	t.Fatalf("no check %s in the report", id)
	return "", "", nil
}

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "golive.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWaiversOnCentOS7(t *testing.T) {
	cfg := writeConfig(t, centos7Waivers)
	code, out, stderr := runInProcess(t, "check", "--root", "../../testdata/roots/centos-7", "--config", cfg, "--format", "json")
	decode(t, out) // validates against the schema
	var rep waivedReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// fs.file-max still fails: its waiver expired yesterday.
	if code != 1 {
		t.Fatalf("exit %d, want 1 (an expired waiver no longer applies); stderr %s", code, stderr)
	}
	if st, _, d := rep.check(t, "os/eol"); st != "waived" || d["waiver"].(map[string]any)["ticket"] != "OPS-101" {
		t.Errorf("os/eol: %s %v", st, d)
	}
	// A waiver holds through its expiry day (the pinned clock is 2026-11-21).
	if st, _, _ := rep.check(t, "cabundle/expiry"); st != "waived" {
		t.Errorf("cabundle/expiry: %s, want waived on the waiver's last day", st)
	}
	if st, msg, d := rep.check(t, "sysctl/fs.file-max"); st != "fail" || !strings.Contains(msg, "OPS-103") || !strings.Contains(msg, "expired on 2026-11-20") || d["waiver_expired"] == nil {
		t.Errorf("sysctl/fs.file-max: %s %q", st, msg)
	}
	if st, msg, _ := rep.check(t, "waiver/sysctl/vm.swapiness"); st != "warn" || !strings.Contains(msg, "matches no check") || !strings.Contains(msg, cfg+":15") {
		t.Errorf("typo waiver: %s %q", st, msg)
	}
	if rep.Summary.Waived != 2 || rep.Summary.Fail != 1 {
		t.Errorf("summary %+v, want 2 waived and 1 fail", rep.Summary)
	}
}

func TestWaivedFailuresDoNotFailTheGate(t *testing.T) {
	cfg := writeConfig(t, strings.Replace(centos7Waivers, "expires: 2026-11-20", "expires: 2026-12-20", 1))
	code, out, stderr := runInProcess(t, "check", "--root", "../../testdata/roots/centos-7", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d, want 0 with every failure waived; stderr %s\n%s", code, stderr, out)
	}
	if !strings.Contains(out, "3 waived") || !strings.Contains(out, "OPS-103") {
		t.Errorf("the table does not show the waivers:\n%s", out)
	}
	// Warnings (the typo warning among them) still fail a strict gate.
	if code, _, _ := runInProcess(t, "check", "--root", "../../testdata/roots/centos-7", "--config", cfg, "--fail-on", "warn"); code != 1 {
		t.Errorf("--fail-on warn: exit %d, want 1", code)
	}
	// --no-waivers reports every finding as it is, and no typo warning.
	code, out, _ = runInProcess(t, "check", "--root", "../../testdata/roots/centos-7", "--config", cfg, "--no-waivers", "--format", "json")
	var rep waivedReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if code != 1 || rep.Summary.Waived != 0 || rep.Summary.Fail != 3 {
		t.Errorf("--no-waivers: exit %d, summary %+v", code, rep.Summary)
	}
	for _, c := range rep.Checks {
		if strings.HasPrefix(c.ID, "waiver/") {
			t.Errorf("--no-waivers still reports %s", c.ID)
		}
	}
}

func TestWaiversSurviveOnlyAndSkip(t *testing.T) {
	// A run limited to sysctl must not call the os/eol waiver a typo.
	cfg := writeConfig(t, centos7Waivers)
	_, out, _ := runInProcess(t, "check", "--root", "../../testdata/roots/centos-7", "--config", cfg, "--format", "json", "--only", "sysctl")
	var rep waivedReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Checks {
		if strings.HasPrefix(c.ID, "waiver/") {
			t.Errorf("--only sysctl reports %s", c.ID)
		}
	}
	code, _, stderr := runInProcess(t, "check", "--root", "../../testdata/roots/centos-7", "--config", cfg, "--only", "waiver/*", "--fail-on", "warn")
	if code != 1 {
		t.Errorf("--only 'waiver/*' --fail-on warn: exit %d (%s), want 1 for the typo", code, stderr)
	}
}

func TestBadWaiverExits2WithFileAndLine(t *testing.T) {
	cfg := writeConfig(t, "extends: auto\nwaivers:\n  - check: os/eol\n    reason: later\n    expires: 2027-01-01\n")
	code, _, stderr := runInProcess(t, "check", "--root", "../../testdata/roots/centos-7", "--config", cfg)
	if code != 2 || !strings.Contains(stderr, cfg+":3") || !strings.Contains(stderr, "ticket is required") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
