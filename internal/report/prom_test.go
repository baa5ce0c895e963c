package report_test

import (
	"bytes"
	"io"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/report"
)

func renderProm(t testing.TB, r *report.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Prom(&buf, r); err != nil {
		t.Fatalf("Prom: %v", err)
	}
	return buf.Bytes()
}

// parseProm parses data as node_exporter's textfile collector does, and
// fails on what it would reject: a parse error, invalid UTF-8 in a label
// value, a series twice, a family without HELP or not a gauge.
func parseProm(t testing.TB, data []byte) map[string]*dto.MetricFamily {
	t.Helper()
	if !utf8.Valid(data) {
		t.Fatalf("output is not UTF-8:\n%q", data)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Prometheus text parser: %v\n%s", err, data)
	}
	for name, f := range families {
		if f.GetHelp() == "" || f.GetType() != dto.MetricType_GAUGE {
			t.Errorf("%s: help %q, type %v; want HELP and gauge", name, f.GetHelp(), f.GetType())
		}
		seen := map[string]bool{}
		for _, m := range f.GetMetric() {
			key := seriesKey(m)
			if seen[key] {
				t.Errorf("%s{%s} appears twice", name, key)
			}
			seen[key] = true
			for _, l := range m.GetLabel() {
				if !model.LabelValue(l.GetValue()).IsValid() {
					t.Errorf("%s: label %s has an invalid value %q", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
	return families
}

func seriesKey(m *dto.Metric) string {
	var kv []string
	for _, l := range m.GetLabel() {
		kv = append(kv, l.GetName()+"="+l.GetValue())
	}
	sort.Strings(kv)
	return strings.Join(kv, "\x00")
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// assertPromAgrees checks what must hold for any report: per check one
// series per status, exactly one of them 1 when the status is known; the
// counts are the summary; one verdict is set.
func assertPromAgrees(t testing.TB, r *report.Report, families map[string]*dto.MetricFamily) {
	t.Helper()
	type key struct{ id, category, severity string }
	hot := map[key]int{}
	statuses := map[key]map[string]bool{}
	for _, m := range families["golive_check_status"].GetMetric() {
		l := labels(m)
		k := key{l["id"], l["category"], l["severity"]}
		if statuses[k] == nil {
			statuses[k] = map[string]bool{}
		}
		statuses[k][l["status"]] = true
		switch v := m.GetGauge().GetValue(); v {
		case 1:
			hot[k]++
		case 0:
		default:
			t.Errorf("golive_check_status%v = %v, want 0 or 1", l, v)
		}
	}
	for _, c := range r.Checks {
		k := key{strings.ToValidUTF8(c.ID, "\uFFFD"), strings.ToValidUTF8(c.Category, "\uFFFD"), strings.ToValidUTF8(c.Severity, "\uFFFD")}
		if len(statuses[k]) != len(engine.Statuses) {
			t.Errorf("check %q: series for statuses %v, want all six", c.ID, statuses[k])
		}
		known := false
		for _, s := range engine.Statuses {
			known = known || c.Status == s
		}
		if known && hot[k] != 1 {
			t.Errorf("check %q (%s): %d series are 1, want exactly one", c.ID, c.Status, hot[k])
		}
	}
	s := r.Summary
	want := map[string]float64{"pass": float64(s.Pass), "warn": float64(s.Warn), "fail": float64(s.Fail),
		"skip": float64(s.Skip), "error": float64(s.Error), "waived": float64(s.Waived)}
	got := map[string]float64{}
	for _, m := range families["golive_checks"].GetMetric() {
		got[labels(m)["status"]] = m.GetGauge().GetValue()
	}
	if len(got) != len(want) {
		t.Errorf("golive_checks %v, want %v", got, want)
	}
	for st, n := range want {
		if got[st] != n {
			t.Errorf("golive_checks{status=%q} = %v, want %v", st, got[st], n)
		}
	}
	verdicts := 0.0
	for _, m := range families["golive_run_verdict"].GetMetric() {
		verdicts += m.GetGauge().GetValue()
	}
	if verdicts != 1 {
		t.Errorf("%v verdict series are 1, want exactly one (verdict %q)", verdicts, r.Verdict)
	}
}

func TestPromParsesAndAgrees(t *testing.T) {
	for name, r := range map[string]*report.Report{
		"every status": sampleReport(),
		"aborted":      abortedReport(),
		"no checks":    newReport(nil),
		"big":          bigReport(60),
	} {
		t.Run(name, func(t *testing.T) {
			families := parseProm(t, renderProm(t, r))
			assertPromAgrees(t, r, families)
			for _, name := range []string{"golive_checks", "golive_run_verdict", "golive_run_timestamp_seconds",
				"golive_run_duration_seconds", "golive_info"} {
				if families[name] == nil {
					t.Errorf("%s missing", name)
				}
			}
		})
	}
}

func TestPromValues(t *testing.T) {
	families := parseProm(t, renderProm(t, sampleReport()))
	value := func(name string, match map[string]string) float64 {
		t.Helper()
	next:
		for _, m := range families[name].GetMetric() {
			l := labels(m)
			for k, v := range match {
				if l[k] != v {
					continue next
				}
			}
			return m.GetGauge().GetValue()
		}
		t.Fatalf("no %s%v", name, match)
		return 0
	}
	somaxconn := map[string]string{"id": "sysctl/net.core.somaxconn", "category": "sysctl", "severity": "high"}
	for status, want := range map[string]float64{"fail": 1, "pass": 0, "warn": 0, "skip": 0, "error": 0, "waived": 0} {
		somaxconn["status"] = status
		if got := value("golive_check_status", somaxconn); got != want {
			t.Errorf("somaxconn status=%s: %v, want %v", status, got, want)
		}
	}
	if got := value("golive_run_verdict", map[string]string{"verdict": "fail"}); got != 1 {
		t.Errorf("verdict fail = %v", got)
	}
	if got := value("golive_run_timestamp_seconds", nil); got != float64(testStart.Unix()) {
		t.Errorf("timestamp %v, want %v", got, testStart.Unix())
	}
	if got := value("golive_run_duration_seconds", nil); got != 0.0417 {
		t.Errorf("duration %v, want 0.0417", got)
	}
	info := map[string]string{"version": "v0.1.0", "profile": "rocky-9", "distro": "rocky", "distro_version": "9.3"}
	if got := value("golive_info", info); got != 1 {
		t.Errorf("golive_info%v = %v", info, got)
	}
	aborted := parseProm(t, renderProm(t, abortedReport()))
	for _, m := range aborted["golive_run_verdict"].GetMetric() {
		if (labels(m)["verdict"] == "aborted") != (m.GetGauge().GetValue() == 1) {
			t.Errorf("aborted run: %v", m)
		}
	}
}

// TestPromLabelsRoundTrip: hostile IDs come back from the parser exactly
// as the report has them (invalid UTF-8 aside), so PromQL matches the ID a
// user reads in the JSON report.
func TestPromLabelsRoundTrip(t *testing.T) {
	ids := []string{`a"b`, `back\slash`, "new\nline", `trailing\`, `{x="y"}`, "tab\tbell\a", "bad\xffutf8"}
	var results []engine.Result
	for _, id := range ids {
		results = append(results, engine.Result{ID: id, Category: "c", Status: engine.Pass, Severity: "low"})
	}
	families := parseProm(t, renderProm(t, newReport(results)))
	got := map[string]bool{}
	for _, m := range families["golive_check_status"].GetMetric() {
		got[labels(m)["id"]] = true
	}
	for _, id := range ids {
		if !got[strings.ToValidUTF8(id, "\uFFFD")] {
			t.Errorf("id %q did not come back from the parser; got %v", id, got)
		}
	}
}

// TestPromDuplicateSeriesDropped: two results with one label set would
// make node_exporter reject the whole file; the first is kept.
func TestPromDuplicateSeriesDropped(t *testing.T) {
	r := newReport([]engine.Result{
		{ID: "x/y", Category: "x", Status: engine.Fail, Severity: "high"},
		{ID: "x/y", Category: "x", Status: engine.Pass, Severity: "high"},
	})
	families := parseProm(t, renderProm(t, r))
	if n := len(families["golive_check_status"].GetMetric()); n != len(engine.Statuses) {
		t.Errorf("%d series, want %d", n, len(engine.Statuses))
	}
}

func TestPromBadStartTimeLeavesTimestampOut(t *testing.T) {
	r := sampleReport()
	r.StartedAt = "yesterday"
	families := parseProm(t, renderProm(t, r))
	if families["golive_run_timestamp_seconds"] != nil {
		t.Error("a start time that does not parse became a timestamp")
	}
}

func BenchmarkProm(b *testing.B) {
	r := bigReport(60)
	b.ReportAllocs()
	for b.Loop() {
		if err := report.Prom(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

// A waived check gives golive_waiver_days_left, from the engine's int and
// from a report read back from JSON (a float64) alike.
func TestPromWaiverDaysLeft(t *testing.T) {
	waived := engine.Result{ID: "os/kernel", Category: "os", Status: engine.Waived, Severity: "high",
		Message: "waived until 2027-01-31 (OPS-7): r; was fail: end of life",
		Details: map[string]any{"waiver": map[string]any{"check": "os/*", "ticket": "OPS-7", "reason": "r", "expires": "2027-01-31", "days_left": 13}}}
	r := newReport(append(sampleResults(), waived))
	data := renderProm(t, r)
	families := parseProm(t, data)
	f := families["golive_waiver_days_left"]
	if f == nil || len(f.GetMetric()) != 1 {
		t.Fatalf("no single golive_waiver_days_left series:\n%s", data)
	}
	m := f.GetMetric()[0]
	if l := labels(m); l["id"] != "os/kernel" || l["ticket"] != "OPS-7" || m.GetGauge().GetValue() != 13 {
		t.Errorf("series %v = %v", labels(m), m.GetGauge().GetValue())
	}
	var buf bytes.Buffer
	if err := report.JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	back, err := report.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(renderProm(t, back), []byte(`golive_waiver_days_left{id="os/kernel",ticket="OPS-7"} 13`)) {
		t.Errorf("a report read from JSON lost the days left:\n%s", renderProm(t, back))
	}
	if bytes.Contains(renderProm(t, sampleReport()), []byte("golive_waiver_days_left")) {
		t.Error("a report without waived checks has golive_waiver_days_left")
	}
}
