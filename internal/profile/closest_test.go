package profile

import (
	"math"
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

func TestVersionDistance(t *testing.T) {
	cases := []struct {
		pattern, version string
		want             float64
	}{
		{"9*", "8.10", 0.9},
		{"7*", "6", 1},
		{"22.04", "20.04", 2},
		{"9*", "9", 0},
		{"*", "9", math.Inf(1)},
		{"9*", "rolling", math.Inf(1)},
		{"2023", "2", 2021},
	}
	for _, c := range cases {
		if got := versionDistance(c.pattern, c.version); math.Abs(got-c.want) > 1e-9 && got != c.want {
			t.Errorf("versionDistance(%q, %q) = %v, want %v", c.pattern, c.version, got, c.want)
		}
	}
}

// TestClosestPrefersSameIDThenNearestVersion: of the built-ins, one with a
// rule for the host's own ID wins over an ID_LIKE relative, and of several
// releases of that ID the numerically nearest; nothing related is no
// answer. The releases are made from the built-ins' own rules.
func TestClosestPrefersSameIDThenNearestVersion(t *testing.T) {
	byID := map[string][]string{} // ID -> built-ins with a rule for it
	for _, name := range Builtins() {
		for _, m := range BuiltinMatch(name) {
			if m.ID != "" {
				byID[m.ID] = append(byID[m.ID], name)
			}
		}
	}
	if len(byID) == 0 {
		t.Fatal("no built-in has an ID rule")
	}
	for id, names := range byID {
		// Far below every release of the ID: the nearest is the lowest.
		rel := host.OSRelease{ID: id, IDLike: []string{"zz-unrelated"}, VersionID: "0.1"}
		got, why, ok := Closest(rel)
		if !ok || why != "ID="+id {
			t.Errorf("ID=%s: %s by %q, want a built-in of the same ID", id, got, why)
			continue
		}
		lowest, low := "", math.Inf(1)
		for _, n := range names {
			for _, m := range BuiltinMatch(n) {
				if m.ID == id {
					if d := versionDistance(m.VersionID, "0"); d < low {
						lowest, low = n, d
					}
				}
			}
		}
		if got != lowest {
			t.Errorf("ID=%s VERSION_ID=0.1: closest %s, want the lowest release %s", id, got, lowest)
		}
		// A derivative that names the ID only in ID_LIKE is related too.
		got, why, ok = Closest(host.OSRelease{ID: "zz-derivative", IDLike: []string{id}, VersionID: "0.1"})
		if !ok || why != "ID_LIKE="+id {
			t.Errorf("ID_LIKE=%s: %s by %q, want a relative through ID_LIKE", id, got, why)
		}
	}
	if name, why, ok := Closest(host.OSRelease{ID: "zz-plan9", VersionID: "4"}); ok {
		t.Errorf("an unrelated distro has a closest built-in: %s (%s)", name, why)
	}
}
