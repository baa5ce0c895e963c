package report_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func render(t testing.TB, r *report.Report, o report.TableOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Table(&buf, r, o); err != nil {
		t.Fatalf("Table: %v", err)
	}
	return buf.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestTableGolden(t *testing.T) {
	got := render(t, sampleReport(), report.TableOptions{Width: 100})
	path := filepath.Join("testdata", "table.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("table differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestTableSummaryLine(t *testing.T) {
	only := func(statuses ...engine.Status) *report.Report {
		var results []engine.Result
		for _, s := range statuses {
			results = append(results, engine.Result{ID: "x/" + string(s), Category: "x", Status: s, Severity: "low"})
		}
		return newReport(results)
	}
	tests := []struct {
		name string
		r    *report.Report
		want string
	}{
		{"fail", sampleReport(),
			"8 checks: 2 pass, 1 warn, 2 fail, 1 skip, 1 error, 1 waived — verdict: FAIL (not ready)"},
		{"error alone fails", only(engine.Error),
			"1 check: 0 pass, 0 warn, 0 fail, 0 skip, 1 error, 0 waived — verdict: FAIL (not ready)"},
		{"warn", only(engine.Pass, engine.Warn),
			"2 checks: 1 pass, 1 warn, 0 fail, 0 skip, 0 error, 0 waived — verdict: WARN (no failures, warnings to review)"},
		{"pass", only(engine.Pass, engine.Skip, engine.Waived),
			"3 checks: 1 pass, 0 warn, 0 fail, 1 skip, 0 error, 1 waived — verdict: PASS (ready)"},
		{"empty", newReport(nil),
			"0 checks: 0 pass, 0 warn, 0 fail, 0 skip, 0 error, 0 waived — verdict: PASS (ready)"},
		{"aborted", abortedReport(),
			"3 checks: 1 pass, 0 warn, 1 fail, 1 skip, 0 error, 0 waived — ABORTED: run deadline reached (--timeout) (partial report)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, quiet := range []bool{false, true} {
				if got := lastLine(render(t, tt.r, report.TableOptions{Quiet: quiet})); got != tt.want {
					t.Errorf("quiet=%v: summary\n%q, want\n%q", quiet, got, tt.want)
				}
			}
		})
	}
}

func TestTableColorsOnlyWhenAsked(t *testing.T) {
	// The sample's observed values carry an ESC of their own: no colour
	// must mean no escape sequence at all.
	plain := render(t, sampleReport(), report.TableOptions{})
	if strings.Contains(plain, "\x1b") {
		t.Errorf("Color off, output has an escape sequence:\n%q", plain)
	}
	colored := render(t, sampleReport(), report.TableOptions{Color: true})
	for _, want := range []string{
		"\x1b[32mPASS\x1b[0m", "\x1b[33mWARN\x1b[0m", "\x1b[31mFAIL\x1b[0m",
		"\x1b[31mERROR\x1b[0m", "\x1b[2mSKIP\x1b[0m", "\x1b[36mWAIVED\x1b[0m", "\x1b[1m\x1b[31mFAIL\x1b[0m (not ready)",
	} {
		if !strings.Contains(colored, want) {
			t.Errorf("Color on, output lacks %q", want)
		}
	}
	if strings.Contains(colored, "\x1b[31m+14") || strings.Contains(colored, "files\x1b[31m") {
		t.Error("an escape sequence from an observed value reached the output")
	}
}

func TestTableColorKeepsColumnsAligned(t *testing.T) {
	strip := func(s string) string {
		for _, sgr := range []string{"\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[36m"} {
			s = strings.ReplaceAll(s, sgr, "")
		}
		return s
	}
	plain := render(t, sampleReport(), report.TableOptions{})
	colored := render(t, sampleReport(), report.TableOptions{Color: true})
	if strip(colored) != plain {
		t.Errorf("coloured output differs from plain beyond the colours:\n%s", strip(colored))
	}
}

func TestTableQuietShowsOnlyMisses(t *testing.T) {
	out := render(t, sampleReport(), report.TableOptions{Quiet: true})
	for _, hidden := range []string{"sysctl/vm.swappiness", "os/eol", "host db1"} {
		if strings.Contains(out, hidden) {
			t.Errorf("quiet output shows %q", hidden)
		}
	}
	for _, shown := range []string{"FAIL    sysctl/net.core.somaxconn", "WARN", "SKIP", "ERROR", "WAIVED", "the kernel drops SYNs"} {
		if !strings.Contains(out, shown) {
			t.Errorf("quiet output lacks %q", shown)
		}
	}
	allPass := newReport([]engine.Result{{ID: "os/eol", Category: "os", Status: engine.Pass, Severity: "high"}})
	got := render(t, allPass, report.TableOptions{Quiet: true})
	if want := "1 check: 1 pass, 0 warn, 0 fail, 0 skip, 0 error, 0 waived — verdict: PASS (ready)\n"; got != want {
		t.Errorf("quiet output of an all-pass run:\n%q, want only the summary\n%q", got, want)
	}
}

func TestTableShowsNotices(t *testing.T) {
	out := render(t, abortedReport(), report.TableOptions{})
	if !strings.Contains(out, "note: no built-in profile matches rocky 9.3; using generic\n") {
		t.Errorf("notice missing:\n%s", out)
	}
	// -q's help promises no notices.
	if out := render(t, abortedReport(), report.TableOptions{Quiet: true}); strings.Contains(out, "note:") || strings.Contains(out, "using generic") {
		t.Errorf("quiet output shows a notice:\n%s", out)
	}
	if out := render(t, abortedReport(), report.TableOptions{}); !strings.Contains(out, " · root /mnt/image") {
		t.Errorf("headline does not name the --root:\n%s", out)
	}
	if out := render(t, sampleReport(), report.TableOptions{}); strings.Contains(out, "root /") {
		t.Errorf("headline names the root of a running system:\n%s", out)
	}
}

func TestTableKeepsEachCheckOnOneLine(t *testing.T) {
	odd := []engine.Result{
		{ID: "x/newlines", Category: "x", Status: engine.Fail, Severity: "low",
			Expected: "a\nb", Observed: "line one\nline two\r\nline three\n", Message: "first\nsecond"},
		{ID: "x/controls", Category: "x", Status: engine.Warn, Severity: "low",
			Observed: "tab\there \x1b]0;pwned\x07 \u202eevil\xff"},
		{ID: "x/empty", Category: "x\ny", Status: "", Severity: "low"},
	}
	out := render(t, newReport(odd), report.TableOptions{})
	for _, bad := range []string{"\r", "\t", "\x1b", "\x07", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
	if !utf8.ValidString(out) {
		t.Error("output is not valid UTF-8")
	}
	for _, want := range []string{
		"  FAIL    x/newlines  a⏎b       line one⏎line two⏎line three\n",
		"          ↳ first⏎second\n",
		"tab here �]0;pwned� �evil�",
		"x⏎y\n  ?       x/empty",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestTableFitsTheWidth(t *testing.T) {
	long := []engine.Result{
		{ID: "libc/compat:/opt/myapp/releases/2026-11-21T10-00-00Z/bin/myapp-server", Category: "libc",
			Status: engine.Fail, Severity: "high", Expected: "glibc <= 2.17 (CentOS 7 baseline for every binary)",
			Observed: "needs GLIBC_2.34 (pthread_create), GLIBC_2.32 (__libc_single_threaded), GLIBC_2.28",
			Message: strings.Repeat("the binary was linked against a newer glibc than the host has; ", 6) +
				"https://example.com/a/very/long/url/that/has/no/spaces/and/must/be/split/somewhere/to/fit/the/terminal"},
		{ID: "os/eol", Category: "os", Status: engine.Pass, Severity: "high", Expected: "supported", Observed: "2032-05-31"},
	}
	for _, width := range []int{60, 80, 100, 120, 200} {
		out := render(t, newReport(long), report.TableOptions{Width: width})
		for _, l := range strings.Split(out, "\n") {
			// The headline and the summary are sentences the terminal may
			// wrap; the check table and messages must fit.
			if !strings.HasPrefix(l, "  ") {
				continue
			}
			if w := twwidth.Width(l); w > width {
				t.Errorf("width %d: line is %d wide: %q", width, w, l)
			}
		}
		if !strings.Contains(out, "  PASS    os/eol") {
			t.Errorf("width %d: short check mangled:\n%s", width, out)
		}
		if strings.Count(out, "↳ ") != 1 || strings.Contains(out, "…") {
			t.Errorf("width %d: want one message, not cut:\n%s", width, out)
		}
		// Wrapped, every value and the whole message are still there.
		rows := reporttest.ParseTable(out)
		if len(rows) != 2 {
			t.Fatalf("width %d: read back %d rows, want 2:\n%s", width, len(rows), out)
		}
		got := []string{rows[0].Cells[0], rows[0].Cells[1], rows[0].Cells[2], rows[0].Detail}
		for i, want := range []string{long[0].ID, long[0].Expected, long[0].Observed, long[0].Message} {
			if reporttest.Squeeze(got[i]) != reporttest.Squeeze(want) {
				t.Errorf("width %d: read back %q, want %q:\n%s", width, got[i], want, out)
			}
		}
	}
	if out := render(t, newReport(long), report.TableOptions{Width: 200}); !strings.Contains(out, long[0].ID) {
		t.Errorf("a 200-column table wraps a 70-character check ID:\n%s", out)
	}
	// No width (a file, a pipe, --wide): one line per check and per
	// message, nothing wrapped or cut.
	out := render(t, newReport(long), report.TableOptions{})
	for _, s := range []string{long[0].ID + "  " + long[0].Expected + "  " + long[0].Observed + "\n", "↳ " + long[0].Message + "\n"} {
		if !strings.Contains(out, s) {
			t.Errorf("without a width, %q is not one line:\n%s", s, out)
		}
	}
}

func TestTableShowsWhyOfFindings(t *testing.T) {
	results := []engine.Result{
		{ID: "x/fail", Category: "x", Status: engine.Fail, Message: "found 1", Why: "fails matter"},
		{ID: "x/warn", Category: "x", Status: engine.Warn, Message: "found 2", Why: "warns matter"},
		{ID: "x/error", Category: "x", Status: engine.Error, Message: "broke", Why: "errors matter"},
		{ID: "x/pass", Category: "x", Status: engine.Pass, Why: "passes matter"},
		{ID: "x/skip", Category: "x", Status: engine.Skip, Message: "not here", Why: "skips matter"},
		{ID: "x/cut", Category: "x", Status: engine.Error, Message: "interrupted", Why: "interrupted checks matter",
			Details: map[string]any{"cause": engine.CauseInterrupted}},
	}
	out := render(t, newReport(results), report.TableOptions{Width: 80})
	for _, want := range []string{
		"          ↳ found 1\n            why: fails matter\n",
		"          ↳ found 2\n            why: warns matter\n",
		"          ↳ broke\n            why: errors matter\n",
		"          ↳ not here\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	for _, hidden := range []string{"passes matter", "skips matter", "interrupted checks matter"} {
		if strings.Contains(out, hidden) {
			t.Errorf("table shows %q, the why of a check that is not a finding:\n%s", hidden, out)
		}
	}
}

func TestTableGroupsByCategoryInReportOrder(t *testing.T) {
	results := []engine.Result{
		{ID: "sysctl/a", Category: "sysctl", Status: engine.Pass, Severity: "low"},
		{ID: "os/b", Category: "os", Status: engine.Pass, Severity: "low"},
		{ID: "sysctl/c", Category: "sysctl", Status: engine.Pass, Severity: "low"},
	}
	out := render(t, newReport(results), report.TableOptions{})
	order := []string{"\nsysctl\n", "sysctl/a", "sysctl/c", "\nos\n", "os/b"}
	last := -1
	for _, s := range order {
		i := strings.Index(out, s)
		if i < 0 || i < last {
			t.Fatalf("want %q in order %q:\n%s", s, order, out)
		}
		last = i
	}
	if strings.Count(out, "\nsysctl\n") != 1 {
		t.Errorf("category heading repeated:\n%s", out)
	}
}

func TestTableHidesPassMessages(t *testing.T) {
	results := []engine.Result{
		{ID: "os/eol", Category: "os", Status: engine.Pass, Severity: "high", Message: "supported for 6 more years"},
	}
	if out := render(t, newReport(results), report.TableOptions{}); strings.Contains(out, "6 more years") {
		t.Errorf("a pass shows its message:\n%s", out)
	}
}

func TestTableEmptyAndZeroReports(t *testing.T) {
	out := render(t, newReport(nil), report.TableOptions{})
	if !strings.Contains(out, "No checks were run.") || strings.Contains(out, "STATUS") {
		t.Errorf("empty report:\n%s", out)
	}
	out = render(t, &report.Report{}, report.TableOptions{Color: true, Quiet: true, Width: -5})
	if !strings.Contains(out, "0 checks") {
		t.Errorf("zero Report:\n%s", out)
	}
	if err := report.Table(&bytes.Buffer{}, nil, report.TableOptions{}); err == nil {
		t.Error("Table(nil) did not fail")
	}
}

func FuzzTable(f *testing.F) {
	f.Add("sysctl/net.core.somaxconn", ">= 65535", "4096\n", "why\r\nit matters", 80)
	f.Add("x/\x1b[2J", "\u202e", "\xff\xfe", "\t", 1)
	f.Fuzz(func(t *testing.T, id, expected, observed, message string, width int) {
		r := newReport([]engine.Result{
			{ID: id, Category: "x", Status: engine.Fail, Severity: "low", Expected: expected, Observed: observed, Message: message},
			{ID: "x/ok", Category: "x", Status: engine.Pass, Severity: "low"},
		})
		out := render(t, r, report.TableOptions{Width: width % 400})
		if strings.ContainsAny(out, "\x1b\r\t") || !utf8.ValidString(out) {
			t.Errorf("unsafe output: %q", out)
		}
		if !strings.Contains(out, "\n  PASS    x/ok") {
			t.Errorf("layout broken: %q", out)
		}
	})
}
