package textfmt

import (
	"strings"
	"unicode"
)

// Escaping for GitHub-flavoured Markdown, for the check report and the
// fleet report alike. Every outside string goes through one of these:
// observed values come from a broken host (or another machine's report) and
// must not start a heading, open a link or raw HTML, or end a table cell.

// mdSyntax are the characters that can mean something wherever they are:
// escapes, code, emphasis, links, raw HTML and autolinks, table cells,
// headings, strikethrough, entities, and GitHub's math.
const mdSyntax = "\\`*_[]<>|#~&$"

// MarkdownText makes outside text one line of literal Markdown: each syntax
// character is backslash-escaped (CommonMark renders any escaped ASCII
// punctuation as itself), and so is a leading list or setext marker, since
// text can follow "- " in a list item.
func MarkdownText(s string) string {
	s = OneLine(s)
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

// MarkdownCode shows an outside value as an inline code span: literal, so no
// escaping shows in the text, and GitHub links or mentions nothing in it.
// The fence is one backtick longer than the longest run inside. Empty
// values have no code span and show as an em dash.
func MarkdownCode(s string) string {
	s = OneLine(s)
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

// MarkdownCell is MarkdownCode for a table cell. GFM splits rows into cells before it
// reads code spans, so a pipe must be escaped even inside one; the escape
// is removed again and the code shows a plain "|". A backslash right before
// a pipe would pair with the escape's backslash instead, so such a value is
// shown as escaped text in <code> rather than as a code span.
func MarkdownCell(s string) string {
	s = OneLine(s)
	if strings.Contains(s, `\|`) {
		return "<code>" + MarkdownText(s) + "</code>"
	}
	return strings.ReplaceAll(MarkdownCode(s), "|", `\|`)
}

// MarkdownFence is the backtick fence for a code block holding content: at least
// three, and longer than any run of backticks in it, so no line of the
// content can close the block.
func MarkdownFence(content string) string {
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

// OneLine makes an outside string safe to print on one terminal line: line
// breaks become ⏎, tabs become spaces, and other control characters, bidi
// overrides and invalid UTF-8 become U+FFFD. Observed values come from files
// on the checked host; an ESC in one must not drive the reader's terminal,
// and a newline must not break the table.
func OneLine(s string) string {
	s = strings.TrimSpace(s)
	if isPrintableASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prevCR := false
	for _, r := range s {
		switch {
		case r == '\n' && prevCR: // \r\n is one break
		case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			b.WriteString("⏎")
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == unicode.ReplacementChar:
			b.WriteRune(unicode.ReplacementChar)
		default:
			b.WriteRune(r)
		}
		prevCR = r == '\r'
	}
	return b.String()
}
