package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/golive-sh/golive/internal/textfmt"
)

var diffTitles = [4]string{"CHANGE", "CHECK", "STATUS", "OBSERVED"}

// diffGroups are a diff's lists in the order people read them: what
// broke first, then what got fixed.
func (d *Diff) groups() []struct {
	label   string
	changes []Change
} {
	return []struct {
		label   string
		changes []Change
	}{
		{"NEW FAILURE", d.NewFailures},
		{"FIXED", d.Fixed},
		{"APPEARED", d.Appeared},
		{"DISAPPEARED", d.Disappeared},
		{"CHANGED", d.Changed},
	}
}

// DiffTable writes a diff for a terminal: the two runs, one row per
// changed check, and a closing line with the regression verdict.
func DiffTable(w io.Writer, d *Diff) error {
	var b strings.Builder
	fmt.Fprintf(&b, "golive diff · %s · %s · profile %s\n", oneLine(d.New.Hostname), d.New.Distro, oneLine(d.New.Profile))
	if !d.SameHost {
		fmt.Fprintf(&b, "  note: the reports come from different hosts (old %s, new %s)\n", oneLine(d.Old.Hostname), oneLine(d.New.Hostname))
	}
	for _, s := range []struct {
		name string
		side DiffSide
	}{{"old", d.Old}, {"new", d.New}} {
		fmt.Fprintf(&b, "  %s  %s  %s  (%s: %d pass, %d warn, %d fail, %d skip, %d error, %d waived)\n",
			s.name, oneLine(s.side.StartedAt), strings.ToUpper(oneLine(s.side.Verdict)), textfmt.Count(s.side.Summary.Total, "check", "checks"),
			s.side.Summary.Pass, s.side.Summary.Warn, s.side.Summary.Fail, s.side.Summary.Skip, s.side.Summary.Error, s.side.Summary.Waived)
	}
	var cells [][4]string
	changed := 0
	for _, g := range d.groups() {
		for _, c := range g.changes {
			cells = append(cells, [4]string{g.label, oneLine(c.ID), arrow(string(c.OldStatus), string(c.NewStatus)), arrow(c.OldObserved, c.NewObserved)})
			changed++
		}
	}
	if changed > 0 {
		widths := fitColumns(naturalWidths(cells), tableWidth-len(indent)-len("NEW FAILURE")-3*columnGap)
		for i := range cells {
			for c := 1; c < 4; c++ {
				cells[i][c] = truncate(cells[i][c], widths[c-1])
			}
		}
		lines := alignRows(diffTitles, cells)
		b.WriteString("\n")
		for _, l := range lines {
			b.WriteString(indent + l + "\n")
		}
	}
	b.WriteString("\n" + diffVerdict(d, changed) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// tableWidth is the diff table's budget: diffs are read in CI logs as
// often as on terminals, so it does not size itself to a terminal.
const tableWidth = 120

func diffVerdict(d *Diff, changed int) string {
	line := fmt.Sprintf("%d changed, %d unchanged", changed, d.Unchanged)
	if d.Regression {
		return line + fmt.Sprintf(" — REGRESSION: %d new %s", len(d.NewFailures), plural(len(d.NewFailures), "failure", "failures"))
	}
	return line + fmt.Sprintf(" — no new failures (%d fixed)", len(d.Fixed))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// arrow shows a before and after; a missing side shows as "—".
func arrow(old, new string) string {
	old, new = oneLine(old), oneLine(new)
	if old == new {
		return old
	}
	if old == "" {
		old = "—"
	}
	if new == "" {
		new = "—"
	}
	return old + " → " + new
}

// DiffJSON writes the golive/diff/v1 document (docs/diff.md).
func DiffJSON(w io.Writer, d *Diff) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("encode diff: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// DiffMarkdown writes a diff as a ticket or pull-request comment: the
// verdict first, the two runs, then one table per kind of change.
func DiffMarkdown(w io.Writer, d *Diff) error {
	var b strings.Builder
	verdict := "no new failures"
	if d.Regression {
		verdict = fmt.Sprintf("REGRESSION: %d new %s", len(d.NewFailures), plural(len(d.NewFailures), "failure", "failures"))
	}
	fmt.Fprintf(&b, "## golive diff: %s — %s\n\n", mdText(d.New.Hostname), verdict)
	if !d.SameHost {
		fmt.Fprintf(&b, "> The reports come from different hosts: old %s, new %s.\n\n", mdCode(d.Old.Hostname), mdCode(d.New.Hostname))
	}
	b.WriteString("| | started | verdict | pass | warn | fail | error | skip | waived |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, s := range []struct {
		name string
		side DiffSide
	}{{"old", d.Old}, {"new", d.New}} {
		m := s.side.Summary
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %d | %d | %d |\n", s.name, mdCell(s.side.StartedAt), mdCell(s.side.Verdict),
			m.Pass, m.Warn, m.Fail, m.Error, m.Skip, m.Waived)
	}
	titles := map[string]string{"NEW FAILURE": "New failures", "FIXED": "Fixed", "APPEARED": "Appeared",
		"DISAPPEARED": "Disappeared", "CHANGED": "Changed"}
	changed := 0
	for _, g := range d.groups() {
		if len(g.changes) == 0 {
			continue
		}
		changed += len(g.changes)
		fmt.Fprintf(&b, "\n### %s (%d)\n\n| Check | Status | Observed | Expected |\n| --- | --- | --- | --- |\n", titles[g.label], len(g.changes))
		for _, c := range g.changes {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(c.ID), mdArrow(string(c.OldStatus), string(c.NewStatus)),
				mdArrow(c.OldObserved, c.NewObserved), mdCell(c.Expected))
		}
	}
	fmt.Fprintf(&b, "\n%d changed, %d unchanged.\n", changed, d.Unchanged)
	_, err := io.WriteString(w, b.String())
	return err
}

// mdArrow is arrow for a table cell: each side a code span.
func mdArrow(old, new string) string {
	if oneLine(old) == oneLine(new) {
		return mdCell(new)
	}
	return mdCell(old) + " → " + mdCell(new)
}
