package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/report"
)

// TestHundredThousandCheckReportRoundTrip: a report of 100,000 checks,
// made of the entries golive writes for a real fixture root (remediation
// included), is read back by every reader: diff, remediate --from and
// fleet report. One bound (report.MaxReportSize) for all of them.
func TestHundredThousandCheckReportRoundTrip(t *testing.T) {
	const n = 100_000
	base := runWithInput(t, nil, "check", "--root", fixtureRoot("rocky-9"), "--offline", "--format", "json")
	var rep report.Report
	if err := json.Unmarshal([]byte(base.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var big []report.Check
	for i := 0; len(big) < n; i++ {
		for _, c := range rep.Checks {
			if len(big) == n {
				break
			}
			c.ID = fmt.Sprintf("%s-%d", c.ID, i)
			big = append(big, c)
		}
	}
	rep.Checks = big
	rep.Summary = report.Count(big)
	data, err := json.Marshal(&rep)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d checks: %d MiB (the bound is %d MiB)", n, len(data)>>20, report.MaxReportSize>>20)
	if len(data) <= 64<<20 {
		t.Logf("note: smaller than the old 64 MiB bound")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "big.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// A second copy whose summary lies: diff counts the checks it read.
	rep.Summary = report.Summary{Total: 7, Pass: 7}
	lying, _ := json.Marshal(&rep)
	lyingPath := filepath.Join(t.TempDir(), "lying.json")
	if err := os.WriteFile(lyingPath, lying, 0o644); err != nil {
		t.Fatal(err)
	}

	d := runWithInput(t, nil, "diff", path, lyingPath)
	if d.code > 1 || strings.Count(d.stdout, fmt.Sprintf("(%d checks:", n)) != 2 {
		t.Errorf("diff: exit %d, want both sides counted as %d checks: %s %s", d.code, n, firstLines(d.stdout, 4), d.stderr)
	}
	r := runWithInput(t, nil, "remediate", "--from", path, "-q")
	if r.code != 0 || !strings.Contains(r.stdout, "set -euo pipefail") {
		t.Errorf("remediate --from: exit %d %s", r.code, r.stderr)
	}
	f := runWithInput(t, nil, "fleet", "report", "--format", "json", dir)
	if f.code > 1 || strings.Contains(f.stdout, "invalid") {
		t.Errorf("fleet report: exit %d %s %s", f.code, firstLines(f.stdout, 10), f.stderr)
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
