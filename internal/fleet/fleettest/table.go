package fleettest

import (
	"strings"

	"github.com/golive-sh/golive/internal/textfmt"
)

// TableColumns reads the columns of the tables in a fleet table's output
// (the host table and the check table, each from its title line to the
// first blank line): by title, the text of every line's part under that
// column, joined with spaces. A value wrapped onto several lines of its row
// reads whole, Squeeze-d, in its column's text, however the columns beside
// it wrapped.
func TableColumns(out string) map[string]string {
	cols := map[string]string{}
	lines := strings.Split(out, "\n")
	for i := 0; i < len(lines); i++ {
		titles := tableTitles(lines[i])
		if titles == nil {
			continue
		}
		starts := make([]int, len(titles))
		for c, t := range titles {
			starts[c] = textfmt.Width(lines[i][:strings.Index(lines[i], t)])
		}
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
			parts := cut(lines[i], starts)
			for c, t := range titles {
				cols[t] += " " + parts[c]
			}
		}
	}
	return cols
}

// tableTitles are the column titles when line is a fleet table's title
// line, else nil.
func tableTitles(line string) []string {
	switch {
	case strings.HasPrefix(line, "  HOST  "):
		return []string{"HOST", "DISTRO", "PROFILE", "VERDICT", "PASS", "WARN", "FAIL", "ERROR", "FIRST FAILURES"}
	case strings.HasPrefix(line, "  CHECK  "):
		return []string{"CHECK", "FAILING", "ERROR", "WARN", "FAILING ON"}
	}
	return nil
}

// cut splits a line at display columns starts.
func cut(line string, starts []int) []string {
	parts := make([]string, len(starts))
	col, c := 0, -1
	for _, r := range line {
		for c+1 < len(starts) && col >= starts[c+1] {
			c++
		}
		if c >= 0 {
			parts[c] += string(r)
		}
		col += textfmt.Width(string(r))
	}
	return parts
}

// Squeeze drops every space, so a value reads the same however it wrapped.
func Squeeze(s string) string { return strings.Join(strings.Fields(s), "") }
