package remediate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CommandLine shows argv as a POSIX shell command line a person can read
// and copy from a report, a ticket or a CI log: plainly safe words bare,
// others single-quoted, and words with control characters or invalid UTF-8
// as bash $'...' with escapes, so they can neither drive a terminal nor
// hide in a ticket. Generated scripts quote with shellQuote instead, which
// never leaves a word bare.
func CommandLine(argv ...string) string {
	quoted := make([]string, len(argv))
	for i, w := range argv {
		quoted[i] = shellWord(w)
	}
	return strings.Join(quoted, " ")
}

// shellWord quotes one argument: bare when it is plainly safe, in single
// quotes otherwise, and as bash $'...' with escapes when it holds control
// characters or invalid UTF-8, which must not reach a terminal or a ticket
// raw.
func shellWord(w string) string {
	if w == "" {
		return "''"
	}
	if isShellSafe(w) {
		return w
	}
	if !utf8.ValidString(w) || strings.IndexFunc(w, isUnprintable) >= 0 {
		return ansiCQuote(w)
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

func isShellSafe(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("_@%+=:,./-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// isUnprintable is a rune that a reader cannot see or that could drive a
// terminal: controls (tab included: it is invisible), bidi overrides, and
// the replacement character standing in for invalid UTF-8.
func isUnprintable(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError
}

func ansiCQuote(w string) string {
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(w); {
		r, size := utf8.DecodeRuneInString(w[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, w[i])
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x80 && isUnprintable(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case isUnprintable(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}
