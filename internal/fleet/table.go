package fleet

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/textfmt"
)

// Table limits: a fleet of hundreds must stay readable; the JSON has all.
const (
	firstFailures  = 3  // failing check IDs shown per host
	maxCheckRows   = 20 // checks shown in the per-check table
	hostsPerCheck  = 5  // host names shown per check
	maxReasonWidth = 70 // an unchecked host's reason in the host table
	maxCellWidth   = 40
)

// Table writes the fleet view for people: one row per host, the checks
// that fail (or warn) on any host with how many hosts, the unchecked
// hosts' reasons in full, and a summary line.
func Table(w io.Writer, f *Fleet) error {
	var b strings.Builder
	rows := [][]string{{"HOST", "DISTRO", "PROFILE", "VERDICT", "PASS", "WARN", "FAIL", "ERROR", "FIRST FAILURES"}}
	for _, h := range f.Hosts {
		rows = append(rows, hostRow(h))
	}
	if err := layout(&b, rows); err != nil {
		return err
	}

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
		if err := layout(&b, append([][]string{{"CHECK", "FAILING", "ERROR", "WARN", "FAILING ON"}}, shown...)); err != nil {
			return err
		}
		if more > 0 {
			fmt.Fprintf(&b, "  … %s on some host (see the JSON fleet report)\n", textfmt.Count(more, "more check fails or warns", "more checks fail or warn"))
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
			fmt.Fprintf(&b, "  %s (%s): %s\n", clip(h.Host), h.ErrorKind, clip(h.Error))
		}
	}
	if len(f.Notices) > 0 {
		b.WriteString("\n")
		for _, n := range f.Notices {
			fmt.Fprintf(&b, "note: %s\n", clip(n))
		}
	}
	b.WriteString("\n" + f.SummaryLine() + "\n")
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
		return []string{cell(h.Host), "-", "-", strings.ToUpper(string(h.ErrorKind)), "", "", "", "", truncate(clip(h.Error), maxReasonWidth)}
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
	verdict := strings.ToUpper(h.Verdict)
	if h.State == StateNotReady {
		verdict += " (not ready)"
	}
	return []string{cell(h.Host), cell(h.Distro), cell(h.Profile), verdict,
		strconv.Itoa(s.Pass), strconv.Itoa(s.Warn), strconv.Itoa(s.Fail), strconv.Itoa(s.Error),
		strings.Join(fl, ", ") + extra}
}

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

// cell is outside text made one line and cut to a column.
func cell(s string) string { return truncate(clip(s), maxCellWidth) }

func truncate(s string, width int) string { return textfmt.Truncate(s, width, "…") }

// layout aligns rows in the style of the check report's table: no
// borders or rules, two spaces between columns, the first row the titles.
func layout(b *strings.Builder, rows [][]string) error {
	for _, l := range textfmt.Columns(rows, 2) {
		b.WriteString("  " + l + "\n")
	}
	return nil
}
