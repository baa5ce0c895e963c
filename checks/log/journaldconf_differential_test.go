package logs

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
	"github.com/golive-sh/golive/internal/testgen"
)

// TestJournaldConfAgreesWithCatConfig: which journald.conf files systemd
// reads, in which order, and what the keys golive reads end up as, on
// generated trees, against `systemd-analyze --root cat-config` (as for
// coredump.conf in checks/harden).
func TestJournaldConfAgreesWithCatConfig(t *testing.T) {
	testenv.NeedCommand(t, "systemd-analyze", "systemd")
	r := rand.New(rand.NewPCG(19, 12))
	cases := 120
	if testing.Short() {
		cases = 30
	}
	for i := range cases {
		root := t.TempDir()
		if err := testgen.SystemdConfTree(r, root, "journald.conf", "Journal", map[string][]string{
			"Storage":         {"auto", "persistent", "volatile", "none", ""},
			"SystemMaxUse":    {"1G", "500M", ""},
			"SystemKeepFree":  {"2G", ""},
			"MaxRetentionSec": {"1month", ""},
		}); err != nil {
			t.Fatal(err)
		}
		files, want, err := testgen.CatConfig(root, "journald.conf", "Journal")
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		h, err := host.New(root)
		if err != nil {
			t.Fatal(err)
		}
		c := readJournald(h)
		if !slices.Equal(c.Files, files) {
			t.Errorf("case %d: golive reads %v, systemd %v", i, c.Files, files)
		}
		got := map[string]string{}
		for k, s := range c.Keys {
			got[k] = s.Value
		}
		if len(got) != len(want) {
			t.Errorf("case %d: golive %v, systemd %v (files %v)", i, got, want, files)
			continue
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("case %d: %s: golive %q, systemd %q (files %v)", i, k, got[k], v, files)
			}
		}
	}
}
