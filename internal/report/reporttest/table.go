package reporttest

import (
	"regexp"
	"strings"

	"github.com/golive-sh/golive/internal/textfmt"
)

// TableRow is one check of a table report read back: its status label,
// the text of its CHECK, EXPECTED and OBSERVED cells and of the lines
// under it (message, why), each the fragments of its wrapped lines joined
// by a space. Compare with Squeeze: a word cut at the end of a line has a
// space in it here.
type TableRow struct {
	Status string
	Cells  [3]string
	Detail string
}

var (
	rowStart = regexp.MustCompile(`^  [A-Z?]`)
	tableEnd = regexp.MustCompile(`^(note:|[0-9]+ checks?: )`)
)

// ParseTable reads back the checks of a table report (without colour):
// the columns are where the header line puts their titles; a line indented
// past STATUS is a continuation of the row above, or of its detail once
// the detail's ↳ has started.
func ParseTable(out string) []TableRow {
	lines := strings.Split(out, "\n")
	var starts [4]int
	i := 0
	for ; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "  STATUS  CHECK") {
			l := lines[i]
			for c, title := range []string{"STATUS", "CHECK", "EXPECTED", "OBSERVED"} {
				starts[c] = textfmt.Width(l[:strings.Index(l, title)])
			}
			break
		}
	}
	var rows []TableRow
	inDetail := false
	for _, l := range lines[min(i+1, len(lines)):] {
		if tableEnd.MatchString(l) {
			break
		}
		if !strings.HasPrefix(l, "  ") {
			continue // blank, or a category heading
		}
		if rowStart.MatchString(l) {
			rows = append(rows, TableRow{})
			inDetail = false
		}
		if len(rows) == 0 {
			continue
		}
		r := &rows[len(rows)-1]
		if strings.HasPrefix(strings.TrimSpace(l), "↳ ") || inDetail {
			inDetail = true
			r.Detail = join(r.Detail, strings.TrimPrefix(strings.TrimSpace(l), "↳ "))
			continue
		}
		cols := splitColumns(l, starts)
		if s := strings.TrimSpace(cols[0]); s != "" {
			r.Status = s
		}
		for c := range r.Cells {
			r.Cells[c] = join(r.Cells[c], strings.TrimSpace(cols[c+1]))
		}
	}
	return rows
}

// splitColumns cuts a line at the display columns in starts.
func splitColumns(l string, starts [4]int) [4]string {
	var out [4]string
	col, c := 0, 0
	for _, r := range l {
		for c < 3 && col >= starts[c+1] {
			c++
		}
		out[c] += string(r)
		col += textfmt.Width(string(r))
	}
	return out
}

func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + " " + b
}

// Squeeze drops every space, so text wrapped at any width compares with the
// text it came from.
func Squeeze(s string) string { return strings.Join(strings.Fields(s), "") }
