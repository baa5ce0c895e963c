package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/golive-sh/golive/internal/report"
)

type diffOptions struct {
	Old, New string
	Format   string
	Output   string
}

// diffRenderers are the formats of `golive diff`.
var diffRenderers = map[string]func(io.Writer, *report.Diff) error{
	"table":    report.DiffTable,
	"json":     report.DiffJSON,
	"markdown": report.DiffMarkdown,
}

func newDiffCmd(streams IO) *cobra.Command {
	opts := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "Compare two JSON reports: new failures, fixes, changed values",
		Long: `diff compares two golive JSON reports check by check: new failures, fixed
checks, changed statuses or observed values, and checks that appeared or
disappeared. It exits 1 when NEW has a failure (fail or error) that OLD did not
have, so a pipeline can gate on regressions rather than on absolute state, and 0
otherwise; 2 when a report cannot be read. Either file may be - for standard input.`,
		Example: `  golive diff before.json after.json
  golive diff --format json yesterday.json today.json --output delta.json`,
		Args: cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Old, opts.New = args[0], args[1]
			return runDiff(opts, streams)
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "table", "output format: "+strings.Join(sortedKeys(diffRenderers), ", "))
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write the diff to FILE instead of standard output")
	return cmd
}

func runDiff(o *diffOptions, streams IO) error {
	render, ok := diffRenderers[o.Format]
	if !ok {
		return invalid(fmt.Errorf("--format %q: use %s", o.Format, strings.Join(sortedKeys(diffRenderers), ", ")))
	}
	if o.Old == "-" && o.New == "-" {
		return invalid(fmt.Errorf("only one of the reports can be standard input"))
	}
	if o.Output != "" && o.Output != "-" {
		if err := writableDir("--output", o.Output); err != nil {
			return err
		}
	}
	old, err := report.ReadFile(o.Old, streams.In)
	if err != nil {
		return invalid(err)
	}
	new, err := report.ReadFile(o.New, streams.In)
	if err != nil {
		return invalid(err)
	}
	d := report.Compare(old, new)
	if o.Output == "" || o.Output == "-" {
		err = render(streams.Out, d)
	} else {
		err = writeAtomic(o.Output, func(w io.Writer) error { return render(w, d) })
	}
	if err != nil {
		return err
	}
	if d.Regression {
		return exitCode(ExitNotReady)
	}
	return nil
}
