package remediate

import (
	"fmt"
	"strings"
	"unicode"
)

// shellQuote is the only way a value enters a generated bash script: one
// single-quoted word, in which bash gives no character a meaning, so "$",
// backticks, "\", quotes, blanks and newlines arrive as they are. A single
// quote ends the word, is added as \', and a new word starts.
// Values never hold NUL (bash cannot carry it in a word); the renderer
// turns such a value into a manual step before it gets here.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// safeText makes outside text (a hostname, a summary, a manual step) fit
// one line of a comment or a message: control characters, line and
// paragraph separators (YAML 1.1 breaks lines at U+0085, U+2028, U+2029)
// and invalid UTF-8 become visible escapes or U+FFFD, so the text can
// neither end a comment nor send escape sequences to a terminal.
func safeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r == '\n':
			b.WriteString(`\n`)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\x{%X}`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// safeLines splits text at its newlines and makes each line safe, for
// text a person reads over several comment lines (a manual step).
func safeLines(s string) []string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = safeText(l)
	}
	return lines
}
