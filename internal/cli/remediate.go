package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/internal/textfmt"
)

// Remediation formats: what `golive remediate --format` writes, the
// renderer, and the mode of an --output file (a script is executable).
var remediationFormats = map[string]struct {
	render func(io.Writer, remediate.Input) error
	mode   os.FileMode
	yaml   bool
}{
	"bash":    {remediate.Bash, 0o755, false},
	"ansible": {remediate.Ansible, 0o644, true},
}

type remediateOptions struct {
	runOptions
	From   string
	Format string
	Output string
	Quiet  bool
	pick
}

func newRemediateCmd(streams IO, runF func(*remediateOptions) error) *cobra.Command {
	opts := &remediateOptions{}
	var v *settings
	cmd := &cobra.Command{
		Use:   "remediate",
		Short: "Write a bash script or an Ansible playbook that fixes what failed",
		Long: `remediate runs the checks (with the same flags as check), or reads a JSON
report with --from, and writes the fixes of every failed or warned check as
a bash script (default) or an Ansible playbook. Manual steps become
comments. See docs/remediation.md.

The script refuses to run on a system its profile does not match, prints
instead of doing with DRY_RUN=1, and fixes the files of a mounted image
with ROOT=DIR (commands for the running system are then only listed).`,
		Example: `  golive remediate -o fix.sh && DRY_RUN=1 ./fix.sh && sudo ./fix.sh
  golive remediate --root /mnt/image -o fix.sh && ROOT=/mnt/image ./fix.sh
  golive remediate --from report.json --format ansible -o fix.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runRemediate(cmd.Context(), cmd.Flags(), v, opts, streams)
		},
	}
	f := cmd.Flags()
	opts.runOptions.bind(f)
	f.StringVar(&opts.From, "from", "", "read the checks' results from this JSON report (- for standard input) instead of running them")
	f.StringVarP(&opts.Format, "format", "f", "bash", "what to write: bash or ansible")
	f.StringVarP(&opts.Output, "output", "o", "", "write to FILE (bash: mode 0755) instead of standard output")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "no summary and no notices on standard error")
	opts.pick.bind(f)
	v = newSettings(f)
	return cmd
}

// settle validates remediate's own flags. They are read from the command
// line only: GOLIVE_FORMAT and the config file's format: are check's
// report formats, not these.
func (o *remediateOptions) settle(f *pflag.FlagSet) error {
	if _, ok := remediationFormats[o.Format]; !ok {
		return invalid(fmt.Errorf("--format %q: use bash or ansible", o.Format))
	}
	if err := o.pick.settle(o.Format); err != nil {
		return err
	}
	if o.From == "" {
		return nil
	}
	var clash []string
	f.VisitAll(func(fl *pflag.Flag) {
		switch fl.Name {
		case "from", "format", "output", "quiet", "level", "hosts", "only", "skip":
		default:
			if fl.Changed {
				clash = append(clash, "--"+fl.Name)
			}
		}
	})
	if len(clash) > 0 {
		return invalid(fmt.Errorf("--from reads a finished report: %s would not apply", strings.Join(clash, ", ")))
	}
	return nil
}

func runRemediate(ctx context.Context, flags *pflag.FlagSet, v *settings, o *remediateOptions, streams IO) error {
	if err := o.settle(flags); err != nil {
		return err
	}
	code := ExitReady
	var rep *report.Report
	var err error
	if o.From != "" {
		if rep, err = readReport(o.From, streams.In); err == nil {
			// --only and --skip pick the fixes of a finished report.
			o.selection.Only, o.selection.Skip = splitList(o.selection.Only), splitList(o.selection.Skip)
			err = o.pick.checkPatterns(rep, o.selection)
		}
	} else {
		rep, err = o.runOptions.run(ctx, v, streams, nil, func(notices []string) {
			if o.Quiet {
				return
			}
			for _, n := range notices {
				fmt.Fprintln(streams.Err, "golive: notice: "+n)
			}
		})
		if rep != nil && rep.Verdict == report.VerdictAborted {
			// The fixes of the checks that finished are still right;
			// the exit code says the list is incomplete.
			code = ExitAborted
		}
	}
	if err != nil {
		return err
	}
	now := time.Now
	if streams.Now != nil {
		now = streams.Now
	}
	in := remediationInput(rep, now())
	if in, err = o.pick.apply(in, rep, o.selection, o.Format); err != nil {
		return err
	}
	format := remediationFormats[o.Format]
	fill := func(w io.Writer) error { return format.render(w, in) }
	if o.Output == "" || o.Output == "-" {
		err = fill(streams.Out)
	} else if err = writeAtomic(o.Output, fill); err == nil {
		err = os.Chmod(o.Output, format.mode)
	}
	if err != nil {
		return err
	}
	if !o.Quiet {
		auto, manual, reboot := remediate.Count(in.Fixes, format.yaml)
		fmt.Fprintf(streams.Err, "golive: %s: %s, %s, %s\n", textfmt.Count(len(in.Fixes), "fix", "fixes"),
			textfmt.Count(auto, "automatic action", "automatic actions"), textfmt.Count(manual, "manual step", "manual steps"), textfmt.Count(reboot, "needs a reboot", "need a reboot"))
	}
	if code != ExitReady {
		return exitCode(code)
	}
	return nil
}

// remediationInput selects the fixes of a report: failed or warned checks
// whose remediation has actions, in report order.
func remediationInput(rep *report.Report, now time.Time) remediate.Input {
	in := remediate.Input{
		Tool:        "golive " + Version,
		Host:        rep.Host.Hostname,
		Distro:      rep.Host.Distro.PrettyName,
		Root:        rep.Host.Root,
		Profile:     rep.Profile.Name,
		GeneratedAt: now,
		Guard:       reportGuard(rep),
	}
	in.CheckedAt, _ = time.Parse(time.RFC3339Nano, rep.StartedAt) // zero when unreadable: "an unknown time"
	for _, c := range rep.Checks {
		if c.Status != engine.Fail && c.Status != engine.Warn {
			continue
		}
		if c.Remediation == nil || len(c.Remediation.Actions) == 0 {
			continue
		}
		in.Fixes = append(in.Fixes, remediate.Fix{CheckID: c.ID, Status: string(c.Status), Plan: *c.Remediation})
	}
	return in
}
