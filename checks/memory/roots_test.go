package memory

import (
	"testing"

	"github.com/golive-sh/golive/internal/engine"
)

// The verdicts testdata/roots/README.md ("swap fixtures") documents.
func TestFixtureRootVerdicts(t *testing.T) {
	cases := map[string]struct {
		status  engine.Status
		words   []string
		actions string
	}{
		"centos-7":     {engine.Warn, []string{"on: /dev/dm-1 (partition, 2 GiB, 10 MiB used); vm.swappiness 30", "10 MiB is swapped out"}, "command manual sysctl-set"},
		"ubuntu-22.04": {engine.Warn, []string{"off; vm.swappiness 60", "the next boot turns it on: /etc/fstab:12 (/swap.img)"}, "manual sysctl-set"},
		"rocky-9":      {engine.Pass, []string{"no swap is active"}, ""},
		"broken":       {engine.Warn, []string{"2 swap areas active", "/swapfile (deleted)", "1 GiB is swapped out", "3 malformed line(s)"}, "command manual"},
	}
	for root, c := range cases {
		t.Run(root, func(t *testing.T) {
			r := fixture(t, root)
			want(t, r, c.status, c.words...)
			if got := kinds(r.Remediation); got != c.actions {
				t.Errorf("actions %q, want %q", got, c.actions)
			}
		})
	}
	if p := fixture(t, "broken").Details["swappiness_problem"]; p != `/proc/sys/vm/swappiness: "sixty" is not a number` {
		t.Errorf("broken swappiness problem %v", p)
	}
}

// Through the engine's registry, as `golive check` and `golive explain` use it.
func TestRegisteredWithTheEngine(t *testing.T) {
	checks, err := engine.Build(testProfile(t, "memory: {swap: \"off\"}\n"))
	if err != nil || len(checks) != 1 || checks[0].ID() != "memory/swap" {
		t.Fatalf("%v %v", checks, err)
	}
	if m, ok := engine.Explain("memory/swap"); !ok || m.Category != kind {
		t.Errorf("explain: %+v %v", m, ok)
	}
}
