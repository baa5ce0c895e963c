package fnmatch

import "testing"

// TestMatch pins glob(3)'s component rules; checks/sysctl's glibc
// differential (TestFnmatchAgainstGlibc) compares Match with glibc's
// own fnmatch on generated patterns.
func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, name string
		want          bool
	}{
		{"*.log", "app.log", true},
		{"*.log", ".hidden.log", false}, // FNM_PERIOD: a wildcard never matches a leading dot
		{".*.log", ".hidden.log", true},
		{"?.log", "a.log", true},
		{"[ab].log", "b.log", true},
		{"[!x]*", "x.log", false},
		{"[a-c].log", "c.log", true},
		{"[[:digit:]]*", "9x", true},
		{"\\*.log", "*.log", true},
		{"*.rhn-cfg-tmp-*", "f.rhn-cfg-tmp-abc", true},
		{"*~", "f~", true},
		{"*.swp", ".swp", false},
	} {
		if got := Match(c.pattern, c.name); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}
