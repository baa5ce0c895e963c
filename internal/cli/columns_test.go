package cli_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestNonPassColumnsTellTheDifference runs the full check on every fixture
// root and holds every result that is not a pass to EXPECTED and OBSERVED
// that read differently: a warning that shows "v1" against "v1" leaves the
// reader to find in the message what is wrong. A skip or a waiver with
// neither column filled says nothing in them and is not held to this.
func TestNonPassColumnsTellTheDifference(t *testing.T) {
	for _, root := range fixtureRoots {
		t.Run(root, func(t *testing.T) {
			code, out, stderr := runInProcess(t, "check", "--offline", "--root", filepath.Join("..", "..", "testdata", "roots", root), "--format", "json")
			if code > 1 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var rep struct {
				Checks []struct{ ID, Status, Expected, Observed string }
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			for _, c := range rep.Checks {
				if c.Status == "pass" || c.Expected == "" && c.Observed == "" {
					continue
				}
				if leadingValue(c.Expected) == leadingValue(c.Observed) {
					t.Errorf("%s is %s with EXPECTED %q and OBSERVED %q: the columns read the same", c.ID, c.Status, c.Expected, c.Observed)
				}
			}
		})
	}
}

// leadingValue is what a column says before its explanation: "v1" of
// "v1 (tmpfs on /sys/fs/cgroup, ...)", "4096" of "4096; not persisted".
func leadingValue(s string) string {
	if i := strings.IndexAny(s, "(;"); i >= 0 {
		s = s[:i]
	}
	return strings.ToLower(strings.TrimSpace(s))
}
