package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/cli"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

// TestReportFlagWritesEveryFormatFromOneRun: the terminal gets the table,
// and every other format goes to a file, all from the same run (one
// started_at, one set of results).
func TestReportFlagWritesEveryFormatFromOneRun(t *testing.T) {
	dir := t.TempDir()
	args := []string{"check", "--root", "../../testdata/roots/centos-7", "--format", "table"}
	paths := map[string]string{}
	for _, f := range cli.ReportFormats() {
		paths[f] = filepath.Join(dir, "report."+f)
		args = append(args, "--report", f+"="+paths[f])
	}
	code, out, stderr := runInProcess(t, args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (centos-7 is not ready); stderr %s", code, stderr)
	}
	if !strings.Contains(out, "verdict: FAIL") {
		t.Errorf("stdout is not the table:\n%s", out)
	}
	for f, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("--report %s: %v", f, err)
		}
		if len(data) == 0 {
			t.Errorf("--report %s wrote nothing", f)
		}
	}
	json, err := os.ReadFile(paths["json"])
	if err != nil {
		t.Fatal(err)
	}
	if err := reporttest.Validate(json); err != nil {
		t.Errorf("--report json: %v", err)
	}
	// The table file is the same table, without colour.
	table, _ := os.ReadFile(paths["table"])
	if string(table) != out {
		t.Errorf("--report table differs from the terminal table")
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestReportFlagErrorsExit2BeforeRunning(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no path", []string{"--report", "json"}, "use FORMAT=PATH"},
		{"empty path", []string{"--report", "json="}, "use FORMAT=PATH"},
		{"unknown format", []string{"--report", "yaml=" + filepath.Join(dir, "r.yaml")}, `unknown format "yaml"`},
		{"missing directory", []string{"--report", "json=" + filepath.Join(dir, "nope", "r.json")}, "no such file or directory"},
		{"same path twice", []string{"--report", "json=" + filepath.Join(dir, "r"), "--report", "table=" + filepath.Join(dir, "r")}, "already writes"},
		{"same path as --output", []string{"--output", filepath.Join(dir, "r"), "--report", "table=" + filepath.Join(dir, "r")}, "--output already writes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"check", "--root", "../../testdata/roots/centos-7"}, tc.args...)
			code, out, stderr := runInProcess(t, args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q, want 2 and %q", code, stderr, tc.want)
			}
			if out != "" {
				t.Errorf("checks ran before the flag error: %s", out)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written despite the errors: %v", entries)
	}
}
