package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/textfmt"
)

// Markdown writes r as a ticket body in GitHub-flavoured Markdown: a
// heading with host and verdict; a line naming distro, profile, golive
// version and start time; the counts; a table of failures, errors and
// warnings and one of waivers; then a section per finding with what was
// expected and observed, why it matters, how to fix it (commands as code
// blocks) and its details. Passes and skips are collapsed into counts with
// the IDs folded away. Every outside string is escaped or shown as code.
func Markdown(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("render markdown: nil report")
	}
	findings, waived, passed, skipped, cut := sortFindings(r.Checks)

	var b strings.Builder
	mdHeader(&b, r)
	if len(findings) > 0 {
		b.WriteString("| Status | Severity | Check | Observed | Expected |\n| --- | --- | --- | --- | --- |\n")
		for _, c := range findings {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdStatus(c.Status), mdTextOr(c.Severity),
				mdCell(c.ID), mdCell(c.Observed), mdCell(c.Expected))
		}
		b.WriteString("\n")
	}
	if len(waived) > 0 {
		b.WriteString("**Waived:**\n\n| Check | Reason | Ticket | Expires |\n| --- | --- | --- | --- |\n")
		for _, c := range waived {
			wv := waiverOf(c)
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(c.ID), mdTextOr(wv.Reason), mdTextOr(wv.Ticket), mdTextOr(wv.Expires))
		}
		b.WriteString("\n")
	}
	for _, c := range findings {
		mdFinding(&b, c)
	}
	// Interrupted checks found nothing: folded like passes, apart from the
	// findings, so a ticket is never about a check the run's end cut short.
	mdFolded(&b, "interrupted (not finished when the run ended)", cut, func(c Check) string { return mdText(c.Message) })
	mdFolded(&b, "passed", passed, func(c Check) string { return mdCode(c.Observed) })
	mdFolded(&b, "skipped", skipped, func(c Check) string { return mdText(c.Message) })

	doc := strings.TrimRight(b.String(), "\n") + "\n"
	if _, err := io.WriteString(w, doc); err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

// sortFindings splits checks by what the ticket does with them. Findings
// are failures and errors, then warnings, each in report order; a status
// this version does not know is a finding too, so it is not hidden.
// Interrupted checks are not findings.
func sortFindings(checks []Check) (findings, waived, passed, skipped, interrupted []Check) {
	for _, c := range checks {
		if c.Interrupted() {
			interrupted = append(interrupted, c)
			continue
		}
		switch c.Status {
		case engine.Pass:
			passed = append(passed, c)
		case engine.Skip:
			skipped = append(skipped, c)
		case engine.Waived:
			waived = append(waived, c)
		default:
			findings = append(findings, c)
		}
	}
	sort.SliceStable(findings, func(i, j int) bool {
		return findings[i].Status != engine.Warn && findings[j].Status == engine.Warn
	})
	return findings, waived, passed, skipped, interrupted
}

func mdHeader(b *strings.Builder, r *Report) {
	host := oneLine(r.Host.Hostname)
	if host == "" {
		host = "unknown host"
	}
	fmt.Fprintf(b, "## golive: %s — %s\n\n", mdText(host), mdVerdict(r.Verdict))

	var facts []string
	if d := distroName(r.Host.Distro); d != "" {
		facts = append(facts, mdText(d))
	}
	if r.Host.Kernel != "" {
		facts = append(facts, "kernel "+mdCode(r.Host.Kernel))
	}
	prof := "profile " + mdCode(r.Profile.Name)
	if len(r.Profile.Chain) > 0 {
		chain := make([]string, len(r.Profile.Chain))
		for i, c := range r.Profile.Chain {
			chain[i] = mdText(c)
		}
		prof += " (" + strings.Join(chain, " → ") + ")"
	}
	facts = append(facts, prof)
	if root := oneLine(r.Host.Root); root != "" && root != "/" {
		facts = append(facts, "root "+mdCode(root))
	}
	facts = append(facts, "golive "+mdCode(r.Tool.Version),
		fmt.Sprintf("started %s, took %s ms", mdText(r.StartedAt), formatMS(r.DurationMS)))
	b.WriteString(strings.Join(facts, " · ") + "\n\n")

	s := r.Summary
	fmt.Fprintf(b, "**%s:** %d fail, %d error%s, %d warn, %d waived, %d pass, %d skip\n\n",
		textfmt.Count(s.Total, "check", "checks"), s.Fail, s.Error, interruptedNote(s), s.Warn, s.Waived, s.Pass, s.Skip)
	if r.Verdict == VerdictAborted {
		fmt.Fprintf(b, "> **Aborted:** %s. This is a partial report.\n\n", mdTextOr(r.Aborted))
	}
	for _, n := range r.Notices {
		fmt.Fprintf(b, "> **Note:** %s\n\n", mdText(n))
	}
}

func mdVerdict(v string) string {
	switch v {
	case VerdictPass:
		return "READY (pass)"
	case VerdictWarn:
		return "READY, WITH WARNINGS (warn)"
	case VerdictFail:
		return "NOT READY (fail)"
	case VerdictAborted:
		return "ABORTED (partial report)"
	}
	return mdText(strings.ToUpper(v))
}

func mdStatus(s engine.Status) string {
	if s == "" {
		return "?"
	}
	return "**" + mdText(strings.ToUpper(string(s))) + "**"
}

// mdTextOr is mdText, with an em dash for nothing so a table cell is never
// blank.
func mdTextOr(s string) string {
	if t := mdText(s); t != "" {
		return t
	}
	return "—"
}

// mdFinding is the section of one failure, error or warning.
func mdFinding(b *strings.Builder, c Check) {
	fmt.Fprintf(b, "### %s %s", mdTextOr(strings.ToUpper(string(c.Status))), mdCode(c.ID))
	if t := mdText(c.Title); t != "" {
		b.WriteString(" — " + t)
	}
	b.WriteString("\n\n")
	found := "What was found"
	if c.Status == engine.Error {
		found = "What went wrong"
	}
	fields := [][2]string{
		{"Severity", mdTextOr(c.Severity)},
		{"Expected", mdCode(c.Expected)},
		{"Observed", mdCode(c.Observed)},
		{found, mdTextOr(c.Message)},
	}
	if why := mdText(c.Why); why != "" {
		fields = append(fields, [2]string{"Why it matters", why})
	}
	for _, f := range fields {
		fmt.Fprintf(b, "- **%s:** %s\n", f[0], f[1])
	}
	b.WriteString("\n")
	if p := c.Remediation; p != nil {
		fmt.Fprintf(b, "**Fix:** %s", mdTextOr(p.Summary))
		if p.Reboot {
			b.WriteString(" (takes effect after a reboot)")
		}
		b.WriteString("\n\n")
		for i, a := range p.Actions {
			s := stepOf(a)
			fmt.Fprintf(b, "%d. %s\n\n", i+1, mdPhrase(s.says))
			if s.code != "" {
				mdCodeBlock(b, s.lang, s.code)
			}
		}
	}
	if details := mdDetails(c.Details); details != "" {
		b.WriteString("<details><summary>Details</summary>\n\n")
		mdCodeBlock(b, "json", details)
		b.WriteString("</details>\n\n")
	}
}

func mdPhrase(parts []part) string {
	var b strings.Builder
	for _, p := range parts {
		if p.literal {
			b.WriteString(mdCode(p.text))
			continue
		}
		// mdText trims; the spaces between words and values are kept.
		t := mdText(p.text)
		if t != "" && strings.HasPrefix(p.text, " ") {
			t = " " + t
		}
		if t != "" && strings.HasSuffix(p.text, " ") {
			t += " "
		}
		b.WriteString(t)
	}
	if b.Len() == 0 {
		return "—"
	}
	return b.String()
}

// mdCodeBlock writes content in a fenced block at the start of a line, so
// nothing in it is read as Markdown.
func mdCodeBlock(b *strings.Builder, lang, content string) {
	content = strings.TrimSuffix(block(content), "\n")
	fence := mdFence(content)
	fmt.Fprintf(b, "%s%s\n%s\n%s\n\n", fence, lang, content, fence)
}

// mdDetails is a check's details as indented JSON, or "" when it has none.
func mdDetails(details map[string]any) string {
	if len(details) == 0 {
		return ""
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(details); err != nil {
		// A value JSON cannot hold (NaN); the lines of the text form can.
		return strings.Join(detailLines(details), "\n")
	}
	return buf.String()
}

// mdFolded collapses passes or skips into a count, the IDs (and what each
// saw or why it was skipped) folded away below it. note returns Markdown.
func mdFolded(b *strings.Builder, what string, checks []Check, note func(Check) string) {
	if len(checks) == 0 {
		return
	}
	fmt.Fprintf(b, "<details><summary>%d %s</summary>\n\n", len(checks), what)
	for _, c := range checks {
		fmt.Fprintf(b, "- %s", mdCode(c.ID))
		if n := note(c); n != "" && n != "—" {
			b.WriteString(" — " + n)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n</details>\n\n")
}

// formatMS shows a duration in milliseconds to a tenth.
func formatMS(ms float64) string {
	return fmt.Sprintf("%.1f", ms)
}
