package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/golive-sh/golive/internal/cli"
)

// TestCommandsPlanTheSameChecks: check, remediate, list and explain, given
// the same root, profile and selection, plan the same check IDs in the same
// order (or all refuse the selection with exit 2), over every fixture root
// and with no config, the demo profile, and the demo profile with waivers
// (one that matches, one that matches nothing).
func TestCommandsPlanTheSameChecks(t *testing.T) {
	roots, err := os.ReadDir("../../testdata/roots")
	if err != nil {
		t.Fatal(err)
	}
	demo, err := filepath.Abs("../../testdata/golive-demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	waivers := writeConfig(t, "extends: "+demo+`
waivers:
  - check: os
    reason: the image is rebuilt on the next release
    ticket: OPS-1
    expires: 2099-12-31
  - check: sysctl/net.core.somaxconnn
    reason: a typo on purpose
    ticket: OPS-2
    expires: 2099-12-31
`)
	configs := map[string][]string{"none": nil, "demo": {"--config", demo}, "waivers": {"--config", waivers}}
	selections := map[string][]string{
		"all":        nil,
		"skip-os":    {"--skip", "os"},
		"only-waive": {"--only", "waiver/*", "--only", "sysctl/*"},
		"no-waivers": {"--no-waivers", "--skip", "sysctl/*"},
		"typo":       {"--only", "nosuch/*"},
		// A --binary artifact adds libc checks; the category and the
		// glob select them together with the network checks --offline
		// skips (list is given --offline too: it marks them, plans them).
		"binary": {"--binary", "/bin/ls", "--only", "libc", "--only", "dns/*", "--skip", "dns/config"},
	}

	var plans [][]string
	defer cli.ObservePlans(func(ids []string) { plans = append(plans, ids) })()
	// planOf runs one command and returns the plan it prepared (nil if it
	// prepared none) and its exit code.
	planOf := func(t *testing.T, args ...string) ([]string, int, string) {
		t.Helper()
		plans = nil
		code, out, errb := runInProcess(t, args...)
		if len(plans) > 1 {
			t.Fatalf("%v prepared %d plans", args, len(plans))
		}
		if code > 1 && code != 2 {
			t.Fatalf("%v: exit %d: %s", args, code, errb)
		}
		if len(plans) == 0 {
			return nil, code, out
		}
		return plans[0], code, out
	}

	dirs, compared, withWaiverChecks := 0, 0, 0
	for _, root := range roots {
		if !root.IsDir() {
			continue
		}
		dirs++
		rootDir := filepath.Join("../../testdata/roots", root.Name())
		for cname, config := range configs {
			for sname, sel := range selections {
				t.Run(root.Name()+"/"+cname+"/"+sname, func(t *testing.T) {
					flags := append(append([]string{"--root", rootDir}, config...), sel...)
					checkPlan, checkCode, report := planOf(t, append([]string{"check", "--offline", "--format", "json"}, flags...)...)
					remPlan, remCode, _ := planOf(t, append([]string{"remediate", "--offline", "-q"}, flags...)...)
					listPlan, listCode, listed := planOf(t, append([]string{"list", "--offline", "--format", "json"}, flags...)...)
					explainPlan, explainCode, _ := planOf(t, append([]string{"explain", "os/eol"}, flags...)...)

					if checkPlan == nil {
						// Refused: every command refuses it the same way.
						for cmd, code := range map[string]int{"check": checkCode, "remediate": remCode, "list": listCode, "explain": explainCode} {
							if code != 2 {
								t.Errorf("%s: exit %d; check refused this selection with exit %d", cmd, code, checkCode)
							}
						}
						for cmd, p := range map[string][]string{"remediate": remPlan, "list": listPlan, "explain": explainPlan} {
							if p != nil {
								t.Errorf("%s planned %d checks where check refused the selection", cmd, len(p))
							}
						}
						if sname != "typo" && !(sname == "only-waive" && cname != "waivers") {
							t.Errorf("check refused the selection %v: exit %d", sel, checkCode)
						}
						return
					}
					for cmd, p := range map[string][]string{"remediate": remPlan, "list": listPlan, "explain": explainPlan} {
						if !slices.Equal(p, checkPlan) {
							t.Errorf("%s planned %d checks, check %d:\n%s: %v\ncheck: %v", cmd, len(p), len(checkPlan), cmd, p, checkPlan)
						}
					}
					// What was observed is what the commands show.
					if got := reportIDs(t, report); !slices.Equal(got, checkPlan) {
						t.Errorf("check's report has %v, its plan %v", got, checkPlan)
					}
					if got := reportIDs(t, listed); !slices.Equal(got, checkPlan) {
						t.Errorf("list shows %v, check planned %v", got, checkPlan)
					}
					if slices.Contains(checkPlan, "waiver/sysctl/net.core.somaxconnn") {
						withWaiverChecks++
					}
					compared++
				})
			}
		}
	}
	t.Logf("%d roots x %d configs x %d selections: %d plans compared across 4 commands, %d with a waiver check",
		dirs, len(configs), len(selections), compared, withWaiverChecks)
	if withWaiverChecks == 0 {
		t.Error("no plan had the unmatched waiver's check: the waiver case tests nothing")
	}
}

// reportIDs reads the IDs of a JSON report's or list's checks.
func reportIDs(t *testing.T, data string) []string {
	t.Helper()
	var doc struct {
		Checks []struct {
			ID string `json:"id"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(data), &doc); err != nil {
		t.Fatalf("%v: %.200s", err, data)
	}
	ids := make([]string, len(doc.Checks))
	for i, c := range doc.Checks {
		ids[i] = c.ID
	}
	return ids
}
