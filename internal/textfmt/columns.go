package textfmt

import (
	"strings"
	"unicode/utf8"
)

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

// Columns lays rows out as left-aligned columns: each cell padded to its
// column's widest cell plus gap spaces, no borders, trailing spaces
// trimmed. It returns one line per row. Cells must be single-line; the
// renderers make every outside string one line before it gets here.
func Columns(rows [][]string, gap int) []string {
	var widths []int
	for _, r := range rows {
		for c, cell := range r {
			if c == len(widths) {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], Width(cell))
		}
	}
	lines := make([]string, len(rows))
	var b strings.Builder
	for i, r := range rows {
		b.Reset()
		for c, cell := range r {
			b.WriteString(cell)
			b.WriteString(strings.Repeat(" ", widths[c]-Width(cell)+gap))
		}
		lines[i] = strings.TrimRight(b.String(), " ")
	}
	return lines
}
