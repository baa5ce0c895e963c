package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// A typo'd sysctl key in the user's profile fails the run and names the
// key it probably meant; optional: true turns the same miss into a skip.
func TestSysctlTypoInUserProfileFails(t *testing.T) {
	cfg := writeConfig(t, "extends: auto\nsysctl:\n  net.core.somaxcon: \">= 65535\"\n  net.netfilter.nf_conntrack_max: {expect: \">= 262144\", optional: true}\n")
	code, out, stderr := runInProcess(t, "check", "--root", "../../testdata/roots/rocky-9", "--config", cfg, "--offline", "--only", "sysctl/*", "--format", "json")
	decode(t, out) // validates against the schema
	var rep waivedReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	st, msg, d := rep.check(t, "sysctl/net.core.somaxcon")
	if st != "fail" || !strings.Contains(msg, "did you mean net.core.somaxconn") {
		t.Errorf("typo: %s %q", st, msg)
	}
	if s, _ := d["suggestions"].([]any); len(s) == 0 || s[0] != "net.core.somaxconn" {
		t.Errorf("suggestions %v", d["suggestions"])
	}
	if st, msg, _ := rep.check(t, "sysctl/net.netfilter.nf_conntrack_max"); st != "skip" || !strings.Contains(msg, "optional") {
		t.Errorf("optional: %s %q", st, msg)
	}
	// Without the typo the same root's sysctl verdict has no such failure.
	cfg = writeConfig(t, "extends: auto\nsysctl:\n  net.core.somaxconn: \">= 65535\"\n")
	_, out, _ = runInProcess(t, "check", "--root", "../../testdata/roots/rocky-9", "--config", cfg, "--offline", "--only", "sysctl/*", "--format", "json")
	rep = waivedReport{}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if st, msg, _ := rep.check(t, "sysctl/net.core.somaxconn"); st != "pass" {
		t.Errorf("spelled right: %s %q", st, msg)
	}
}

// optional: is a sysctl-only key: elsewhere it is a profile error (exit 2).
func TestOptionalOutsideSysctlIsAProfileError(t *testing.T) {
	cfg := writeConfig(t, "extends: auto\nos:\n  kernel: {expect: \">= 3.10\", optional: true}\n")
	code, _, stderr := runInProcess(t, "check", "--root", "../../testdata/roots/rocky-9", "--config", cfg, "--offline")
	if code != 2 || !strings.Contains(stderr, "optional") || !strings.Contains(stderr, cfg+":3") {
		t.Errorf("exit %d stderr %q, want 2 naming %s:3", code, stderr, cfg)
	}
}
