package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/envframe"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/report"
)

// Fail-on levels: what makes the gate exit 1.
const (
	failOnFail = "fail"
	failOnWarn = "warn"
	failOnNone = "none"
)

// runOptions are the options of one run of the checks; check and
// remediate (which runs the checks first unless given a report) share them.
type runOptions struct {
	target
	selection
	Offline      bool
	Timeout      time.Duration
	CheckTimeout time.Duration
	Parallel     int
	// Probes are the checks that write, asked for by name (--probe).
	Probes []string
}

type checkOptions struct {
	runOptions
	Format string
	Output string
	// Reports are extra outputs of the same run: --report FORMAT=PATH.
	Reports []reportOutput
	FailOn  string
	NoColor bool
	Quiet   bool
	// Wide keeps the table's lines whole on a terminal too.
	Wide bool
	// EnvStdin reads environment variables (secrets) framed on standard
	// input before anything else: how fleet check forwards them.
	EnvStdin bool
}

// reportOutput is one --report FORMAT=PATH.
type reportOutput struct{ Format, Path string }

func newCheckCmd(io IO, runF func(*checkOptions) error) *cobra.Command {
	opts := &checkOptions{}
	var v *settings
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check whether this host (or --root) is ready for go-live",
		Example: `  golive check                                   # this machine, detected distro profile
  golive check --root /mnt/image --offline       # a mounted golden image
  golive check --format json --output report.json --fail-on warn
  golive check --only 'sysctl/*' --skip sysctl/net.ipv4.tcp_tw_reuse`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runCheck(cmd.Context(), v, opts, io)
		},
	}
	f := cmd.Flags()
	opts.runOptions.bind(f)
	f.StringVarP(&opts.Format, "format", "f", "table", "report format: "+strings.Join(ReportFormats(), ", "))
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to FILE instead of standard output")
	arrayFlag(f, new([]string), "report", "", "also write the report as FORMAT to PATH (FORMAT=PATH, repeatable): --report junit=r.xml --report json=r.json")
	f.StringVar(&opts.FailOn, "fail-on", failOnFail, "what makes the exit code 1: fail (fail or error), warn (also warn), none (report only)")
	f.BoolVar(&opts.NoColor, "no-color", false, "no colour in the table (also NO_COLOR)")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "show only what is not a pass, and no notices")
	f.BoolVar(&opts.Wide, "wide", false, "do not wrap the table to the terminal's width: one line per check and per message, as in a file or a pipe")
	v = newSettings(f)
	// Bound after the settings: only the command line sets it, never a
	// GOLIVE_* variable or the config file.
	f.BoolVar(&opts.EnvStdin, "env-stdin", false, "read environment variables framed on standard input (used by fleet check)")
	_ = f.MarkHidden("env-stdin")
	return cmd
}

func (o *runOptions) bind(f *pflag.FlagSet) {
	o.target.bind(f)
	o.selection.bind(f, "run")
	f.BoolVar(&o.Offline, "offline", false, "skip every check that talks to the network")
	f.DurationVar(&o.Timeout, "timeout", 60*time.Second, "deadline for the whole run; past it the run aborts with exit code 3 and a partial report")
	f.DurationVar(&o.CheckTimeout, "check-timeout", engine.DefaultCheckTimeout, "deadline for one check")
	stringsFlag(f, &o.Probes, "probe", "", "also run these probes, which WRITE to the host: fsync (disk/fsync: a temp file of at most 2.2 MiB in each etcd/MySQL data directory, fdatasync latency, removed afterwards)")
	f.IntVar(&o.Parallel, "parallel", 0, "checks run at once, local and network alike (default: network checks as many as the open-file limit allows, local checks 2 per CPU)")
}

// settle reads the run options (settings), after the config file's
// options: section has been merged in, and validates them.
func (o *runOptions) settle(v *settings, p *profile.Profile) error {
	mergeConfigOptions(v, p.Options)
	o.selection.settle(v)
	o.Offline = v.boolean("offline")
	o.Parallel = v.integer("parallel")
	o.Probes = splitList(v.list("probe"))
	if v.err != nil {
		return v.err
	}
	for _, pr := range o.Probes {
		if pr != "fsync" {
			return invalid(fmt.Errorf("--probe %q: the only probe is fsync", pr))
		}
	}
	p.Probes = o.Probes
	var err error
	if o.Timeout, err = duration(v, "timeout"); err != nil {
		return err
	}
	if o.CheckTimeout, err = duration(v, "check-timeout"); err != nil {
		return err
	}
	if o.Parallel < 0 || o.Parallel > 10000 {
		return invalid(fmt.Errorf("--parallel %d: use 1 to 10000, or 0 for the default bounds", o.Parallel))
	}
	return nil
}

// settle reads check's own options (after the run options).
func (o *checkOptions) settle(v *settings) error {
	o.Format = v.str("format")
	o.Output = v.str("output")
	o.FailOn = v.str("fail-on")
	o.NoColor = v.boolean("no-color")
	o.Quiet = v.boolean("quiet")
	o.Wide = v.boolean("wide")
	if v.err != nil {
		return v.err
	}
	if _, ok := renderers[o.Format]; !ok {
		return invalid(fmt.Errorf("--format %q: use %s", o.Format, strings.Join(ReportFormats(), ", ")))
	}
	if err := o.settleReports(v.list("report")); err != nil {
		return err
	}
	if !oneOf(o.FailOn, failOnFail, failOnWarn, failOnNone) {
		return invalid(fmt.Errorf("--fail-on %q: use fail, warn or none", o.FailOn))
	}
	return nil
}

// settleReports parses --report FORMAT=PATH values and checks, before
// anything runs, that each can be written: a gate that finds out after a
// two-minute run that its JUnit path is wrong has wasted the run.
func (o *checkOptions) settleReports(values []string) error {
	o.Reports = nil
	seen := map[string]string{}
	if o.Output != "" && o.Output != "-" {
		if err := writableDir("--output", o.Output); err != nil {
			return err
		}
		seen[filepath.Clean(o.Output)] = "--output"
	}
	for _, val := range values {
		format, path, ok := strings.Cut(val, "=")
		if !ok || format == "" || path == "" {
			return invalid(fmt.Errorf("--report %q: use FORMAT=PATH, e.g. junit=report.xml", val))
		}
		if _, known := renderers[format]; !known {
			return invalid(fmt.Errorf("--report %q: unknown format %q (use %s)", val, format, strings.Join(ReportFormats(), ", ")))
		}
		flag := "--report " + val
		if first, dup := seen[filepath.Clean(path)]; dup {
			return invalid(fmt.Errorf("%s: %s already writes %s", flag, first, path))
		}
		if err := writableDir(flag, path); err != nil {
			return err
		}
		seen[filepath.Clean(path)] = flag
		o.Reports = append(o.Reports, reportOutput{Format: format, Path: path})
	}
	return nil
}

// writableDir checks that path's directory exists.
func writableDir(flag, path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return invalid(fmt.Errorf("%s: %w", flag, unwrapPath(err)))
	}
	if !fi.IsDir() {
		return invalid(fmt.Errorf("%s: %s is not a directory", flag, dir))
	}
	return nil
}

// mergeConfigOptions puts the config file's options: section under the
// flags and GOLIVE_* in v. Only the options named by keys are merged (all of
// them when keys is empty): list reads its own --format, which options:
// format (a report format) is not.
func mergeConfigOptions(v *settings, c profile.Options, keys ...string) {
	m := configOptions(c)
	if len(keys) > 0 {
		for k := range m {
			if !slices.Contains(keys, k) {
				delete(m, k)
			}
		}
	}
	v.merge(m)
}

// configOptions is the config file's options: section as flag values: an
// option's YAML key, with - for _, is the name of the flag it sets (a test
// holds every option to that). Options not set are left out.
func configOptions(c profile.Options) map[string]any {
	m := map[string]any{}
	v := reflect.ValueOf(c)
	for i := range v.NumField() {
		f, val := v.Type().Field(i), v.Field(i)
		if val.IsZero() || val.Kind() == reflect.Slice && val.Len() == 0 {
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		m[strings.ReplaceAll(key, "_", "-")] = val.Interface()
	}
	return m
}

func duration(v *settings, key string) (time.Duration, error) {
	s := v.str(key)
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, invalid(fmt.Errorf("--%s %q: a positive duration such as 30s or 2m", key, s))
	}
	return d, nil
}

func oneOf(s string, set ...string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

func runCheck(ctx context.Context, v *settings, o *checkOptions, io IO) error {
	if o.EnvStdin {
		if err := setEnvFromStdin(io.In); err != nil {
			return err
		}
	}
	rep, err := o.runOptions.run(ctx, v, io, func() error { return o.settle(v) }, func(notices []string) {
		toTerminal := o.Format == "table" && o.Output == ""
		if !o.Quiet && !toTerminal {
			for _, n := range notices {
				fmt.Fprintln(io.Err, "golive: notice: "+n)
			}
		}
	})
	if err != nil {
		return err
	}
	if err := o.write(rep, io); err != nil {
		return err
	}
	return exitCode(verdictCode(rep, o.FailOn))
}

// run loads the target, settles the options (settle adds a command's own),
// prepares the plan (engine.Prepare), runs it and returns the report. notify gets
// the run's notices before the checks start.
func (o *runOptions) run(ctx context.Context, v *settings, io IO, settle func() error, notify func([]string)) (*report.Report, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	var hostOpts []host.Option
	if io.Now != nil {
		hostOpts = append(hostOpts, host.WithClock(io.Now))
	}
	h, id, p, err := o.target.load(v, hostOpts...)
	if err != nil {
		return nil, err
	}
	if err := o.settle(v, p); err != nil {
		return nil, err
	}
	if settle != nil {
		if err := settle(); err != nil {
			return nil, err
		}
	}
	plan, err := engine.Prepare(p, h, o.selection.engine())
	if err != nil {
		return nil, invalid(err)
	}
	observe(plan)
	if len(plan.Checks) > report.MaxChecks {
		// Every reader of reports (diff, remediate --from, fleet) takes
		// at most this many: golive does not write what it cannot read.
		return nil, invalid(fmt.Errorf("the profile plans %d checks: golive runs at most %d", len(plan.Checks), report.MaxChecks))
	}

	var notices []string
	if p.Fallback {
		notices = append(notices, p.MatchedBy)
	}
	for _, prob := range id.Problems {
		notices = append(notices, "host fact unreadable: "+prob)
	}
	if notify != nil {
		notify(notices)
	}

	ctx, stop := withSignals(ctx)
	defer stop()
	ctx, cancel := context.WithTimeoutCause(ctx, o.Timeout, fmt.Errorf("run deadline reached (--timeout %s)", o.Timeout))
	defer cancel()
	out := plan.Run(ctx, engine.RunOptions{Parallel: o.Parallel, CheckTimeout: o.CheckTimeout, Offline: o.Offline})

	return report.New(report.Input{
		Version:  Version,
		Identity: id,
		Root:     h.Root(),
		Profile:  report.Profile{Name: p.Name, Chain: p.Chain, Fallback: p.Fallback},
		Notices:  notices,
		Outcome:  out,
	}), nil
}

func verdictCode(r *report.Report, failOn string) int {
	switch {
	case r.Verdict == report.VerdictAborted:
		return ExitAborted
	case failOn == failOnNone:
		return ExitReady
	case r.Summary.Fail > 0 || r.Summary.Error > 0:
		return ExitNotReady
	case failOn == failOnWarn && r.Summary.Warn > 0:
		return ExitNotReady
	}
	return ExitReady
}

// write renders the report to standard output or, atomically, to --output.
func (o *checkOptions) write(r *report.Report, streams IO) error {
	render := func(w io.Writer, tty bool) error {
		color := tty && !o.NoColor && (streams.Getenv == nil || streams.Getenv("NO_COLOR") == "")
		width := 0
		if tty && !o.Wide {
			width = terminalWidth(w, streams.Getenv)
		}
		return renderers[o.Format](w, r, renderOptions{Color: color, Quiet: o.Quiet, Width: width, FailOnWarn: o.FailOn == failOnWarn})
	}
	for _, ro := range o.Reports {
		ro := ro
		err := writeAtomic(ro.Path, func(w io.Writer) error {
			return renderers[ro.Format](w, r, renderOptions{Quiet: o.Quiet, FailOnWarn: o.FailOn == failOnWarn})
		})
		if err != nil {
			return err
		}
	}
	if o.Output == "" || o.Output == "-" {
		return render(streams.Out, streams.OutTTY)
	}
	return writeAtomic(o.Output, func(w io.Writer) error { return render(w, false) })
}

// writeAtomic writes a file through a temporary file and a rename, so a
// reader (a ticketing tool, node_exporter) never sees half a report. A
// report that cannot be written exits 2, like a bad --output.
func writeAtomic(path string, fill func(io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return invalid(fmt.Errorf("write %s: %w", path, err))
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := fill(f); err != nil {
		f.Close()
		return invalid(fmt.Errorf("write %s: %w", path, err))
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return invalid(fmt.Errorf("write %s: %w", path, err))
	}
	if err := f.Close(); err != nil {
		return invalid(fmt.Errorf("write %s: %w", path, err))
	}
	if err := os.Rename(tmp, path); err != nil {
		return invalid(fmt.Errorf("write %s: %w", path, err))
	}
	return nil
}

// withSignals cancels ctx on SIGINT or SIGTERM; the run then ends with a
// partial report and exit code 3. A second signal kills the process as
// usual.
func withSignals(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			cancel(fmt.Errorf("interrupted by signal %s", s))
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		signal.Stop(ch)
		cancel(nil)
	}
}

// setEnvFromStdin reads the environment frame fleet check sends (secrets
// named by the profile and --env) and sets each variable in this process
// only: never in a file, a command line or a child's environment block
// (golive check starts no process). Errors never show a value.
func setEnvFromStdin(in io.Reader) error {
	if in == nil {
		in = os.Stdin
	}
	vars, err := envframe.Decode(in)
	if err != nil {
		return invalid(fmt.Errorf("--env-stdin: %w", err))
	}
	for _, v := range vars {
		if err := os.Setenv(v.Name, v.Value); err != nil {
			return invalid(fmt.Errorf("--env-stdin: set %s: %w", v.Name, err))
		}
	}
	return nil
}
