package remediate

import (
	"path"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// goRegexp compiles a guard regexp with Go's engine: the syntax globRegexp
// writes is shared by Python's re, except the end anchor.
func goRegexp(t testing.TB, re string) *regexp.Regexp {
	t.Helper()
	r, err := regexp.Compile(strings.TrimSuffix(re, `\Z`) + `\z`)
	if err != nil {
		t.Fatalf("globRegexp wrote %q: %v", re, err)
	}
	return r
}

func TestGlobRegexpMatchesLikePathMatch(t *testing.T) {
	patterns := []string{"9*", "7*", "22.04", "rocky", "rhel", "centos", "9.?", "[0-9]*", "[^a]x", "a\\*b", "*", "", "[a-c-]", "we.ird+(re)|$^", "[", "a[", "\\"}
	values := []string{"9", "9.4", "94", "7", "7.9.2009", "22.04", "22x04", "rocky", "rhel", "9.x", "0", "ax", "bx", "a*b", "axb", "we.ird+(re)|$^", "", "a/b", "9\n"}
	for _, p := range patterns {
		re := goRegexp(t, globRegexp(p))
		for _, v := range values {
			want, err := path.Match(p, v)
			if err != nil {
				want = false
			}
			if got := re.MatchString(v); got != want {
				t.Errorf("glob %q on %q: regexp %s says %v, path.Match %v", p, v, globRegexp(p), got, want)
			}
		}
	}
}

func FuzzGlobRegexp(f *testing.F) {
	for _, s := range [][2]string{{"9*", "9.4"}, {"[^a-c]?", "dx"}, {"a\\[b", "a[b"}, {"22.04", "22x04"}, {"[]", ""}, {"\xff*", "\xff"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, value string) {
		// path.Match backtracks: "*a*a*a..." on a long value takes
		// exponential time. Profile globs are short.
		if len(pattern) > 24 || len(value) > 32 {
			return
		}
		re := goRegexp(t, globRegexp(pattern))
		// An invalid UTF-8 pattern matches nothing here (YAML cannot
		// carry it); path.Match may match it byte for byte.
		if !utf8.ValidString(pattern) {
			return
		}
		want, err := path.Match(pattern, value)
		if err != nil {
			want = false
		}
		if got := re.MatchString(value); got != want {
			t.Errorf("glob %q on %q: regexp %s says %v, path.Match %v", pattern, value, globRegexp(pattern), got, want)
		}
	})
}
