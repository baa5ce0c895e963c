package textfmt

import (
	"strings"

	"github.com/clipperhouse/displaywidth"
)

// clusters splits words into grapheme clusters, escape sequences whole, so
// a cut never separates a combining mark from its letter, breaks an emoji
// sequence or splits a colour code.
var clusters = displaywidth.Options{EastAsianWidth: false, ControlSequences: true}

// Wrap breaks s into lines at most width columns wide (Width), breaking at
// spaces; a word wider than a line (a path, a URL, a check ID) is cut
// between grapheme clusters. Nothing is dropped: the words of the lines,
// in order, are the words of s. Runs of spaces collapse to one. A single
// cluster wider than width (a wide character in a one-column line) gets a
// line of its own, the only case where a line is wider than width. Blank s
// gives no lines. s should be one line (OneLine): Wrap does not look for
// line breaks.
func Wrap(s string, width int) []string {
	width = max(width, 1)
	var lines []string
	var cur strings.Builder
	curWidth := 0
	flush := func() {
		lines = append(lines, cur.String())
		cur.Reset()
		curWidth = 0
	}
	for _, word := range strings.Fields(s) {
		for _, piece := range splitWord(word, width) {
			pw := Width(piece)
			if cur.Len() > 0 && curWidth+1+pw > width {
				flush()
			}
			if cur.Len() > 0 {
				cur.WriteByte(' ')
				curWidth++
			}
			cur.WriteString(piece)
			curWidth += pw
		}
	}
	if cur.Len() > 0 {
		flush()
	}
	return lines
}

// splitWord cuts a word wider than width into pieces that fit, between
// grapheme clusters.
func splitWord(word string, width int) []string {
	if Width(word) <= width {
		return []string{word}
	}
	var pieces []string
	var cur strings.Builder
	curWidth := 0
	g := clusters.StringGraphemes(word)
	for g.Next() {
		c := g.Value()
		cw := Width(c)
		if curWidth+cw > width && curWidth > 0 {
			pieces = append(pieces, cur.String())
			cur.Reset()
			curWidth = 0
		}
		cur.WriteString(c)
		curWidth += cw
	}
	return append(pieces, cur.String())
}
