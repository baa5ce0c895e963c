package profile

import (
	"math"
	"strings"
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

// FuzzClosest: any os-release ID, ID_LIKE and VERSION_ID give either no
// answer or a distro built-in related by ID or ID_LIKE, and a distance that
// is a number (never NaN, never negative).
func FuzzClosest(f *testing.F) {
	for _, s := range [][3]string{
		{"rhel", "fedora", "8.10"}, {"ol", "fedora", "8.9"}, {"ubuntu", "debian", "18.04"},
		{"centos", "rhel fedora", "6"}, {"debian", "", ""}, {"amzn", "centos rhel fedora", "2"},
		{"", "", "9..1"}, {"x", "y z", "1e309"}, {"rocky", "", "-1"}, {"linux", "", "NaN"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	builtin := map[string]bool{}
	for _, n := range Builtins() {
		builtin[n] = true
	}
	f.Fuzz(func(t *testing.T, id, like, version string) {
		rel := host.OSRelease{ID: id, IDLike: strings.Fields(like), VersionID: version}
		name, why, ok := Closest(rel)
		if ok && (!builtin[name] || name == Generic || !strings.HasPrefix(why, "ID=") && !strings.HasPrefix(why, "ID_LIKE=")) {
			t.Errorf("Closest(%+v) = %q, %q", rel, name, why)
		}
		if d := versionDistance(version, version); d != 0 && !math.IsInf(d, 1) {
			t.Errorf("versionDistance(%q, itself) = %v", version, d)
		}
		if d := versionDistance("9*", version); math.IsNaN(d) || d < 0 {
			t.Errorf("versionDistance(9*, %q) = %v", version, d)
		}
	})
}
