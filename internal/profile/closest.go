package profile

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// Closest names the built-in distro profile nearest to a host that no
// profile matches, for the advice os/distro gives: a profile of the same
// os-release ID for another release first, then one related through
// ID_LIKE (either side's); among those, the release whose VERSION_ID
// pattern is numerically nearest, and on a tie the first by name. why says
// how it is related ("ID=rhel" or "ID_LIKE=rhel"). ok is false when no
// built-in is related to the host at all.
func Closest(rel host.OSRelease) (name, why string, ok bool) {
	bestRank, bestDist := 2, math.Inf(1)
	for _, b := range builtinMatches() {
		if b.name == Generic {
			continue
		}
		for _, m := range b.rules {
			rank, how := related(m, rel)
			if rank < 0 {
				continue
			}
			dist := versionDistance(m.VersionID, rel.VersionID)
			if rank < bestRank || rank == bestRank && dist < bestDist {
				name, why, ok = b.name, how, true
				bestRank, bestDist = rank, dist
			}
		}
	}
	return name, why, ok
}

// related ranks how a rule's distro relates to the host: 0 for the same
// ID, 1 for an ID_LIKE link in either direction, -1 for none.
func related(m MatchRule, rel host.OSRelease) (rank int, how string) {
	if rel.ID != "" && m.ID != "" && glob(m.ID, rel.ID) {
		return 0, "ID=" + rel.ID
	}
	like := append([]string{rel.ID}, rel.IDLike...)
	for _, l := range like {
		if l == "" {
			continue
		}
		if m.ID != "" && glob(m.ID, l) || m.IDLike != "" && glob(m.IDLike, l) {
			return 1, "ID_LIKE=" + l
		}
	}
	return -1, ""
}

// versionDistance is how far a VERSION_ID is from the literal start of a
// version pattern ("9*" -> 9, "22.04" -> 22.04); +Inf when either is not
// a number, so that a numeric neighbour is preferred.
func versionDistance(pattern, version string) float64 {
	if i := strings.IndexAny(pattern, "*?["); i >= 0 {
		pattern = pattern[:i]
	}
	p, err1 := leadingNumber(pattern)
	v, err2 := leadingNumber(version)
	if err1 != nil || err2 != nil {
		return math.Inf(1)
	}
	return math.Abs(p - v)
}

// leadingNumber reads "major[.minor]" from the start of s.
func leadingNumber(s string) (float64, error) {
	end := 0
	dots := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' && dots == 0) {
		if s[end] == '.' {
			dots++
		}
		end++
	}
	num := strings.TrimSuffix(s[:end], ".")
	if num == "" {
		return 0, fmt.Errorf("no version number in %q", s)
	}
	return strconv.ParseFloat(num, 64)
}

// BuiltinMatch returns the match: rules of a built-in profile (nil for an
// unknown name or one without rules, such as the generic linux).
func BuiltinMatch(name string) []MatchRule {
	for _, b := range builtinMatches() {
		if b.name == name {
			return append([]MatchRule(nil), b.rules...)
		}
	}
	return nil
}
