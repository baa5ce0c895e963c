package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
)

func rep(machine string, checks ...Check) *Report {
	r := &Report{Schema: SchemaV1, Host: Host{Hostname: "h-" + machine, MachineID: machine}, Checks: checks}
	for _, c := range checks {
		r.Summary.add(c)
	}
	r.Verdict = r.Summary.Verdict()
	return r
}

func ck(id string, s engine.Status, observed string) Check {
	cat, _, _ := strings.Cut(id, "/")
	return Check{ID: id, Category: cat, Status: s, Observed: observed, Expected: ">= 1"}
}

func ids(cs []Change) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestCompareSortsEveryChangeIntoOneList(t *testing.T) {
	old := rep("m1",
		ck("a/fixed", engine.Fail, "0"),
		ck("a/fixed-warn", engine.Warn, "0"),
		ck("a/broke", engine.Pass, "1"),
		ck("a/warn-to-fail", engine.Warn, "0"),
		ck("a/fail-to-error", engine.Fail, "0"),
		ck("a/same", engine.Pass, "1"),
		ck("a/value", engine.Pass, "1"),
		ck("a/waived", engine.Fail, "0"),
		ck("a/gone", engine.Fail, "0"),
		ck("a/skip-to-pass", engine.Skip, ""),
	)
	new := rep("m1",
		ck("a/fixed", engine.Pass, "1"),
		ck("a/fixed-warn", engine.Pass, "1"),
		ck("a/broke", engine.Fail, "0"),
		ck("a/warn-to-fail", engine.Fail, "0"),
		ck("a/fail-to-error", engine.Error, ""),
		ck("a/same", engine.Pass, "1"),
		ck("a/value", engine.Pass, "2"),
		ck("a/waived", engine.Waived, "0"),
		ck("a/new-fail", engine.Error, ""),
		ck("a/new-pass", engine.Pass, "1"),
		ck("a/skip-to-pass", engine.Pass, "1"),
	)
	d := Compare(old, new)
	for _, tc := range []struct {
		name string
		got  []Change
		want []string
	}{
		{"new failures", d.NewFailures, []string{"a/broke", "a/warn-to-fail", "a/new-fail"}},
		{"fixed", d.Fixed, []string{"a/fixed", "a/fixed-warn"}},
		{"appeared", d.Appeared, []string{"a/new-pass"}},
		{"disappeared", d.Disappeared, []string{"a/gone"}},
		{"changed", d.Changed, []string{"a/fail-to-error", "a/value", "a/waived", "a/skip-to-pass"}},
	} {
		if got := ids(tc.got); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
		}
	}
	if d.Unchanged != 1 || !d.Regression || !d.SameHost {
		t.Errorf("unchanged %d regression %v same host %v", d.Unchanged, d.Regression, d.SameHost)
	}
	if c := d.Fixed[0]; c.OldStatus != engine.Fail || c.NewStatus != engine.Pass || c.OldObserved != "0" || c.NewObserved != "1" {
		t.Errorf("fixed change = %+v", c)
	}
	if c := d.Disappeared[0]; c.NewStatus != "" || c.OldStatus != engine.Fail {
		t.Errorf("disappeared change = %+v", c)
	}

	// Reversed, a lifted waiver is a new failure too: the finding counts again.
	back := Compare(new, old)
	if back.Regression != true || strings.Join(ids(back.NewFailures), ",") != "a/fixed,a/waived,a/gone" {
		t.Errorf("reversed: new failures %v", ids(back.NewFailures))
	}
}

func TestCompareWithoutNewFailuresIsNoRegression(t *testing.T) {
	d := Compare(rep("m1", ck("a/x", engine.Fail, "0")), rep("m2", ck("a/x", engine.Fail, "0"), ck("a/y", engine.Warn, "0")))
	if d.Regression || d.SameHost || len(d.Appeared) != 1 {
		t.Errorf("%+v", d)
	}
}

func TestDiffRenderers(t *testing.T) {
	old := rep("m1", ck("sysctl/fs.file-max", engine.Fail, "8192"), ck("os/eol", engine.Pass, "ok"))
	new := rep("m1", ck("sysctl/fs.file-max", engine.Pass, "2097152"), ck("os/eol", engine.Fail, "bad\x1b[31m\nline"))
	d := Compare(old, new)

	var tb bytes.Buffer
	if err := DiffTable(&tb, d); err != nil {
		t.Fatal(err)
	}
	out := tb.String()
	for _, want := range []string{"NEW FAILURE  os/eol", "FIXED        sysctl/fs.file-max  fail → pass  8192 → 2097152", "REGRESSION: 1 new failure"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, "bad\n") {
		t.Errorf("control characters reached the terminal:\n%q", out)
	}

	var mb bytes.Buffer
	if err := DiffMarkdown(&mb, d); err != nil {
		t.Fatal(err)
	}
	md := mb.String()
	for _, want := range []string{"## golive diff: h-m1 — REGRESSION: 1 new failure", "### New failures (1)", "### Fixed (1)",
		"| `sysctl/fs.file-max` | `fail` → `pass` | `8192` → `2097152` | `>= 1` |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "\x1b") || strings.Contains(md, "bad\n") {
		t.Errorf("control characters or a raw line break in markdown:\n%q", md)
	}

	var jb bytes.Buffer
	if err := DiffJSON(&jb, d); err != nil {
		t.Fatal(err)
	}
	var back Diff
	if err := json.Unmarshal(jb.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Schema != DiffSchemaV1 || !back.Regression || len(back.Fixed) != 1 || back.NewFailures[0].NewObserved != "bad\x1b[31m\nline" {
		t.Errorf("json round trip: %+v", back)
	}
}

func TestReadRejectsWhatIsNotAReport(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"not json", "{", "not JSON"},
		{"no schema", `{"checks": []}`, `no "schema"`},
		{"other schema", `{"schema": "golive/report/v9"}`, `schema "golive/report/v9"`},
		{"bad status", `{"schema": "golive/report/v1", "checks": [{"id": "a/b", "status": "great"}]}`, `unknown status "great"`},
		{"no id", `{"schema": "golive/report/v1", "checks": [{"status": "pass"}]}`, "has no id"},
		{"duplicate", `{"schema": "golive/report/v1", "checks": [{"id": "a", "status": "pass"}, {"id": "a", "status": "fail"}]}`, "twice"},
		{"wrong type", `{"schema": "golive/report/v1", "checks": {}}`, "not a valid"},
	} {
		_, err := Read(strings.NewReader(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
	big := strings.NewReader(`{"schema":"` + strings.Repeat(" ", MaxReportSize) + `"}`)
	if _, err := Read(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized: %v", err)
	}
}

// FuzzRead: a report read back is outside input; reading and diffing it
// never panics, and what Read accepts can be compared and rendered.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"schema": "golive/report/v1", "checks": [{"id": "a/b", "status": "fail", "observed": "x"}]}`))
	f.Add([]byte(`{"schema": "golive/report/v1", "host": {"machine_id": "m"}, "checks": []}`))
	f.Add([]byte(`{"schema": "golive/report/v1", "checks": [{"id": "a", "status": "waived", "details": {"k": [1, {"x": null}]}}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		d := Compare(r, r)
		if d.Regression {
			t.Errorf("a report regresses against itself: %+v", d.NewFailures)
		}
		if err := DiffTable(&bytes.Buffer{}, Compare(&Report{}, r)); err != nil {
			t.Errorf("table: %v", err)
		}
		if err := DiffJSON(&bytes.Buffer{}, d); err != nil {
			t.Errorf("json: %v", err)
		}
		var md bytes.Buffer
		if err := DiffMarkdown(&md, Compare(&Report{}, r)); err != nil {
			t.Errorf("markdown: %v", err)
		}
		for _, line := range strings.Split(md.String(), "\n") {
			if strings.HasPrefix(line, "| ") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 5 && !strings.HasPrefix(line, "| |") && !strings.HasPrefix(line, "| old") && !strings.HasPrefix(line, "| new") && !strings.HasPrefix(line, "| ---") {
				t.Errorf("a table row with the wrong number of cells: %q", line)
			}
		}
	})
}
