package report

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
)

// TableOptions tune the human-readable report.
type TableOptions struct {
	// Color turns on ANSI colours. The caller decides (TTY, NO_COLOR,
	// --no-color); the renderer never looks at the terminal itself.
	Color bool
	// Quiet shows only the checks that did not pass and the summary line,
	// no notices: what a CI log needs.
	Quiet bool
	// Width is the terminal's width in columns: values wider than their
	// column, messages and the summary are wrapped to fit it, never cut.
	// 0 (output to a file or a pipe, or --wide) is no limit: each check is
	// one line and each message one line after it, however long.
	Width int
}

// minTableWidth keeps the layout sane when a caller passes a tiny width; a
// narrower terminal wraps lines, which is still readable.
const minTableWidth = 40

// Table writes the report for people at a terminal: a line naming host,
// distro and profile; the checks grouped by category (in report order) in
// columns STATUS, CHECK, EXPECTED, OBSERVED, each miss followed by its
// message; notices; and a summary line with the counts and the verdict.
func Table(w io.Writer, r *Report, o TableOptions) error {
	if r == nil {
		return errors.New("render table: nil report")
	}
	width := 0
	if o.Width > 0 {
		width = max(o.Width, minTableWidth)
	}
	p := palette{on: o.Color}

	// Build the whole text first: one Write, and nothing half-written when
	// the layout fails.
	var b strings.Builder
	if !o.Quiet {
		writeWrapped(&b, headline(r, p), "", width)
		b.WriteString("\n")
	}
	groups := groupChecks(r.Checks, o.Quiet)
	switch {
	case len(groups) > 0:
		writeChecks(&b, groups, width, p)
		b.WriteString("\n")
	case len(r.Checks) == 0 && !o.Quiet:
		b.WriteString("No checks were run.\n\n")
	}
	if !o.Quiet {
		for _, n := range r.Notices {
			writeWrapped(&b, p.paint(yellow, "note:")+" "+oneLine(n), "      ", width)
		}
		if len(r.Notices) > 0 {
			b.WriteString("\n")
		}
	}
	writeWrapped(&b, summaryLine(r, p), "", width)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// writeWrapped writes a sentence wrapped to width (0: one line), its
// continuation lines indented by cont.
func writeWrapped(b *strings.Builder, s, cont string, width int) {
	first := true
	for _, l := range wrapText(s, width-len(cont)) {
		if !first {
			b.WriteString(cont)
		}
		b.WriteString(l + "\n")
		first = false
	}
}

// headline names what was checked: host, distro, profile and its extends
// chain, and the root when it is not the running system.
func headline(r *Report, p palette) string {
	host := oneLine(r.Host.Hostname)
	if host == "" {
		host = "(unknown host)"
	}
	parts := []string{"host " + p.paint(bold, host)}
	if d := distroName(r.Host.Distro); d != "" {
		parts = append(parts, d)
	}
	if prof := profileName(r.Profile); prof != "" {
		parts = append(parts, "profile "+prof)
	}
	if root := oneLine(r.Host.Root); root != "" && root != "/" {
		parts = append(parts, "root "+root)
	}
	return strings.Join(parts, " · ")
}

// profileName is the profile and, when it says more, its extends chain.
func profileName(p Profile) string {
	name := oneLine(p.Name)
	chain := make([]string, len(p.Chain))
	for i, c := range p.Chain {
		chain[i] = oneLine(c)
	}
	if len(chain) == 0 || (len(chain) == 1 && chain[0] == name) {
		return name
	}
	return strings.TrimSpace(name + " (" + strings.Join(chain, " → ") + ")")
}

func distroName(d Distro) string {
	if s := oneLine(d.PrettyName); s != "" {
		return s
	}
	return strings.TrimSpace(oneLine(d.ID) + " " + oneLine(d.VersionID))
}

// summaryLine counts results by status and states the verdict in words a
// person acts on.
func summaryLine(r *Report, p palette) string {
	s := r.Summary
	noun := "checks"
	if s.Total == 1 {
		noun = "check"
	}
	counts := fmt.Sprintf("%d %s: %d pass, %d warn, %d fail, %d skip, %d error%s, %d waived",
		s.Total, noun, s.Pass, s.Warn, s.Fail, s.Skip, s.Error, interruptedNote(s), s.Waived)
	var verdict string
	switch r.Verdict {
	case VerdictPass:
		verdict = "verdict: " + p.paint(bold+green, "PASS") + " (ready)"
	case VerdictWarn:
		verdict = "verdict: " + p.paint(bold+yellow, "WARN") + " (no failures, warnings to review)"
	case VerdictFail:
		verdict = "verdict: " + p.paint(bold+red, "FAIL") + " (not ready)"
	case VerdictAborted:
		reason := oneLine(r.Aborted)
		if reason == "" {
			reason = "run did not finish"
		}
		verdict = p.paint(bold+red, "ABORTED") + ": " + reason + " (partial report)"
	default:
		verdict = "verdict: " + strings.ToUpper(oneLine(r.Verdict))
	}
	return counts + " — " + verdict
}

// interruptedNote sets apart, within the errors, the checks the run's end
// cut short: they are not findings about the host.
func interruptedNote(s Summary) string {
	if s.Interrupted == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d interrupted: not finished when the run ended)", s.Interrupted)
}

// group is one category's checks, in report order.
type group struct {
	name string
	rows []row
}

// row is one check as the table shows it, its strings already made safe
// for a terminal.
type row struct {
	status  engine.Status
	cells   [4]string // status label, ID, expected, observed
	message string
	why     string // "why: ...", for a finding
}

// groupChecks gathers checks by category, categories in the order they
// first appear, so the table follows the profile. Quiet drops passes.
func groupChecks(checks []Check, quiet bool) []group {
	var groups []group
	index := map[string]int{}
	for _, c := range checks {
		if quiet && c.Status == engine.Pass {
			continue
		}
		cat := oneLine(c.Category)
		if cat == "" {
			cat = "other"
		}
		i, ok := index[cat]
		if !ok {
			i = len(groups)
			index[cat] = i
			groups = append(groups, group{name: cat})
		}
		rw := row{
			status: c.Status,
			cells:  [4]string{statusLabel(c.Status), oneLine(c.ID), oneLine(c.Expected), oneLine(c.Observed)},
		}
		// A pass needs no explanation; every other status does. A finding
		// (fail, warn, error) also says why it matters; a skip, a waiver or
		// an interrupted check is not one to act on, and its message says
		// enough.
		if c.Status != engine.Pass {
			rw.message = oneLine(c.Message)
		}
		if why := oneLine(c.Why); why != "" && !c.Interrupted() && (c.Status == engine.Fail || c.Status == engine.Warn || c.Status == engine.Error) {
			rw.why = "why: " + why
		}
		groups[i].rows = append(groups[i].rows, rw)
	}
	return groups
}

// statusLabel is the STATUS cell. An unknown status is shown, not hidden,
// cut to the column so it cannot push the table past the terminal.
func statusLabel(s engine.Status) string {
	label := strings.ToUpper(oneLine(string(s)))
	if label == "" {
		return "?"
	}
	return truncate(label, statusWidth)
}

// ANSI SGR sequences.
const (
	reset  = "\x1b[0m"
	bold   = "\x1b[1m"
	dim    = "\x1b[2m"
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
)

// palette applies colours only when they are on, so the layout code never
// asks.
type palette struct{ on bool }

func (p palette) paint(sgr, s string) string {
	if !p.on || sgr == "" || s == "" {
		return s
	}
	return sgr + s + reset
}

func statusColor(s engine.Status) string {
	switch s {
	case engine.Pass:
		return green
	case engine.Warn:
		return yellow
	case engine.Fail, engine.Error:
		return red
	case engine.Skip:
		return dim
	case engine.Waived:
		return cyan
	}
	return ""
}
