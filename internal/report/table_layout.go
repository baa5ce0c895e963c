package report

import (
	"strings"

	"github.com/golive-sh/golive/internal/textfmt"
)

// The layout: textfmt.Columns aligns the four columns of every shown check
// in one table, so widths agree across categories; category headings and
// message lines are then interleaved between its lines. They are not table
// rows because a message reads best spanning the width under its check.
// Every cell is sanitised to one line and truncated to its column first, so
// each row is exactly one output line.

const (
	indent      = "  "
	columnGap   = 2 // spaces between columns
	statusWidth = 6 // "WAIVED" and "STATUS", the longest labels
	// minColumn is as narrow as CHECK, EXPECTED or OBSERVED gets before
	// the table is allowed to overflow the terminal instead.
	minColumn = 10
	// maxMessageLines keeps one verbose check (a panic, a long TLS error)
	// from pushing the rest of the report off the screen; the JSON report
	// has the whole message.
	maxMessageLines = 3
	ellipsis        = "…"
)

var columnTitles = [4]string{"STATUS", "CHECK", "EXPECTED", "OBSERVED"}

// writeChecks writes the column titles, then each group under its heading,
// each check's message (when it has one) under its row.
func writeChecks(b *strings.Builder, groups []group, width int, p palette) {
	var cells [][4]string
	for _, g := range groups {
		for _, r := range g.rows {
			cells = append(cells, r.cells)
		}
	}
	widths := fitColumns(naturalWidths(cells), width-len(indent)-statusWidth-3*columnGap)
	for i := range cells {
		for c := 1; c < 4; c++ {
			cells[i][c] = truncate(cells[i][c], widths[c-1])
		}
	}
	lines := alignRows(columnTitles, cells)

	b.WriteString(indent + p.paint(bold, lines[0]) + "\n")
	messageIndent := indent + strings.Repeat(" ", statusWidth+columnGap)
	messageWidth := width - len(messageIndent) - 2 // "↳ "
	next := 1
	for _, g := range groups {
		b.WriteString("\n" + p.paint(bold, g.name) + "\n")
		for _, r := range g.rows {
			b.WriteString(indent + paintStatus(lines[next], r, p) + "\n")
			next++
			for i, l := range wrap(r.message, messageWidth, maxMessageLines) {
				mark := "  "
				if i == 0 {
					mark = "↳ "
				}
				b.WriteString(messageIndent + mark + l + "\n")
			}
		}
	}
}

// paintStatus colours the status label at the start of a row's line. The
// label is coloured after alignment so escape sequences never count toward
// column widths.
func paintStatus(line string, r row, p palette) string {
	label := r.cells[0]
	if !strings.HasPrefix(line, label) {
		return line
	}
	return p.paint(statusColor(r.status), label) + line[len(label):]
}

// naturalWidths is the display width each of CHECK, EXPECTED and OBSERVED
// needs to show every value whole.
func naturalWidths(cells [][4]string) []int {
	w := make([]int, 3)
	for c := range w {
		w[c] = textfmt.Width(columnTitles[c+1])
	}
	for _, r := range cells {
		for c := range w {
			w[c] = max(w[c], textfmt.Width(r[c+1]))
		}
	}
	return w
}

// fitColumns narrows columns until the widths (CHECK, EXPECTED, OBSERVED)
// fit budget. Check IDs are what people copy into --only and waivers, so
// EXPECTED and OBSERVED give way first, widest first, down to a quarter of
// the budget each; only then is every column narrowed, widest first, down
// to minColumn. Past that the line overflows rather than showing nothing.
func fitColumns(natural []int, budget int) []int {
	w := make([]int, len(natural))
	total := 0
	for i, n := range natural {
		w[i] = min(n, max(budget, minColumn)) // bounds the loops below
		total += w[i]
	}
	shrink := func(cols []int, floor int) {
		for total > budget {
			widest := cols[0]
			for _, c := range cols {
				if w[c] >= w[widest] { // ties: the rightmost column gives
					widest = c
				}
			}
			if w[widest] <= floor {
				return
			}
			w[widest]--
			total--
		}
	}
	shrink([]int{1, 2}, max(minColumn, budget/4))
	shrink([]int{0, 1, 2}, minColumn)
	return w
}

// alignRows lays out the titles and rows: every column left-aligned and as
// wide as its widest cell, columns columnGap spaces apart. It returns one
// line per row, titles first, trailing spaces trimmed. Cells are one line
// each and pre-truncated, so padding is all there is to do (a tablewriter table did this until it cost a full run more than every
// check together; TestAlignRowsAgreesWithTablewriter holds the output to
// its layout).
func alignRows(titles [4]string, cells [][4]string) []string {
	rows := append([][4]string{titles}, cells...)
	widths := make([][4]int, len(rows))
	var column [4]int
	for i, r := range rows {
		for c, s := range r {
			widths[i][c] = textfmt.Width(s)
			column[c] = max(column[c], widths[i][c])
		}
	}
	lines := make([]string, len(rows))
	var b strings.Builder
	for i, r := range rows {
		b.Reset()
		for c, s := range r {
			b.WriteString(s)
			b.WriteString(strings.Repeat(" ", column[c]-widths[i][c]+columnGap))
		}
		lines[i] = strings.TrimRight(b.String(), " ")
	}
	return lines
}

// truncate shortens s to width display columns, marking the cut.
func truncate(s string, width int) string {
	return textfmt.Truncate(s, width, ellipsis)
}

// wrap breaks s into lines of at most width display columns at spaces,
// splitting words longer than a line, and keeps at most maxLines of them,
// marking the cut.
func wrap(s string, width, maxLines int) []string {
	width = max(width, minColumn)
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
			pw := textfmt.Width(piece)
			if curWidth > 0 && curWidth+1+pw > width {
				flush()
			}
			if curWidth > 0 {
				cur.WriteByte(' ')
				curWidth++
			}
			cur.WriteString(piece)
			curWidth += pw
		}
	}
	if curWidth > 0 {
		flush()
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		last := lines[maxLines-1]
		lines[maxLines-1] = textfmt.Truncate(last+" "+ellipsis, width, ellipsis)
	}
	return lines
}

// splitWord cuts a word wider than width (a URL, a path) into pieces that
// fit, so a line never overflows.
func splitWord(word string, width int) []string {
	if textfmt.Width(word) <= width {
		return []string{word}
	}
	var pieces []string
	var cur strings.Builder
	curWidth := 0
	for _, r := range word {
		rw := textfmt.Width(string(r))
		if curWidth+rw > width && curWidth > 0 {
			pieces = append(pieces, cur.String())
			cur.Reset()
			curWidth = 0
		}
		cur.WriteRune(r)
		curWidth += rw
	}
	return append(pieces, cur.String())
}

// oneLine is textfmt.OneLine, the sanitiser every outside string passes.
func oneLine(s string) string { return textfmt.OneLine(s) }
