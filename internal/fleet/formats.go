package fleet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/textfmt"
)

// JSON writes the golive/fleet/v1 document: indented, stable field order,
// no HTML escaping (consumers are programs), one trailing newline.
func JSON(w io.Writer, f *Fleet) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("encode fleet report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Markdown writes the fleet view for a ticket or a change record.
func Markdown(w io.Writer, f *Fleet) error {
	var b strings.Builder
	s := f.Summary
	fmt.Fprintf(&b, "## golive fleet report\n\n**%s: %d ready, %d not ready, %d not checked** (%s)\n\n", textfmt.Count(s.Hosts, "host", "hosts"), s.Ready, s.NotReady, s.Unchecked, textfmt.MarkdownCode("--fail-on "+f.FailOn))
	b.WriteString("| host | distro | profile | verdict | pass | warn | fail | error | failing checks |\n")
	b.WriteString("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- |\n")
	for _, h := range f.Hosts {
		if h.State == StateUnchecked {
			fmt.Fprintf(&b, "| %s | | | **not checked: %s** | | | | | %s |\n", md(h.Host), md(string(h.ErrorKind)), md(h.Error))
			continue
		}
		ids := make([]string, len(h.Failing))
		for i, id := range h.Failing {
			ids[i] = mdCell(id)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d | %d | %d | %s |\n", md(h.Host), md(h.Distro), md(h.Profile),
			mdVerdict(h), h.Summary.Pass, h.Summary.Warn, h.Summary.Fail, h.Summary.Error, strings.Join(ids, ", "))
	}
	var rows []string
	for _, c := range f.Checks {
		if c.HostsFailing+c.HostsError+c.HostsWarning == 0 {
			continue
		}
		hosts := make([]string, len(c.FailingHosts))
		for i, h := range c.FailingHosts {
			hosts[i] = md(h)
		}
		rows = append(rows, fmt.Sprintf("| %s | %d | %d | %d | %s |\n", mdCell(c.ID), c.HostsFailing, c.HostsError, c.HostsWarning, strings.Join(hosts, ", ")))
	}
	if len(rows) > 0 {
		b.WriteString("\n### Checks that fail or warn\n\n| check | hosts failing | hosts error | hosts warning | failing on |\n| --- | ---: | ---: | ---: | --- |\n")
		b.WriteString(strings.Join(rows, ""))
	}
	if len(f.Notices) > 0 {
		b.WriteString("\n")
		for _, n := range f.Notices {
			fmt.Fprintf(&b, "- note: %s\n", md(n))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdVerdict(h Host) string {
	if h.State == StateNotReady {
		return "**" + h.Verdict + "** (not ready)"
	}
	return h.Verdict
}

// md makes outside text literal Markdown in a table cell, escaped as the
// check report escapes it, after clip bounds its length.
func md(s string) string { return textfmt.MarkdownText(clip(s)) }

// mdCell shows an ID as a code span in a table cell, as the check report
// does: literal, backticks and pipes included.
func mdCell(s string) string { return textfmt.MarkdownCell(clip(s)) }

// Prom writes a Prometheus textfile for node_exporter's textfile
// collector: hosts per state, hosts per check and status, and a one-hot
// verdict per host.
func Prom(w io.Writer, f *Fleet) error {
	var b strings.Builder
	b.WriteString("# HELP golive_fleet_hosts Hosts in the fleet report by state.\n# TYPE golive_fleet_hosts gauge\n")
	for _, st := range []struct {
		state string
		n     int
	}{{StateReady, f.Summary.Ready}, {StateNotReady, f.Summary.NotReady}, {StateUnchecked, f.Summary.Unchecked}} {
		fmt.Fprintf(&b, "golive_fleet_hosts{state=%s} %d\n", promLabel(st.state), st.n)
	}
	b.WriteString("# HELP golive_fleet_check_hosts Hosts on which a check had a status.\n# TYPE golive_fleet_check_hosts gauge\n")
	checks := append([]CheckTally(nil), f.Checks...)
	sort.Slice(checks, func(i, j int) bool { return checks[i].ID < checks[j].ID })
	for _, c := range checks {
		for _, st := range []struct {
			status string
			n      int
		}{{"pass", c.HostsPassing}, {"warn", c.HostsWarning}, {"fail", c.HostsFailing}, {"skip", c.HostsSkipped}, {"error", c.HostsError}, {"waived", c.HostsWaived}} {
			fmt.Fprintf(&b, "golive_fleet_check_hosts{id=%s,status=%s} %d\n", promLabel(c.ID), promLabel(st.status), st.n)
		}
	}
	b.WriteString("# HELP golive_fleet_host_verdict The verdict of each host's report (1 for its verdict, 0 otherwise).\n# TYPE golive_fleet_host_verdict gauge\n")
	for _, h := range f.Hosts {
		for _, v := range []string{"pass", "warn", "fail", "aborted", VerdictUnchecked} {
			n := 0
			if h.Verdict == v {
				n = 1
			}
			fmt.Fprintf(&b, "golive_fleet_host_verdict{host=%s,verdict=%s} %d\n", promLabel(h.Host), promLabel(v), n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// promLabel quotes a label value per the text exposition format: only
// backslash, double quote and newline need escaping, and the value must
// be valid UTF-8.
func promLabel(s string) string {
	return `"` + textfmt.PromLabelValue(s) + `"`
}

// Formats are the fleet report formats by name.
var Formats = map[string]func(io.Writer, *Fleet) error{
	"table": Table, "json": JSON, "markdown": Markdown, "prom": Prom,
}

// FormatNames lists Formats, sorted.
func FormatNames() []string {
	out := make([]string, 0, len(Formats))
	for k := range Formats {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
