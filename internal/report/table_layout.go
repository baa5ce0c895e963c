package report

import (
	"strings"

	"github.com/golive-sh/golive/internal/textfmt"
)

// The layout: textfmt.Columns aligns the four columns of every shown check
// in one table, so widths agree across categories; category headings and
// message lines are then interleaved between its lines. They are not table
// rows because a message reads best spanning the width under its check.
// Every cell is sanitised to one line first. With a width (a terminal),
// the columns are narrowed to fit it and a value wider than its column is
// wrapped onto more lines of the row, never cut; without one (a file, a
// pipe, --wide) every row is one line as long as its values.

const (
	indent      = "  "
	columnGap   = 2 // spaces between columns
	statusWidth = 6 // "WAIVED" and "STATUS", the longest labels
	// minColumn is as narrow as CHECK, EXPECTED or OBSERVED gets before
	// the table is allowed to overflow the terminal instead.
	minColumn = 10
	ellipsis  = "…"
	// detailMark starts a check's message; its continuation lines, and the
	// why of a finding, are indented as far.
	detailMark = "↳ "
	detailCont = "  "
)

var columnTitles = [4]string{"STATUS", "CHECK", "EXPECTED", "OBSERVED"}

// writeChecks writes the column titles, then each group under its heading,
// each check's message and, for a finding, why it matters under its row.
// width 0 means no limit.
func writeChecks(b *strings.Builder, groups []group, width int, p palette) {
	var rows [][4]string
	for _, g := range groups {
		for _, r := range g.rows {
			rows = append(rows, r.cells)
		}
	}
	var widths []int
	if width > 0 {
		widths = fitColumns(naturalWidths(rows), width-len(indent)-statusWidth-3*columnGap)
	}
	// Each row becomes one or more physical lines, laid out together so
	// the columns agree; heights says how many lines each row took.
	var cells [][4]string
	heights := make([]int, len(rows))
	for i, r := range rows {
		part := wrapRow(r, widths)
		heights[i] = len(part)
		cells = append(cells, part...)
	}
	lines := alignRows(columnTitles, cells)

	b.WriteString(indent + p.paint(bold, lines[0]) + "\n")
	detailIndent := indent + strings.Repeat(" ", statusWidth+columnGap)
	detailWidth := 0
	if width > 0 {
		detailWidth = max(width-textfmt.Width(detailIndent+detailMark), minColumn)
	}
	next, row := 1, 0
	for _, g := range groups {
		b.WriteString("\n" + p.paint(bold, g.name) + "\n")
		for _, r := range g.rows {
			b.WriteString(indent + paintStatus(lines[next], r, p) + "\n")
			for _, l := range lines[next+1 : next+heights[row]] {
				b.WriteString(indent + l + "\n")
			}
			next += heights[row]
			row++
			mark := detailMark
			for _, text := range []string{r.message, r.why} {
				for _, l := range wrapText(text, detailWidth) {
					b.WriteString(detailIndent + mark + l + "\n")
					mark = detailCont
				}
			}
		}
	}
}

// wrapRow lays one row's cells out as lines: CHECK, EXPECTED and OBSERVED
// each wrapped to its width (widths nil: no limit, one line), the status
// label on the first line only.
func wrapRow(r [4]string, widths []int) [][4]string {
	if widths == nil {
		return [][4]string{r}
	}
	var cols [4][]string
	cols[0] = []string{r[0]}
	height := 1
	for c := 1; c < 4; c++ {
		cols[c] = textfmt.Wrap(r[c], widths[c-1])
		height = max(height, len(cols[c]))
	}
	out := make([][4]string, height)
	for c, col := range cols {
		for i, l := range col {
			out[i][c] = l
		}
	}
	return out
}

// wrapText wraps one line of text to width columns, or keeps it one line
// when width is 0 (no limit).
func wrapText(s string, width int) []string {
	if width <= 0 {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	return textfmt.Wrap(s, width)
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
// EXPECTED and OBSERVED give way first, widest first, down to a fifth of
// the budget each (a narrow value column only takes more lines); only then
// is every column narrowed, widest first, down to minColumn. Past that the
// line overflows rather than showing nothing.
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
	shrink([]int{1, 2}, max(minColumn, budget/5))
	shrink([]int{0, 1, 2}, minColumn)
	return w
}

// alignRows lays out the titles and rows: every column left-aligned and as
// wide as its widest cell, columns columnGap spaces apart. It returns one
// line per row, titles first, trailing spaces trimmed. Cells are one line
// each and pre-wrapped, so padding is all there is to do (a tablewriter table did this until it cost a full run more than every
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

// oneLine is textfmt.OneLine, the sanitiser every outside string passes.
func oneLine(s string) string { return textfmt.OneLine(s) }
