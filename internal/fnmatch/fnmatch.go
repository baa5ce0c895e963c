// Package fnmatch matches file names as glibc's glob(3) does, for the
// families that predict a program which globs (systemd-sysctl, logrotate).
package fnmatch

// Match matches one file name against one component of a glob as glibc's
// glob(3) does: fnmatch(3) with FNM_PERIOD, backslash
// escapes on, in the C locale (bytes, ASCII classes). "*" and "?" match any
// byte, "[...]" a set ("!" or "^" negates, "a-z" ranges, "[:digit:]"
// classes, a "]" first is a member); a wildcard never matches a leading
// ".". A "[" that opens no set is itself; a malformed set (a trailing
// backslash, an unknown class, a range with no end) matches nothing.
func Match(pattern, name string) bool {
	leadingDot := name != "" && name[0] == '.'
	pi, ni := 0, 0
	starP, starN := -1, 0
	for {
		if pi < len(pattern) {
			atDot := ni == 0 && leadingDot
			switch c := pattern[pi]; c {
			case '*':
				if atDot {
					return false
				}
				starP, starN = pi, ni
				pi++
				continue
			case '?':
				if ni < len(name) && !atDot {
					pi++
					ni++
					continue
				}
			case '[':
				if ni < len(name) && !atDot {
					width, res := bracket(pattern[pi:], name[ni])
					if res == setMatch {
						pi += width
						ni++
						continue
					}
					if res == setLiteral && name[ni] == '[' {
						pi++
						ni++
						continue
					}
				}
			case '\\':
				if pi+1 < len(pattern) && ni < len(name) && name[ni] == pattern[pi+1] {
					pi += 2
					ni++
					continue
				}
			default:
				if ni < len(name) && name[ni] == c {
					pi++
					ni++
					continue
				}
			}
		} else if ni == len(name) {
			return true
		}
		// Mismatch: let the last "*" take one more byte.
		if starP < 0 || starN >= len(name) {
			return false
		}
		starN++
		pi, ni = starP+1, starN
	}
}

// Results of bracket.
const (
	setNoMatch = iota
	setMatch
	setLiteral // no closing "]": the "[" is an ordinary byte
)

// bracket matches c against the set that opens p (p[0] is "["). width is
// the set's length in p when it matches.
func bracket(p string, c byte) (width int, res int) {
	i := 1
	negate := i < len(p) && (p[i] == '!' || p[i] == '^')
	if negate {
		i++
	}
	for first := true; ; first = false {
		if i >= len(p) {
			return 0, setLiteral
		}
		b := p[i]
		if b == ']' && !first {
			i++
			break
		}
		if b == '[' && i+1 < len(p) && p[i+1] == ':' {
			if name, n, ok := className(p[i+2:]); ok {
				in, known := classHas(name, c)
				if !known {
					return 0, setNoMatch
				}
				i += 2 + n
				if in {
					return matched(p, i, negate)
				}
				continue
			}
		}
		if b == '[' && i+4 < len(p) && p[i+1] == '=' && p[i+3] == '=' && p[i+4] == ']' {
			// [=x=]: in the C locale, the byte x.
			if p[i+2] == c {
				return matched(p, i+5, negate)
			}
			i += 5
			continue
		}
		lo := b
		i++
		switch {
		case b == '\\':
			if i >= len(p) {
				return 0, setNoMatch
			}
			lo = p[i]
			i++
		case b == '[' && i < len(p) && p[i] == '.':
			if !isCollating(p[i-1:]) {
				return 0, setNoMatch // only [.x.] is a collating symbol here
			}
			lo = p[i+1] // [.x.]: the byte x, also as a range's start
			i += 4
		}
		if i < len(p) && p[i] == '-' && (i+1 >= len(p) || p[i+1] != ']') {
			i++
			if i >= len(p) {
				return 0, setNoMatch
			}
			hi := p[i]
			i++
			switch {
			case hi == '\\':
				if i >= len(p) {
					return 0, setNoMatch
				}
				hi = p[i]
				i++
			case isCollating(p[i-1:]):
				hi = p[i+1]
				i += 4
			}
			if lo <= c && c <= hi {
				return matched(p, i, negate)
			}
			continue
		}
		if lo == c {
			return matched(p, i, negate)
		}
	}
	if negate {
		return i, setMatch
	}
	return i, setNoMatch
}

// matched finishes a set whose member matched at i: it skips to the
// closing "]" (with none, the "[" is an ordinary byte after all).
func matched(p string, i int, negate bool) (int, int) {
	for {
		if i >= len(p) {
			return 0, setLiteral
		}
		b := p[i]
		i++
		switch {
		case b == ']':
			if negate {
				return i, setNoMatch
			}
			return i, setMatch
		case b == '\\':
			if i >= len(p) {
				return 0, setNoMatch
			}
			i++
		case b == '[' && i < len(p) && p[i] == ':':
			if _, n, ok := className(p[i+1:]); ok {
				i += 1 + n
			}
		case b == '[' && i < len(p) && (p[i] == '=' || p[i] == '.'):
			// [=x=] and [.x.] are skipped whole; a malformed one loses
			if i+3 >= len(p) || p[i+2] != p[i] || p[i+3] != ']' {
				return 0, setNoMatch
			}
			i += 4
		}
	}
}

// isCollating reports "[.x.]" at the start of s.
func isCollating(s string) bool {
	return len(s) >= 5 && s[0] == '[' && s[1] == '.' && s[3] == '.' && s[4] == ']'
}

// className reads "name:]" (lower-case letters a to y, as glibc reads a
// class name) and returns the name and the bytes it takes.
func className(s string) (string, int, bool) {
	for j := 0; j < len(s); j++ {
		switch b := s[j]; {
		case b == ':' && j+1 < len(s) && s[j+1] == ']':
			return s[:j], j + 2, true
		case b < 'a' || b >= 'z':
			return "", 0, false
		}
	}
	return "", 0, false
}

// classHas reports whether c is in the C locale's character class name;
// known is false for a name that is no class.
func classHas(name string, c byte) (in, known bool) {
	alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	digit := '0' <= c && c <= '9'
	graph := 0x21 <= c && c <= 0x7e
	switch name {
	case "alnum":
		return alpha || digit, true
	case "alpha":
		return alpha, true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < 0x20 || c == 0x7f, true
	case "digit":
		return digit, true
	case "graph":
		return graph, true
	case "lower":
		return 'a' <= c && c <= 'z', true
	case "print":
		return graph || c == ' ', true
	case "punct":
		return graph && !alpha && !digit, true
	case "space":
		return c == ' ' || '\t' <= c && c <= '\r', true
	case "upper":
		return 'A' <= c && c <= 'Z', true
	case "xdigit":
		return digit || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F', true
	}
	return false, false
}
