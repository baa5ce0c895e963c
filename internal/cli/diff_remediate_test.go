package cli_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// TestDiffBeforeAndAfterRemediation is issue 7's acceptance: reports of
// the same root before and after its remediation script ran; diff lists
// the fixed checks and exits 0, and reversed (the fixes undone) exits 1.
func TestDiffBeforeAndAfterRemediation(t *testing.T) {
	testenv.NeedCommand(t, "bash", "bash")
	demo := filepath.Join(repoRoot(t), "testdata", "golive-demo.yaml")
	for _, name := range []string{"centos-7", "rocky-9"} {
		t.Run(name, func(t *testing.T) {
			root := copyRoot(t, name)
			work := t.TempDir()
			before, after, script := filepath.Join(work, "before.json"), filepath.Join(work, "after.json"), filepath.Join(work, "fix.sh")
			check := func(out string) {
				if r := exe(t, golive, work, nil, "check", "--root", root, "--config", demo, "--format", "json", "--output", out); r.code > 1 {
					t.Fatalf("check: exit %d: %s", r.code, r.stderr)
				}
			}
			check(before)
			if r := exe(t, golive, work, nil, "remediate", "--from", before, "-o", script); r.code != 0 {
				t.Fatalf("remediate: exit %d: %s", r.code, r.stderr)
			}
			if r := applyScript(t, script, root); r.code != 0 {
				t.Fatalf("apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			check(after)

			r := exe(t, golive, work, nil, "diff", "--format", "json", before, after)
			if r.code != 0 {
				t.Fatalf("diff before after: exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
			}
			var d struct {
				Regression  bool
				NewFailures []struct{ ID string } `json:"new_failures"`
				Fixed       []struct {
					ID        string
					OldStatus string `json:"old_status"`
					NewStatus string `json:"new_status"`
				}
			}
			if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
				t.Fatal(err)
			}
			var fixedFailures []string
			for _, f := range d.Fixed {
				if f.NewStatus != "pass" {
					t.Errorf("fixed %s is %s", f.ID, f.NewStatus)
				}
				if f.OldStatus == "fail" {
					fixedFailures = append(fixedFailures, f.ID)
				}
			}
			if d.Regression || len(d.NewFailures) > 0 || len(fixedFailures) == 0 {
				t.Fatalf("diff: regression %v, new failures %v, fixed failures %v", d.Regression, d.NewFailures, fixedFailures)
			}
			t.Logf("fixed: %v", fixedFailures)

			table := exe(t, golive, work, nil, "diff", before, after)
			for _, id := range fixedFailures {
				if !strings.Contains(table.stdout, id) {
					t.Errorf("the table does not list %s:\n%s", id, table.stdout)
				}
			}
			if back := exe(t, golive, work, nil, "diff", after, before); back.code != 1 || !strings.Contains(back.stdout, "REGRESSION") {
				t.Errorf("diff after before: exit %d, want 1 with the regression\n%s", back.code, back.stdout)
			}
		})
	}
}
