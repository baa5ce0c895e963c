// Package testgen draws the random strings the width, truncation and
// escaping tests feed to golive and to their reference (tablewriter):
// one generator, so that every such test mixes scripts and widths the
// same way. Tests only; nothing in golive imports it.
package testgen

import (
	"math/rand/v2"
	"strings"
)

// Unicode mixes what hosts put in values: ASCII, CJK, emoji (with
// modifiers and ZWJ), combining marks, ambiguous-width symbols, the
// ellipsis and replacement character, zero-width and full-width forms.
var Unicode = []string{
	"a", "Z", "0", " ", "-", "|", "…", "\uFFFD", "⏎", "é", "e\u0301", "界", "한", "ｶ", "Ａ",
	"😀", "👍🏽", "👩\u200d💻", "🇩🇪", "\u200b", "±", "°", "§", "─", "☃", "\u0300", "ß", "ﬁ",
}

// Escapes are terminal escape sequences: SGR colours and OSC links and
// titles, which take no width.
var Escapes = []string{"\x1b[31m", "\x1b[0m", "\x1b[1;4m", "\x1b]8;;http://x\x07", "\x1b]0;t\x1b\\"}

// Text is n pieces drawn from pieces, joined by sep.
func Text(r *rand.Rand, pieces []string, n int, sep string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = pieces[r.IntN(len(pieces))]
	}
	return strings.Join(parts, sep)
}

// Mixed is n draws from Unicode; withEscapes makes one draw in six an
// escape sequence instead.
func Mixed(r *rand.Rand, n int, withEscapes bool) string {
	var b strings.Builder
	for range n {
		if withEscapes && r.IntN(6) == 0 {
			b.WriteString(Escapes[r.IntN(len(Escapes))])
			continue
		}
		b.WriteString(Unicode[r.IntN(len(Unicode))])
	}
	return b.String()
}
