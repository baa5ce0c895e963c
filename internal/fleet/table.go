package fleet

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/textfmt"
)

// Summaries, not truncation: a fleet of hundreds must stay readable, and
// the JSON has all. Every value that is shown is shown whole.
const (
	firstFailures = 3  // failing check IDs shown per host
	maxCheckRows  = 20 // checks shown in the per-check table
	hostsPerCheck = 5  // host names shown per check
)

// TableOptions tune the fleet table.
type TableOptions struct {
	// Width is the terminal's width in columns: columns are narrowed to fit
	// it and a value wider than its column wraps onto more lines of its
	// row; sentences (reasons, notes, the summary) wrap too. Nothing is
	// cut. 0 (a file, a pipe, --wide) is no limit: one line per row.
	Width int
}

// Table writes the fleet view for people with no width limit: the table
// of the fleet formats, for files and pipes.
func Table(w io.Writer, f *Fleet) error { return TableWith(w, f, TableOptions{}) }

// TableWith writes the fleet view for people: one row per host, the checks
// that fail (or warn) on any host with how many hosts, the unchecked
// hosts' reasons in full, notices, and a summary line.
func TableWith(w io.Writer, f *Fleet, o TableOptions) error {
	width := 0
	if o.Width > 0 {
		width = max(o.Width, minTableWidth)
	}
	var b strings.Builder
	rows := [][]string{{"HOST", "DISTRO", "PROFILE", "VERDICT", "PASS", "WARN", "FAIL", "ERROR", "FIRST FAILURES"}}
	for _, h := range f.Hosts {
		rows = append(rows, hostRow(h))
	}
	layout(&b, rows, width)

	var shown [][]string
	more := 0
	for _, c := range f.Checks {
		if c.HostsFailing+c.HostsError+c.HostsWarning == 0 {
			continue
		}
		if len(shown) == maxCheckRows {
			more++
			continue
		}
		shown = append(shown, []string{cell(c.ID), strconv.Itoa(c.HostsFailing), strconv.Itoa(c.HostsError), strconv.Itoa(c.HostsWarning), hostList(c.FailingHosts)})
	}
	if len(shown) > 0 {
		b.WriteString("\n")
		layout(&b, append([][]string{{"CHECK", "FAILING", "ERROR", "WARN", "FAILING ON"}}, shown...), width)
		if more > 0 {
			writeWrapped(&b, fmt.Sprintf("  … %s on some host (see the JSON fleet report)", textfmt.Count(more, "more check fails or warns", "more checks fail or warn")), "    ", width)
		}
	}
	if len(f.Findings) > 0 {
		b.WriteString("\nfleet findings:\n")
		for _, fd := range f.Findings {
			writeWrapped(&b, fmt.Sprintf("  %s: %s", cell(fd.ID), cell(fd.Message)), "    ", width)
		}
	}
	var unchecked []Host
	for _, h := range f.Hosts {
		if h.State == StateUnchecked {
			unchecked = append(unchecked, h)
		}
	}
	if len(unchecked) > 0 {
		b.WriteString("\nnot checked:\n")
		for _, h := range unchecked {
			writeWrapped(&b, fmt.Sprintf("  %s (%s): %s", cell(h.Host), cell(string(h.ErrorKind)), cell(h.Error)), "    ", width)
		}
	}
	if len(f.Notices) > 0 {
		b.WriteString("\n")
		for _, n := range f.Notices {
			writeWrapped(&b, "note: "+cell(n), "      ", width)
		}
	}
	b.WriteString("\n")
	writeWrapped(&b, f.SummaryLine(), "", width)
	_, err := io.WriteString(w, b.String())
	return err
}

// SummaryLine counts hosts by state and states the fleet's verdict.
func (f *Fleet) SummaryLine() string {
	s := f.Summary
	verdict := "fleet READY"
	if !f.Ready() {
		verdict = "fleet NOT READY"
	}
	return fmt.Sprintf("%s: %d ready, %d not ready, %d not checked (--fail-on %s) — %s",
		textfmt.Count(s.Hosts, "host", "hosts"), s.Ready, s.NotReady, s.Unchecked, f.FailOn, verdict)
}

func hostRow(h Host) []string {
	if h.State == StateUnchecked {
		// The reason is a sentence, often long: it is shown whole once,
		// under "not checked:", not squeezed into a column.
		return []string{cell(h.Host), "-", "-", strings.ToUpper(cell(string(h.ErrorKind))), "", "", "", "", reasonBelow}
	}
	s := h.Summary
	failures := h.Failing
	extra := ""
	if len(failures) > firstFailures {
		extra = fmt.Sprintf(", +%d more", len(failures)-firstFailures)
		failures = failures[:firstFailures]
	}
	fl := make([]string, len(failures))
	for i, id := range failures {
		fl[i] = cell(id)
	}
	verdict := strings.ToUpper(cell(h.Verdict))
	if h.State == StateNotReady {
		verdict += " (not ready)"
	}
	return []string{cell(h.Host), cell(h.Distro), cell(h.Profile), verdict,
		strconv.Itoa(s.Pass), strconv.Itoa(s.Warn), strconv.Itoa(s.Fail), strconv.Itoa(s.Error),
		strings.Join(fl, ", ") + extra}
}

// reasonBelow stands in the host table for an unchecked host's reason.
const reasonBelow = "(see not checked)"

func hostList(hosts []string) string {
	shown := hosts
	extra := ""
	if len(shown) > hostsPerCheck {
		extra = fmt.Sprintf(", +%d more", len(shown)-hostsPerCheck)
		shown = shown[:hostsPerCheck]
	}
	out := make([]string, len(shown))
	for i, h := range shown {
		out[i] = cell(h)
	}
	return strings.Join(out, ", ") + extra
}

// cell is outside text (a report's hostname, a remote error) made one line
// a terminal cannot be steered by, and kept whole: the table wraps it.
func cell(s string) string { return printable(s, 0) }
