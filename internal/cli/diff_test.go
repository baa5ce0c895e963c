package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/cli"
)

// twoCentOS7Reports writes a report of centos-7 as it is, and one where
// the profile no longer asks fs.file-max for more than the host has.
func twoCentOS7Reports(t *testing.T) (before, after string) {
	t.Helper()
	dir := t.TempDir()
	before, after = filepath.Join(dir, "before.json"), filepath.Join(dir, "after.json")
	root := "../../testdata/roots/centos-7"
	if code, _, stderr := runInProcess(t, "check", "--root", root, "--format", "json", "--output", before); code != 1 {
		t.Fatalf("before: exit %d %s", code, stderr)
	}
	cfg := writeConfig(t, "extends: auto\nsysctl:\n  fs.file-max: \">= 1\"\n")
	if code, _, stderr := runInProcess(t, "check", "--root", root, "--config", cfg, "--format", "json", "--output", after); code != 1 {
		t.Fatalf("after: exit %d %s", code, stderr)
	}
	return before, after
}

func TestDiffGatesOnRegressions(t *testing.T) {
	before, after := twoCentOS7Reports(t)

	code, out, stderr := runInProcess(t, "diff", before, after)
	if code != 0 {
		t.Fatalf("diff before after: exit %d, want 0 (nothing new failed); stderr %s\n%s", code, stderr, out)
	}
	if !strings.Contains(out, "FIXED") || !strings.Contains(out, "sysctl/fs.file-max") || !strings.Contains(out, "fail → pass") {
		t.Errorf("the fix is not listed:\n%s", out)
	}

	code, out, _ = runInProcess(t, "diff", after, before)
	if code != 1 {
		t.Errorf("diff after before: exit %d, want 1 (fs.file-max fails again)", code)
	}
	if !strings.Contains(out, "NEW FAILURE") || !strings.Contains(out, "REGRESSION") {
		t.Errorf("the regression is not shown:\n%s", out)
	}

	code, out, _ = runInProcess(t, "diff", "--format", "markdown", after, before)
	if code != 1 || !strings.Contains(out, "REGRESSION: 1 new failure") || !strings.Contains(out, "| `sysctl/fs.file-max` | `pass` → `fail` |") {
		t.Errorf("markdown: exit %d\n%s", code, out)
	}

	code, out, _ = runInProcess(t, "diff", "--format", "json", after, before)
	var d struct {
		Schema      string
		Regression  bool
		NewFailures []struct {
			ID        string
			OldStatus string `json:"old_status"`
			NewStatus string `json:"new_status"`
		} `json:"new_failures"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if code != 1 || d.Schema != "golive/diff/v1" || !d.Regression || len(d.NewFailures) != 1 ||
		d.NewFailures[0].ID != "sysctl/fs.file-max" || d.NewFailures[0].OldStatus != "pass" || d.NewFailures[0].NewStatus != "fail" {
		t.Errorf("exit %d, diff %+v", code, d)
	}
}

func TestDiffReadsStandardInputAndWritesAFile(t *testing.T) {
	before, after := twoCentOS7Reports(t)
	data, err := os.ReadFile(after)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "delta.json")
	var stdout, stderr strings.Builder
	code := execWithStdin(string(data), &stdout, &stderr, "diff", "--format", "json", "--output", out, before, "-")
	if code != 0 || stdout.Len() != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	written, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(written), `"fixed"`) {
		t.Errorf("%s: %v %s", out, err, written)
	}
}

func TestDiffRejectsBadInput(t *testing.T) {
	before, _ := twoCentOS7Reports(t)
	notReport := writeConfig(t, `{"schema": "something/else"}`)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{"diff", before, "/nonexistent.json"}, "/nonexistent.json"},
		{"not a report", []string{"diff", before, notReport}, `schema "something/else"`},
		{"a directory", []string{"diff", before, t.TempDir()}, "not a regular file"},
		{"both stdin", []string{"diff", "-", "-"}, "only one"},
		{"bad format", []string{"diff", "--format", "xml", before, before}, `--format "xml"`},
		{"one argument", []string{"diff", before}, "accepts 2 arg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runInProcess(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q, want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

func execWithStdin(stdin string, out, errw *strings.Builder, args ...string) int {
	return cli.Execute(args, cli.IO{
		In: strings.NewReader(stdin), Out: out, Err: errw,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return goldenNow },
	})
}
