package report_test

import (
	"regexp"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

var fingerprintRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

func TestFingerprintIsStablePerHostAndCheck(t *testing.T) {
	const id = "sysctl/net.core.somaxconn"
	a := report.Fingerprint(testMachineID, id)
	if !fingerprintRE.MatchString(a) {
		t.Fatalf("Fingerprint = %q, want sha256:<64 hex>", a)
	}
	if b := report.Fingerprint(testMachineID, id); a != b {
		t.Errorf("same host and check gave %q then %q", a, b)
	}
	if b := report.Fingerprint("0000000000000000000000000000beef", id); a == b {
		t.Errorf("another host gave the same fingerprint %q", a)
	}
	if b := report.Fingerprint(testMachineID, "sysctl/vm.swappiness"); a == b {
		t.Errorf("another check gave the same fingerprint %q", a)
	}
	// The separator keeps ("ab", "c/x") and ("a", "bc/x") apart.
	if report.Fingerprint("ab", "c/x") == report.Fingerprint("a", "bc/x") {
		t.Error("host key and check ID run together")
	}
}

func TestNewFingerprintsByMachineIDThenHostname(t *testing.T) {
	const id = "os/eol"
	result := []engine.Result{{ID: id, Category: "os", Status: engine.Pass, Severity: "high"}}
	build := func(hostname, machineID string) string {
		r := report.New(report.Input{
			Identity: host.Identity{Hostname: hostname, MachineID: machineID},
			Outcome:  engine.Outcome{Results: result},
		})
		return r.Checks[0].Fingerprint
	}
	if got, want := build("db1", testMachineID), report.Fingerprint(testMachineID, id); got != want {
		t.Errorf("with a machine-id: fingerprint %q, want the machine-id's %q", got, want)
	}
	if build("db1", testMachineID) != build("db1-renamed", testMachineID) {
		t.Error("renaming the host changed the fingerprint although the machine-id did not change")
	}
	if got, want := build("db1", ""), report.Fingerprint("db1", id); got != want {
		t.Errorf("without a machine-id: fingerprint %q, want the hostname's %q", got, want)
	}
	if build("db1", "") == build("db2", "") {
		t.Error("two hosts without machine-id share a fingerprint")
	}
}

func TestNewVerdict(t *testing.T) {
	tests := []struct {
		name     string
		statuses []engine.Status
		aborted  bool
		want     string
	}{
		{"nothing run passes", nil, false, report.VerdictPass},
		{"all pass", []engine.Status{engine.Pass, engine.Pass}, false, report.VerdictPass},
		{"skip and waived do not fail", []engine.Status{engine.Pass, engine.Skip, engine.Waived}, false, report.VerdictPass},
		{"a warning warns", []engine.Status{engine.Pass, engine.Warn, engine.Skip}, false, report.VerdictWarn},
		{"a failure fails", []engine.Status{engine.Warn, engine.Fail, engine.Pass}, false, report.VerdictFail},
		{"an error fails", []engine.Status{engine.Pass, engine.Error}, false, report.VerdictFail},
		{"error outranks warn", []engine.Status{engine.Warn, engine.Error, engine.Warn}, false, report.VerdictFail},
		{"aborted outranks pass", []engine.Status{engine.Pass}, true, report.VerdictAborted},
		{"aborted outranks fail", []engine.Status{engine.Fail}, true, report.VerdictAborted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var results []engine.Result
			for _, s := range tt.statuses {
				results = append(results, engine.Result{ID: "x/" + string(s), Category: "x", Status: s, Severity: "info"})
			}
			// No Reason even when aborted: New must supply one.
			out := engine.Outcome{Results: results, Aborted: tt.aborted}
			r := report.New(report.Input{Identity: testIdentity(), Outcome: out})
			if r.Verdict != tt.want {
				t.Errorf("verdict %q, want %q", r.Verdict, tt.want)
			}
			if got := r.Aborted != ""; got != tt.aborted {
				t.Errorf("aborted reason %q, want one: %v", r.Aborted, tt.aborted)
			}
			if err := reporttest.Validate(encode(t, r)); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestNewCountsEveryStatus(t *testing.T) {
	r := sampleReport()
	want := report.Summary{Total: 8, Pass: 2, Warn: 1, Fail: 2, Skip: 1, Error: 1, Waived: 1}
	if r.Summary != want {
		t.Errorf("summary %+v, want %+v", r.Summary, want)
	}
	if len(r.Checks) != want.Total {
		t.Errorf("%d checks, want %d", len(r.Checks), want.Total)
	}
}
