package report

import (
	"strings"
)

// Escaping for GitHub-flavoured Markdown. Every outside string goes through
// one of these: observed values come from a broken host and must not start
// a heading, open a link or raw HTML, or end a table cell in the ticket.

// mdSyntax are the characters that can mean something wherever they are:
// escapes, code, emphasis, links, raw HTML and autolinks, table cells,
// headings, strikethrough, entities, and GitHub's math.
const mdSyntax = "\\`*_[]<>|#~&$"

// mdText makes outside text one line of literal Markdown: each syntax
// character is backslash-escaped (CommonMark renders any escaped ASCII
// punctuation as itself), and so is a leading list or setext marker, since
// text can follow "- " in a list item.
func mdText(s string) string {
	s = oneLine(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte(mdSyntax, c) >= 0 || (i == 0 && (c == '-' || c == '+' || c == '=')) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	out := b.String()
	// "1. text" or "1) text" at the start would be an ordered list.
	if n := leadingDigits(out); n > 0 && n < len(out) && (out[n] == '.' || out[n] == ')') {
		out = out[:n] + "\\" + out[n:]
	}
	return out
}

func leadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// mdCode shows an outside value as an inline code span: literal, so no
// escaping shows in the text, and GitHub links or mentions nothing in it.
// The fence is one backtick longer than the longest run inside. Empty
// values have no code span and show as an em dash.
func mdCode(s string) string {
	s = oneLine(s)
	if s == "" {
		return "—"
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if s[0] == '`' || s[len(s)-1] == '`' {
		// One space each side is stripped again by the renderer.
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdCell is mdCode for a table cell. GFM splits rows into cells before it
// reads code spans, so a pipe must be escaped even inside one; the escape
// is removed again and the code shows a plain "|". A backslash right before
// a pipe would pair with the escape's backslash instead, so such a value is
// shown as escaped text in <code> rather than as a code span.
func mdCell(s string) string {
	s = oneLine(s)
	if strings.Contains(s, `\|`) {
		return "<code>" + mdText(s) + "</code>"
	}
	return strings.ReplaceAll(mdCode(s), "|", `\|`)
}

// mdFence is the backtick fence for a code block holding content: at least
// three, and longer than any run of backticks in it, so no line of the
// content can close the block.
func mdFence(content string) string {
	return strings.Repeat("`", max(3, longestRun(content, '`')+1))
}

func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
