package fleet

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/fleet/fleettest"
	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

// hostReport is a golive/report/v1 document as `golive check --format
// json` writes it, validated against the report schema, with checks given
// as "id=status".
func hostReport(t testing.TB, hostname, machineID, started, verdict string, checks ...string) []byte {
	t.Helper()
	r := &report.Report{
		Schema: report.SchemaV1, Tool: report.Tool{Name: "golive", Version: "test"},
		Host: report.Host{Hostname: hostname, MachineID: machineID, Kernel: "5.14.0", Arch: "x86_64", Root: "/",
			Distro: report.Distro{ID: "rocky", VersionID: "9.3", PrettyName: "Rocky Linux 9.3"}},
		Profile:   report.Profile{Name: "rocky-9", Chain: []string{"linux", "rocky-9"}},
		StartedAt: started, Checks: []report.Check{},
	}
	for _, c := range checks {
		id, st, _ := strings.Cut(c, "=")
		cat, _, _ := strings.Cut(id, "/")
		r.Checks = append(r.Checks, report.Check{ID: id, Category: cat, Title: id, Status: engine.Status(st), Severity: "high",
			Details: map[string]any{}, Fingerprint: report.Fingerprint(machineID, id)})
		switch st {
		case "pass":
			r.Summary.Pass++
		case "warn":
			r.Summary.Warn++
		case "fail":
			r.Summary.Fail++
		case "skip":
			r.Summary.Skip++
		case "error":
			r.Summary.Error++
		case "waived":
			r.Summary.Waived++
		}
		r.Summary.Total++
	}
	r.Verdict = r.Summary.Verdict()
	if verdict != "" {
		r.Verdict = verdict
	}
	if r.Verdict == report.VerdictAborted {
		r.Aborted = "run deadline reached (--timeout 1s)"
	}
	var buf bytes.Buffer
	if err := report.JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	if err := reporttest.Validate(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func entry(t testing.TB, file string, data []byte) Entry {
	t.Helper()
	r, err := DecodeReport(data)
	if err != nil {
		return Entry{File: file, Host: file, Kind: KindInvalidReport, Err: err.Error()}
	}
	return Entry{File: file, Report: r}
}

const t0 = "2026-11-21T10:00:00Z"

func id(n int) string { return fmt.Sprintf("%032x", n) }

// fleetOf three hosts: ready, failing (a fail and an error), warning.
func fleetOf(t testing.TB, failOn string) *Fleet {
	return Merge([]Entry{
		entry(t, "a.json", hostReport(t, "a", id(1), t0, "", "sysctl/x=pass", "dns/y=pass", "os/eol=pass")),
		entry(t, "b.json", hostReport(t, "b", id(2), t0, "", "sysctl/x=fail", "dns/y=error", "os/eol=pass")),
		entry(t, "c.json", hostReport(t, "c", id(3), t0, "", "sysctl/x=warn", "dns/y=pass", "os/eol=skip")),
	}, MergeOptions{FailOn: failOn})
}

func states(f *Fleet) string {
	var s []string
	for _, h := range f.Hosts {
		s = append(s, h.Host+"="+h.State)
	}
	return strings.Join(s, " ")
}

func TestMergeJudgesHostsAndCountsChecks(t *testing.T) {
	f := fleetOf(t, FailOnFail)
	if got := states(f); got != "a=ready b=not_ready c=ready" {
		t.Errorf("states %s", got)
	}
	if f.Summary != (Summary{Hosts: 3, Ready: 2, NotReady: 1}) || f.Ready() {
		t.Errorf("summary %+v ready %v", f.Summary, f.Ready())
	}
	// Ordered by hosts failing or erroring, then warning, then ID.
	var order []string
	for _, c := range f.Checks {
		order = append(order, c.ID)
	}
	if strings.Join(order, " ") != "sysctl/x dns/y os/eol" {
		t.Errorf("check order %v", order)
	}
	x := f.Checks[0]
	if x.HostsFailing != 1 || x.HostsWarning != 1 || x.HostsPassing != 1 || strings.Join(x.FailingHosts, ",") != "b" {
		t.Errorf("sysctl/x tally %+v", x)
	}
	if y := f.Checks[1]; y.HostsError != 1 || strings.Join(y.FailingHosts, ",") != "b" {
		t.Errorf("dns/y tally %+v: an error is a failure", y)
	}
	if b := f.Hosts[1]; strings.Join(b.Failing, ",") != "sysctl/x,dns/y" || b.Verdict != "fail" {
		t.Errorf("host b %+v", b)
	}
	validateJSON(t, f)
}

func TestMergeFailOn(t *testing.T) {
	for failOn, want := range map[string]string{
		FailOnWarn: "a=ready b=not_ready c=not_ready",
		FailOnNone: "a=ready b=ready c=ready",
	} {
		if got := states(fleetOf(t, failOn)); got != want {
			t.Errorf("--fail-on %s: %s, want %s", failOn, got, want)
		}
	}
	aborted := Merge([]Entry{entry(t, "x", hostReport(t, "x", id(9), t0, "aborted", "sysctl/x=pass"))}, MergeOptions{FailOn: FailOnNone})
	if aborted.Hosts[0].State != StateNotReady || aborted.Hosts[0].Verdict != "aborted" {
		t.Errorf("an aborted run with --fail-on none: %+v, want not ready", aborted.Hosts[0])
	}
}

// A report's own verdict and summary are not trusted: they are recomputed
// from its checks.
func TestMergeRecomputesVerdict(t *testing.T) {
	lying := hostReport(t, "liar", id(4), t0, "pass", "sysctl/x=fail")
	f := Merge([]Entry{entry(t, "liar.json", lying)}, MergeOptions{FailOn: FailOnFail})
	if h := f.Hosts[0]; h.Verdict != "fail" || h.State != StateNotReady {
		t.Errorf("a report claiming pass with a failing check: %+v", h)
	}
}

func TestMergeUnreadableReportsAreHosts(t *testing.T) {
	f := Merge([]Entry{
		entry(t, "a.json", hostReport(t, "a", id(1), t0, "", "sysctl/x=pass")),
		entry(t, "broken.json", []byte(`{"schema": "golive/report/v1", "verdict": `)),
		entry(t, "other.json", []byte(`{"schema": "someone/else/v3"}`)),
	}, MergeOptions{FailOn: FailOnFail})
	if f.Summary != (Summary{Hosts: 3, Ready: 1, Unchecked: 2}) || f.Ready() {
		t.Fatalf("summary %+v", f.Summary)
	}
	for _, h := range f.Hosts[1:] {
		if h.ErrorKind != KindInvalidReport || h.Error == "" || h.Verdict != VerdictUnchecked {
			t.Errorf("%+v: want an invalid_report host saying why", h)
		}
	}
	validateJSON(t, f)
}

// A re-run of one host (the same name) replaces its earlier report,
// whichever order the files come in.
func TestMergeReRunOfAHostKeepsTheNewer(t *testing.T) {
	old := hostReport(t, "db1", id(7), "2026-11-20T10:00:00Z", "", "sysctl/x=fail")
	fresh := hostReport(t, "db1", id(7), "2026-11-21T10:00:00.5Z", "", "sysctl/x=pass")
	named := func(file string, data []byte) Entry { e := entry(t, file, data); e.Host = "db1:2222"; return e }
	for _, order := range [][]Entry{
		{named("run1/db1.json", old), named("run2/db1.json", fresh)},
		{named("run2/db1.json", fresh), named("run1/db1.json", old)},
	} {
		f := Merge(order, MergeOptions{FailOn: FailOnFail})
		if len(f.Hosts) != 1 || f.Hosts[0].File != "run2/db1.json" || f.Hosts[0].State != StateReady || f.Hosts[0].Host != "db1:2222" {
			t.Errorf("kept %+v, want only run2/db1.json as db1:2222", f.Hosts)
		}
		if len(f.Notices) != 1 || !strings.Contains(f.Notices[0], "run1/db1.json") || len(f.Findings) != 0 {
			t.Errorf("notices %q findings %+v: the dropped report must be named, and a re-run is no clone", f.Notices, f.Findings)
		}
		validateJSON(t, f)
	}
}

// Distinct hosts that share a machine-id are never merged: each keeps its
// row, and a fleet/clone finding names them all and makes them not ready.
func TestMergeClonedHostsAreAFinding(t *testing.T) {
	a := hostReport(t, "web", id(9), t0, "", "sysctl/x=pass")
	b := hostReport(t, "web", id(9), "2026-11-21T11:00:00Z", "", "sysctl/x=pass")
	c := hostReport(t, "db", id(3), t0, "", "sysctl/x=pass")
	entries := func() []Entry {
		return []Entry{
			{Host: "10.0.0.1", File: "10.0.0.1.json", Report: must(DecodeReport(a))},
			{Host: "10.0.0.2", File: "10.0.0.2.json", Report: must(DecodeReport(b))},
			{Host: "db", File: "db.json", Report: must(DecodeReport(c))},
		}
	}
	f := Merge(entries(), MergeOptions{FailOn: FailOnFail})
	if len(f.Hosts) != 3 || f.Summary != (Summary{Hosts: 3, Ready: 1, NotReady: 2}) || f.Ready() {
		t.Fatalf("hosts %+v summary %+v: want 3 hosts, the two clones not ready", f.Hosts, f.Summary)
	}
	want := CloneFinding + id(9)
	if len(f.Findings) != 1 || f.Findings[0].ID != want || strings.Join(f.Findings[0].Hosts, ",") != "10.0.0.1,10.0.0.2" || f.Findings[0].Status != "fail" {
		t.Fatalf("findings %+v, want %s listing both clones", f.Findings, want)
	}
	for _, h := range f.Hosts[:2] {
		if !slices.Contains(h.Failing, want) || h.State != StateNotReady {
			t.Errorf("%s: %s failing %q: want not ready by %s", h.Host, h.State, h.Failing, want)
		}
	}
	if f.Checks[0].ID != want || f.Checks[0].HostsFailing != 2 || f.Checks[0].Category != "fleet" {
		t.Errorf("checks %+v: the finding is tallied first", f.Checks[0])
	}
	validateJSON(t, f)
	var table strings.Builder
	if err := Table(&table, f); err != nil || !strings.Contains(table.String(), want) || !strings.Contains(table.String(), "share machine-id") {
		t.Errorf("table lacks the finding:\n%s", table.String())
	}
	// Report-only: the finding stays, nobody is held back.
	if f := Merge(entries(), MergeOptions{FailOn: FailOnNone}); !f.Ready() || len(f.Findings) != 1 {
		t.Errorf("--fail-on none: ready %v findings %+v", f.Ready(), f.Findings)
	}
}

func TestMergeMakesHostNamesUnique(t *testing.T) {
	f := Merge([]Entry{
		entry(t, "1.json", hostReport(t, "web", id(1), t0, "", "a/b=pass")),
		entry(t, "2.json", hostReport(t, "web", id(2), t0, "", "a/b=pass")),
	}, MergeOptions{FailOn: FailOnFail, KeepDuplicates: true})
	if f.Hosts[0].Host != "web" || f.Hosts[1].Host != "web#2" {
		t.Errorf("names %q %q", f.Hosts[0].Host, f.Hosts[1].Host)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestDecodeReportRefuses(t *testing.T) {
	good := string(hostReport(t, "a", id(1), t0, "", "sysctl/x=pass"))
	cases := map[string]string{
		"not JSON":       "hello",
		"trailing data":  good + "{}",
		"other schema":   strings.Replace(good, report.SchemaV1, "golive/report/v2", 1),
		"unknown status": strings.Replace(good, `"status": "pass"`, `"status": "meh"`, 1),
		"no check id":    strings.Replace(good, `"id": "sysctl/x"`, `"id": ""`, 1),
		"bad verdict":    strings.Replace(good, `"verdict": "pass"`, `"verdict": "great"`, 1),
		"array":          "[]",
	}
	for name, in := range cases {
		if _, err := DecodeReport([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := DecodeReport([]byte(good)); err != nil {
		t.Errorf("a valid report: %v", err)
	}
}

func validateJSON(t testing.TB, f *Fleet) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := JSON(&buf, f); err != nil {
		t.Fatal(err)
	}
	if err := fleettest.Validate(buf.Bytes()); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	return buf.Bytes()
}
