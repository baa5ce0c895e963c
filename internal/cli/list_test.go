package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// list --offline plans what check --offline plans and marks the network
// checks check would skip; the flag, GOLIVE_OFFLINE's flag name and
// options: offline all say so.
func TestListOfflineMarksNetworkChecks(t *testing.T) {
	type listed struct {
		Checks []struct {
			ID      string
			Network bool
			Offline bool
		}
	}
	read := func(t *testing.T, args ...string) listed {
		t.Helper()
		code, out, errb := runInProcess(t, append([]string{"list", "--root", "../../testdata/roots/rocky-9", "--format", "json"}, args...)...)
		var l listed
		if code != 0 || json.Unmarshal([]byte(out), &l) != nil {
			t.Fatalf("list %v: exit %d %s", args, code, errb)
		}
		return l
	}
	// TestMain sets GOLIVE_OFFLINE for every test; list runs nothing, so
	// this one can do without it, and options: is then what is read.
	t.Setenv("GOLIVE_OFFLINE", "")
	cfg := writeConfig(t, "extends: auto\noptions:\n  offline: true\n")
	for name, args := range map[string][]string{"flag": {"--offline"}, "options": {"--config", cfg}} {
		network := 0
		for _, c := range read(t, args...).Checks {
			if c.Offline != c.Network {
				t.Errorf("%s: %s network %v, offline mark %v", name, c.ID, c.Network, c.Offline)
			}
			if c.Network {
				network++
			}
		}
		if network == 0 {
			t.Errorf("%s: rocky-9 plans no network check: the test tests nothing", name)
		}
	}
	for _, c := range read(t).Checks {
		if c.Offline {
			t.Errorf("without --offline %s is marked offline", c.ID)
		}
	}
	_, out, _ := runInProcess(t, "list", "--root", "../../testdata/roots/rocky-9", "--offline", "--only", "dns/nameserver:*")
	if !strings.Contains(out, "skipped, --offline") {
		t.Errorf("the table does not say --offline skips the nameserver checks:\n%s", out)
	}
}
