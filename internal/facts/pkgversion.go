package facts

import "strings"

// CompareDpkgVersions orders two Debian package versions the way dpkg does
// (deb-version(7), lib/dpkg/version.c): the epoch numerically, then the
// upstream version and the revision with verrevcmp. A missing epoch is 0 and
// a missing revision is empty, so "1.0" equals "0:1.0-0" as dpkg says.
// TestDpkgVersionsAgreeWithDpkg holds it to dpkg --compare-versions.
func CompareDpkgVersions(a, b string) int {
	ae, au, ar := splitDpkgVersion(a)
	be, bu, br := splitDpkgVersion(b)
	if c := compareDigitRuns(ae, be); c != 0 {
		return c
	}
	if c := dpkgVerrevcmp(au, bu); c != 0 {
		return c
	}
	return dpkgVerrevcmp(ar, br)
}

// splitDpkgVersion splits [epoch:]upstream[-revision]: the epoch ends at the
// first colon, the revision starts after the last hyphen.
func splitDpkgVersion(v string) (epoch, upstream, revision string) {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, ':'); i >= 0 {
		epoch, v = v[:i], v[i+1:]
	}
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		return epoch, v[:i], v[i+1:]
	}
	return epoch, v, ""
}

// dpkgOrder is the weight verrevcmp gives one non-digit character: '~'
// before everything (even the end), the end and digits next, then letters,
// then every other character.
func dpkgOrder(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	c := s[i]
	switch {
	case c >= '0' && c <= '9':
		return 0
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return int(c)
	case c == '~':
		return -1
	}
	return int(c) + 256
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// dpkgVerrevcmp is dpkg's verrevcmp: alternating non-digit runs compared
// by dpkgOrder and digit runs compared as numbers of any length.
func dpkgVerrevcmp(a, b string) int {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for i < len(a) && !isDigitByte(a[i]) || j < len(b) && !isDigitByte(b[j]) {
			ac, bc := dpkgOrder(a, i), dpkgOrder(b, j)
			if ac != bc {
				return sign(ac - bc)
			}
			i++
			j++
		}
		si, sj := i, j
		for i < len(a) && isDigitByte(a[i]) {
			i++
		}
		for j < len(b) && isDigitByte(b[j]) {
			j++
		}
		if c := compareDigitRuns(a[si:i], b[sj:j]); c != 0 {
			return c
		}
	}
	return 0
}

// compareDigitRuns compares two runs of decimal digits as numbers of any
// length (leading zeros ignored, the empty run is zero).
func compareDigitRuns(x, y string) int {
	x, y = strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0")
	if len(x) != len(y) {
		return sign(len(x) - len(y))
	}
	return strings.Compare(x, y)
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// CompareRPMVersions orders two RPM [epoch:]version[-release] strings the
// way rpm.vercmp does (lib/rpmver.c rpmverCmp): a missing epoch is 0,
// epoch, version and release compare with rpmvercmp in that order, and a
// side with a release (even ".") sorts after one without. TestRPMVersionsAgreeWithRPM holds it to rpm.vercmp.
func CompareRPMVersions(a, b string) int {
	ae, av, ar, aRel := splitRPMVersion(a)
	be, bv, br, bRel := splitRPMVersion(b)
	if c := rpmvercmp(ae, be); c != 0 {
		return c
	}
	if c := rpmvercmp(av, bv); c != 0 {
		return c
	}
	switch {
	case aRel && bRel:
		return rpmvercmp(ar, br)
	case aRel:
		return 1
	case bRel:
		return -1
	}
	return 0
}

// splitRPMVersion splits [epoch:]version[-release] as rpmverParse does:
// the epoch is the digits before a colon (0 when absent), the release
// follows the last hyphen.
func splitRPMVersion(s string) (epoch, version, release string, hasRelease bool) {
	epoch = "0"
	i := 0
	for i < len(s) && isDigitByte(s[i]) {
		i++
	}
	if i < len(s) && s[i] == ':' {
		if i > 0 {
			epoch = s[:i]
		}
		s = s[i+1:]
	}
	if k := strings.LastIndexByte(s, '-'); k >= 0 {
		return epoch, s[:k], s[k+1:], true
	}
	return epoch, s, "", false
}
