package cli

import (
	"io"
	"sort"

	"github.com/golive-sh/golive/internal/report"
)

// renderOptions are the presentation choices a renderer may honour.
type renderOptions struct {
	Color bool // the table may use colour (a terminal, no NO_COLOR)
	Quiet bool // the table shows only what is not a pass
	// Width is the terminal's width for the table to fit; 0 is no limit
	// (a file, a pipe, --wide).
	Width int
	// FailOnWarn is set under --fail-on warn: formats that show pass/fail
	// per check (JUnit) count warnings as failures too.
	FailOnWarn bool
}

// renderers are the report formats of `golive check --format` and
// `--report FORMAT=PATH`, by name.
var renderers = map[string]func(io.Writer, *report.Report, renderOptions) error{
	"table": func(w io.Writer, r *report.Report, o renderOptions) error {
		return report.Table(w, r, report.TableOptions{Color: o.Color, Quiet: o.Quiet, Width: o.Width})
	},
	"json": func(w io.Writer, r *report.Report, _ renderOptions) error { return report.JSON(w, r) },
	"junit": func(w io.Writer, r *report.Report, o renderOptions) error {
		return report.JUnitWith(w, r, report.JUnitOptions{WarnAsFailure: o.FailOnWarn})
	},
	"markdown": func(w io.Writer, r *report.Report, _ renderOptions) error { return report.Markdown(w, r) },
	"prom":     func(w io.Writer, r *report.Report, _ renderOptions) error { return report.Prom(w, r) },
}

// ReportFormats lists the report formats, sorted; tests iterate over it to
// prove a property (no secret printed) of every format.
func ReportFormats() []string { return sortedKeys(renderers) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
