package engine

import (
	"fmt"
	"strings"
)

// Filter selects checks with --only and --skip. A pattern is a category
// ("sysctl"), an exact ID, or a glob in which * matches any run of
// characters, slashes included ("sysctl/net.ipv4.*", "*/eol").
type Filter struct {
	Only []string
	Skip []string
}

// Apply keeps the checks Only selects (all when Only is empty) minus those
// Skip selects. A pattern that selects nothing is an error, so a typo in a
// CI gate's --only does not silently check nothing.
func (f Filter) Apply(checks []Check) ([]Check, error) {
	for _, set := range []struct {
		flag     string
		patterns []string
	}{{"--only", f.Only}, {"--skip", f.Skip}} {
		for _, p := range set.patterns {
			hit := false
			for _, c := range checks {
				if Matches(p, c.Meta()) {
					hit = true
					break
				}
			}
			if !hit {
				return nil, fmt.Errorf("%s %q matches no check (see golive list)", set.flag, p)
			}
		}
	}
	out := checks[:0:0]
	for _, c := range checks {
		m := c.Meta()
		if len(f.Only) > 0 && !matchesAny(f.Only, m) {
			continue
		}
		if matchesAny(f.Skip, m) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

func matchesAny(patterns []string, m Meta) bool {
	for _, p := range patterns {
		if Matches(p, m) {
			return true
		}
	}
	return false
}

// Matches reports whether pattern selects the check.
func Matches(pattern string, m Meta) bool {
	if pattern == m.Category || pattern == m.ID {
		return true
	}
	return strings.Contains(pattern, "*") && Glob(pattern, m.ID)
}

// Glob matches s against pattern where * matches any run of characters,
// including slashes (check IDs contain paths). Other characters match
// themselves. It runs in O(len(pattern)*len(s)) at worst.
func Glob(pattern, s string) bool {
	px, sx := 0, 0
	nextPx, nextSx := -1, -1
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			if pattern[px] == '*' {
				nextPx, nextSx = px, sx+1
				px++
				continue
			}
			if sx < len(s) && pattern[px] == s[sx] {
				px++
				sx++
				continue
			}
		}
		if nextPx >= 0 && nextSx <= len(s) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}
