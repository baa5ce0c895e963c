package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
)

// findingText is a finding as plain text, the body of a JUnit <failure>,
// <error> or <system-out>: what was expected and observed, why it matters,
// the details worth showing, and the fix step by step. A CI log shows it
// as is, so it is everything an engineer needs without the JSON report.
func findingText(c Check) string {
	var b strings.Builder
	line := func(label, v string) {
		if v = oneLine(v); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, v)
		}
	}
	line("title", c.Title)
	line("severity", c.Severity)
	line("expected", c.Expected)
	line("observed", c.Observed)
	line("message", c.Message)
	line("why", c.Why)
	if ds := detailLines(c.Details); len(ds) > 0 {
		b.WriteString("details:\n")
		for _, d := range ds {
			b.WriteString("  " + d + "\n")
		}
	}
	if p := c.Remediation; p != nil {
		fmt.Fprintf(&b, "remediation: %s\n", oneLine(p.Summary))
		for i, a := range p.Actions {
			s := stepOf(a)
			fmt.Fprintf(&b, "  %d. %s\n", i+1, oneLine(s.plain()))
			if s.code == "" {
				continue
			}
			mark := "     " // file content: indented under its step
			if s.lang == "sh" {
				mark = "     $ "
			}
			for _, l := range strings.Split(strings.TrimSuffix(block(s.code), "\n"), "\n") {
				b.WriteString(strings.TrimRight(mark+l, " ") + "\n")
			}
		}
		if p.Reboot {
			b.WriteString("  takes effect after a reboot\n")
		}
	}
	return b.String()
}

// detailLines shows a check's details as "key: value" lines, keys sorted:
// scalars as they are, lists and objects as compact JSON. Empty values
// (null, "", [], {}) are left out: they say nothing in a log.
func detailLines(details map[string]any) []string {
	keys := make([]string, 0, len(details))
	for k, v := range details {
		if !isEmptyDetail(v) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	lines := make([]string, 0, len(keys))
	for _, k := range keys {
		lines = append(lines, oneLine(k)+": "+oneLine(detailValue(details[k])))
	}
	return lines
}

func isEmptyDetail(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func detailValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64: // details read back from a JSON report
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool, int, int64, uint64:
		return fmt.Sprint(x)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// waiver is what a waived check was waived with. A waived result carries
// it in Details["waiver"]; its Message starts with the reason, which is
// what a result without the structured form falls back to.
type waiver struct {
	Reason, Ticket, Expires string
}

func waiverOf(c Check) waiver {
	w := waiver{Reason: c.Message}
	m, ok := c.Details["waiver"].(map[string]any)
	if !ok {
		return w
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	if r := str("reason"); r != "" {
		w.Reason = r
	}
	w.Ticket, w.Expires = str("ticket"), str("expires")
	return w
}

// waiverText is the body of a waived check's <skipped>.
func waiverText(c Check) string {
	w := waiverOf(c)
	var b strings.Builder
	for _, kv := range [][2]string{
		{"waived", w.Reason}, {"ticket", w.Ticket}, {"expires", w.Expires},
		{"expected", c.Expected}, {"observed", c.Observed},
	} {
		if v := oneLine(kv[1]); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", kv[0], v)
		}
	}
	return b.String()
}

// missSummary is the one-line message of a JUnit <failure> or <error>: for
// a failure the values side by side, for an error what went wrong.
func missSummary(c Check) string {
	exp, obs, msg := oneLine(c.Expected), oneLine(c.Observed), oneLine(c.Message)
	if c.Status == engine.Fail && (exp != "" || obs != "") {
		switch {
		case exp == "":
			return "observed " + obs
		case obs == "":
			return "expected " + exp + ", observed nothing"
		}
		return "expected " + exp + ", observed " + obs
	}
	if msg != "" {
		return msg
	}
	return string(c.Status)
}
