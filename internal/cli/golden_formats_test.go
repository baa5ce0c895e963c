package cli_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/golive-sh/golive/internal/testenv"
)

// The text formats' goldens for the rocky-9 fixture root. Timings and the
// start time come from the wall clock and the root is an absolute path, so
// each format's normaliser pins exactly those, and nothing else.
var formatNormalisers = map[string][]struct {
	re   *regexp.Regexp
	with string
}{
	"junit": {
		{regexp.MustCompile(` time="[0-9]+\.[0-9]+"`), ` time="0.000000"`},
		{regexp.MustCompile(` timestamp="[0-9T:-]+"`), ` timestamp="2026-11-21T10:00:00"`},
		{regexp.MustCompile(`(name="golive.started_at" value=")[^"]+"`), `${1}2026-11-21T10:00:00Z"`},
	},
	"markdown": {
		{regexp.MustCompile(`started [0-9T:.Z-]+, took [0-9.]+ ms`), `started 2026-11-21T10:00:00Z, took 0.0 ms`},
	},
	"prom": {
		{regexp.MustCompile(`(?m)^golive_run_timestamp_seconds .+$`), `golive_run_timestamp_seconds 1795255200.000`},
		{regexp.MustCompile(`(?m)^golive_run_duration_seconds .+$`), `golive_run_duration_seconds 0`},
	},
}

var goldenExt = map[string]string{"junit": ".junit.xml", "markdown": ".md", "prom": ".prom"}

func TestGoldenTextFormats(t *testing.T) {
	const root = "rocky-9"
	rootDir := filepath.Join("..", "..", "testdata", "roots", root)
	absRoot, err := filepath.Abs(rootDir)
	if err != nil {
		t.Fatal(err)
	}
	for format, rules := range formatNormalisers {
		t.Run(format, func(t *testing.T) {
			code, out, stderr := runInProcess(t, "check", "--root", rootDir, "--format", format)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
			}
			got := strings.ReplaceAll(out, absRoot, "testdata/roots/"+root)
			for _, r := range rules {
				if !r.re.MatchString(got) {
					t.Fatalf("normaliser %s matches nothing: the format changed", r.re)
				}
				got = r.re.ReplaceAllString(got, r.with)
			}
			golden := filepath.Join("testdata", "golden", root+goldenExt[format])
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s output differs from %s (go test ./internal/cli -update rewrites it after review):\n%s", format, golden, firstDiff(string(want), got))
			}
		})
	}
}

// goldenSummary is the rocky-9 JSON golden's verdict and statuses: the
// text goldens must say the same.
func goldenSummary(t *testing.T) (map[string]int, map[string]string, map[string]bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden", "rocky-9.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Summary map[string]int `json:"summary"`
		Checks  []struct {
			ID, Category, Status string
		} `json:"checks"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	statuses, categories := map[string]string{}, map[string]bool{}
	for _, c := range rep.Checks {
		statuses[c.ID] = c.Status
		categories[c.Category] = true
	}
	return rep.Summary, statuses, categories
}

func TestJUnitGoldenIsValid(t *testing.T) {
	xmllint := testenv.NeedCommand(t, "xmllint", "libxml2-utils")
	golden := filepath.Join("testdata", "golden", "rocky-9.junit.xml")
	schema := filepath.Join("..", "report", "testdata", "junit.xsd")
	if out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", schema, golden).CombinedOutput(); err != nil {
		t.Fatalf("%s does not match the JUnit schema: %v\n%s", golden, err, out)
	}
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Hostname string `xml:"hostname,attr"`
			Cases    []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
				Error   *struct{} `xml:"error"`
				Skipped *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	sum, statuses, categories := goldenSummary(t)
	if doc.Tests != sum["total"] || doc.Failures != sum["fail"] || doc.Errors != sum["error"] || doc.Skipped != sum["skip"]+sum["waived"] {
		t.Errorf("counts %d/%d/%d/%d disagree with the JSON golden's summary %v", doc.Tests, doc.Failures, doc.Errors, doc.Skipped, sum)
	}
	if len(doc.Suites) != len(categories) {
		t.Errorf("%d suites for %d categories", len(doc.Suites), len(categories))
	}
	for _, s := range doc.Suites {
		if s.Hostname != "r9-app01" || !strings.HasPrefix(s.Name, "r9-app01/") {
			t.Errorf("suite %q hostname %q", s.Name, s.Hostname)
		}
		for _, c := range s.Cases {
			got := "pass"
			switch {
			case c.Failure != nil:
				got = "fail"
			case c.Error != nil:
				got = "error"
			case c.Skipped != nil:
				got = "skip"
			}
			want := statuses[c.Name]
			if want == "warn" {
				want = "pass"
			}
			if want == "waived" {
				want = "skip"
			}
			if got != want {
				t.Errorf("%s is a %s test case; the JSON golden says %s", c.Name, got, statuses[c.Name])
			}
		}
	}
}

func parsePromFile(t *testing.T, path string) map[string]*dto.MetricFamily {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return families
}

func TestPromGoldenIsValid(t *testing.T) {
	families := parsePromFile(t, filepath.Join("testdata", "golden", "rocky-9.prom"))
	_, statuses, _ := goldenSummary(t)
	hot := map[string]string{}
	for _, m := range families["golive_check_status"].GetMetric() {
		l := map[string]string{}
		for _, p := range m.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		if m.GetGauge().GetValue() == 1 {
			hot[l["id"]] = l["status"]
		}
	}
	if len(hot) != len(statuses) {
		t.Errorf("%d checks have a status series at 1, the JSON golden has %d checks", len(hot), len(statuses))
	}
	for id, st := range statuses {
		if hot[id] != st {
			t.Errorf("%s: status %q in prom, %q in the JSON golden", id, hot[id], st)
		}
	}
	for _, m := range families["golive_run_verdict"].GetMetric() {
		if (m.GetLabel()[0].GetValue() == "fail") != (m.GetGauge().GetValue() == 1) {
			t.Errorf("verdict series %v; the run failed", m)
		}
	}
}

// TestPromOutputFile: --format prom --output writes the textfile (through
// a temporary file and a rename, so node_exporter never reads half of it),
// readable by node_exporter, with nothing left beside it.
func TestPromOutputFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "golive.prom")
	code, out, stderr := runInProcess(t, "check", "--root", filepath.Join("..", "..", "testdata", "roots", "rocky-9"),
		"--format", "prom", "--output", path)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, stderr)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644 so node_exporter can read it", fi.Mode().Perm())
	}
	families := parsePromFile(t, path)
	for _, name := range []string{"golive_check_status", "golive_checks", "golive_run_verdict",
		"golive_run_timestamp_seconds", "golive_run_duration_seconds", "golive_info"} {
		if families[name] == nil {
			t.Errorf("%s missing from %s", name, path)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files beside the report: %v", names)
	}
}
