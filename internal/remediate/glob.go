package remediate

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// neverMatch is a regular expression no string matches (in Python's re, as
// Ansible evaluates it, and in Go's regexp, as the tests do).
const neverMatch = `[^\s\S]`

// globRegexp translates a profile's match glob (path.Match syntax) into a
// Python regular expression anchored at both ends, for the playbook's
// guard: Jinja has no glob test, only "match" with a regular expression.
// A malformed glob matches nothing, as it does in profile.Detect.
func globRegexp(glob string) string {
	if !utf8.ValidString(glob) {
		return neverMatch
	}
	if _, err := path.Match(glob, ""); err != nil {
		return neverMatch
	}
	var b strings.Builder
	b.WriteString("^(?:")
	for i := 0; i < len(glob); {
		switch c := glob[i]; c {
		case '*':
			b.WriteString("[^/]*")
			i++
		case '?':
			b.WriteString("[^/]")
			i++
		case '[':
			n := classRegexp(&b, glob[i+1:])
			i += 1 + n
		case '\\':
			i++
			r, size := utf8.DecodeRuneInString(glob[i:])
			writeLiteral(&b, r)
			i += size
		default:
			r, size := utf8.DecodeRuneInString(glob[i:])
			writeLiteral(&b, r)
			i += size
		}
	}
	// \Z, not $: Python's $ also matches before a final newline.
	b.WriteString(`)\Z`)
	return b.String()
}

// classRegexp writes the character class that starts after "[" in s and
// returns how many bytes of s it used, "]" included. path.Match has
// validated the glob, so the class is closed and each item is lo or lo-hi.
// A reversed range matches nothing in path.Match and is an error in a
// regular expression, so it is left out.
func classRegexp(b *strings.Builder, s string) int {
	i := 0
	negate := false
	if i < len(s) && s[i] == '^' {
		negate = true
		i++
	}
	char := func() rune {
		if s[i] == '\\' {
			i++
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		return r
	}
	var items strings.Builder
	for i < len(s) && s[i] != ']' {
		lo := char()
		hi := lo
		if i < len(s) && s[i] == '-' {
			i++
			hi = char()
		}
		if lo > hi {
			continue
		}
		writeLiteral(&items, lo)
		if hi != lo {
			items.WriteByte('-')
			writeLiteral(&items, hi)
		}
	}
	switch {
	case items.Len() > 0 && negate:
		b.WriteString("[^" + items.String() + "]")
	case items.Len() > 0:
		b.WriteString("[" + items.String() + "]")
	case negate:
		b.WriteString(`[\s\S]`) // excludes nothing: any character
	default:
		b.WriteString(neverMatch)
	}
	return i + 1
}

// writeLiteral writes r so that a regular expression matches it and only
// it, in the syntax Python's re and Go's regexp share: ASCII punctuation
// escaped with "\", blanks and control characters as \xHH, letters, digits
// and other runes as themselves.
func writeLiteral(b *strings.Builder, r rune) {
	switch {
	case r <= ' ' || r == 0x7f:
		fmt.Fprintf(b, `\x%02x`, r)
	case r < utf8.RuneSelf && !isAlnum(byte(r)):
		b.WriteByte('\\')
		b.WriteRune(r)
	default:
		b.WriteRune(r)
	}
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
