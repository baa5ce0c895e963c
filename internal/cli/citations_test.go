package cli_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// seedCitation is a citation of golive's internal field notes, which are
// not shipped: "seed 000", "003_2c6fb213591457c8.txt".
var seedCitation = regexp.MustCompile(`(?i)\bseeds?\b|\b00\d_[0-9a-f]{16}\.txt`)

// What explain says about every check a built-in profile plans (the demo
// service adds the unit's systemd, rlimit and cgroup checks), and the fixes
// remediate would write into /etc, cite only what a user has: the source
// itself or docs/; a drop-in written into /etc names golive and its check.
func TestUserVisibleTextCitesNoSeed(t *testing.T) {
	demo, err := filepath.Abs("../../testdata/golive-demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	explained := 0
	for _, root := range []string{"centos-7", "rocky-9", "ubuntu-22.04"} {
		rootDir := fixtureRoot(root)
		ids := reportIDs(t, mustRun(t, "list", "--root", rootDir, "--config", demo, "--format", "json"))
		for _, id := range ids {
			code, out, errb := runInProcess(t, "explain", id, "--root", rootDir, "--config", demo)
			if code != 0 {
				t.Fatalf("explain %s: exit %d %s", id, code, errb)
			}
			if m := seedCitation.FindString(out); m != "" {
				t.Errorf("explain %s (%s) cites %q:\n%s", id, root, m, out)
			}
			explained++
		}
		script := runWithInput(t, nil, "remediate", "--root", rootDir, "--config", demo, "--offline", "-q").stdout
		if m := seedCitation.FindString(script); m != "" {
			t.Errorf("remediate on %s cites %q", root, m)
		}
		for _, l := range strings.Split(script, "\n") {
			if strings.Contains(l, "# Written by golive") && !strings.Contains(l, "for check") {
				t.Errorf("a drop-in comment on %s names no check: %s", root, l)
			}
		}
	}
	if explained < 50 {
		t.Errorf("only %d checks explained: the test tests little", explained)
	}
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errb := runInProcess(t, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d %s", args, code, errb)
	}
	return out
}
