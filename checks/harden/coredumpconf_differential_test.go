package harden

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
	"github.com/golive-sh/golive/internal/testgen"
)

// TestCoredumpConfAgreesWithCatConfig: which coredump.conf files systemd
// reads, in which order, and what Storage=, ProcessSizeMax= and MaxUse=
// end up as, on generated trees (main files in any of systemd's four
// places, drop-ins clashing by name across the four .d directories, links
// to /dev/null), against `systemd-analyze --root cat-config`, which lists
// the files systemd-coredump applies in its own order.
func TestCoredumpConfAgreesWithCatConfig(t *testing.T) {
	testenv.NeedCommand(t, "systemd-analyze", "systemd")
	r := rand.New(rand.NewPCG(17, 12))
	cases := 120
	if testing.Short() {
		cases = 30
	}
	for i := range cases {
		root := t.TempDir()
		if err := testgen.SystemdConfTree(r, root, "coredump.conf", "Coredump", map[string][]string{
			"Storage":        {"none", "external", "journal", ""},
			"ProcessSizeMax": {"1G", "512M", "2G", ""},
			"MaxUse":         {"100M", "4G", ""},
		}); err != nil {
			t.Fatal(err)
		}
		files, want, err := testgen.CatConfig(root, "coredump.conf", "Coredump")
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		h, err := host.New(root)
		if err != nil {
			t.Fatal(err)
		}
		s := readCoredump(h)
		if !slices.Equal(s.Files, files) {
			t.Errorf("case %d: golive reads %v, systemd %v", i, s.Files, files)
		}
		got := map[string]string{}
		for k, v := range map[string]string{"Storage": s.Storage, "ProcessSizeMax": s.ProcessSizeMax, "MaxUse": s.MaxUse} {
			if s.From[k] != "" && v != "" {
				got[k] = v
			}
		}
		// Storage= set back to empty restores the default, external.
		if want["Storage"] == "" && got["Storage"] == "external" {
			delete(got, "Storage")
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
