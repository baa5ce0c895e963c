package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/fleet"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/sshclient"
)

// fleetCheckOptions are `golive fleet check`'s options.
type fleetCheckOptions struct {
	fleetOutput
	HostsFile    string
	User         string
	Identities   []string
	KnownHosts   string
	SSHConfig    string
	AcceptNew    bool
	BinaryFor    []string
	Sudo         bool
	Parallel     int
	HostTimeout  time.Duration
	OutDir       string
	Quiet        bool
	Profile      string
	Config       string
	Only, Skip   []string
	Offline      bool
	Timeout      time.Duration
	CheckTimeout time.Duration
	NoCache      bool
	// Env are the variables --env names; envRefs those the profile
	// names (*_env keys). Both are sent to each host on stdin.
	Env     []string
	envRefs []profile.EnvRef
	// noKey is set when neither the command line, ~/.ssh nor the agent
	// has a key: only hosts with an IdentityFile can then be reached.
	noKey error
	// changed names the flags given on the command line: the config
	// file's options: section fills in the others (through flags).
	changed map[string]bool
	flags   *pflag.FlagSet
}

func newFleetCheckCmd(io IO, runF func(*fleetCheckOptions, []string) error) *cobra.Command {
	o := &fleetCheckOptions{}
	cmd := &cobra.Command{
		Use:   "check [HOST...]",
		Short: "Run golive check on hosts over ssh and print a fleet table",
		Long: `fleet check copies this golive binary (or --binary-for ARCH=PATH) and the
profile files to a private temp dir on each host over ssh, runs
'golive check --format json' there, fetches the report and removes what it
copied. HOST is [user@]host[:port]; --hosts FILE reads one per line (#
comments). Host keys are verified against known_hosts: an unknown or
changed key refuses that host. Hosts are looked up in ~/.ssh/config (or
--ssh-config FILE): Host aliases, HostName, Port, User, IdentityFile,
ProxyJump, UserKnownHostsFile and StrictHostKeyChecking yes/accept-new
are followed; what the command line says wins.`,
		Example: `  golive fleet check db1 db2 db3
  golive fleet check --hosts cutover.txt --sudo --out-dir reports/ --config golive.yaml
  golive fleet check --hosts hosts.txt --binary-for aarch64=dist/golive_v0.1.0_linux_arm64`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.changed, o.flags = map[string]bool{}, cmd.Flags()
			cmd.Flags().Visit(func(f *pflag.Flag) { o.changed[f.Name] = true })
			if runF != nil {
				return runF(o, args)
			}
			return runFleetCheck(cmd.Context(), o, args, io)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.HostsFile, "hosts", "", "read hosts from FILE: one [user@]host[:port] per line, # comments")
	f.StringVarP(&o.User, "user", "l", "", "login user for hosts that name none (default: the current user)")
	arrayFlag(f, &o.Identities, "identity", "i", "private key FILE (repeatable); default ~/.ssh/id_ed25519, id_ecdsa, id_rsa; ssh-agent (SSH_AUTH_SOCK) is used as well")
	f.StringVar(&o.KnownHosts, "known-hosts", "", "known_hosts FILE host keys are verified against (default ~/.ssh/known_hosts)")
	f.StringVar(&o.SSHConfig, "ssh-config", "", "ssh_config FILE for host aliases, HostName, Port, User, IdentityFile, ProxyJump... (default ~/.ssh/config when it exists; none to read none)")
	f.BoolVar(&o.AcceptNew, "accept-new-host-keys", false, "trust and record the keys of hosts not yet in known_hosts (OpenSSH's StrictHostKeyChecking=accept-new); a changed key is still refused")
	arrayFlag(f, &o.BinaryFor, "binary-for", "", "copy PATH to hosts whose uname -m is ARCH, as ARCH=PATH (repeatable); default this golive for its own architecture")
	f.BoolVar(&o.Sudo, "sudo", false, "run golive check through sudo -n (needs a passwordless sudo rule on the hosts)")
	f.IntVar(&o.Parallel, "parallel", 10, "hosts worked on at once")
	f.DurationVar(&o.HostTimeout, "host-timeout", 5*time.Minute, "deadline for everything done on one host (connect, copy, run, fetch, cleanup); must exceed --timeout")
	f.StringVar(&o.OutDir, "out-dir", "", "write each host's JSON report to DIR/<host>[_<port>].json and the fleet view to DIR/fleet.json")
	f.StringVarP(&o.Format, "format", "f", "table", "fleet view format: "+strings.Join(fleet.FormatNames(), ", "))
	f.StringVarP(&o.Output, "output", "o", "", "write the fleet view to FILE instead of standard output")
	f.StringVar(&o.FailOn, "fail-on", failOnFail, "what makes a host not ready: fail (fail or error), warn (also warn), none; a host not checked always exits 1")
	f.BoolVar(&o.Wide, "wide", false, wideUsage)
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "no progress on standard error")
	f.BoolVar(&o.NoCache, "no-cache", false, "copy the binary into the temp dir on every run instead of keeping it in the host's ~/.cache/golive")
	arrayFlag(f, &o.Env, "env", "", "also send environment variable NAME to the hosts' golive check (repeatable), as the profile's *_env variables are: over the session's stdin, never a command line or file")
	// Passed through to the remote golive check.
	f.StringVar(&o.Profile, "profile", profile.Auto, "base profile on the hosts: auto (each host's detected distro), a built-in name, or a local file (copied)")
	f.StringVarP(&o.Config, "config", "c", "", "the service's profile file, copied with every file it extends (default ./"+DefaultConfig+" when it exists)")
	stringsFlag(f, &o.Only, "only", "", "run only these checks: IDs, globs or categories")
	stringsFlag(f, &o.Skip, "skip", "", "do not run these checks: IDs, globs or categories")
	f.BoolVar(&o.Offline, "offline", false, "skip every check that talks to the network")
	f.DurationVar(&o.Timeout, "timeout", 60*time.Second, "deadline for the run on each host (golive check --timeout)")
	f.DurationVar(&o.CheckTimeout, "check-timeout", engine.DefaultCheckTimeout, "deadline for one check")
	return cmd
}

func runFleetCheck(ctx context.Context, o *fleetCheckOptions, args []string, io IO) error {
	if ctx == nil {
		ctx = context.Background()
	}
	targets, err := o.targets(args)
	if err != nil {
		return err
	}
	opts, err := o.fanOutOptions(io)
	if err != nil {
		return err
	}
	defer opts.Auth.Close()
	resolver, err := o.resolve(targets, &opts, io)
	if err != nil {
		return err
	}
	defer resolver.Close()
	if o.OutDir != "" {
		if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
			return invalid(fmt.Errorf("--out-dir: %w", err))
		}
	}
	var progress *fleetProgress
	if !o.Quiet {
		progress = newFleetProgress(io, len(targets))
		opts.Start, opts.Done = progress.started, progress.finished
	}

	ctx, stop := withSignals(ctx)
	defer stop()
	started := time.Now()
	if io.Now != nil {
		started = io.Now()
	}
	results, err := fleet.Run(ctx, targets, opts)
	if progress != nil {
		progress.close()
	}
	if err != nil {
		return invalid(err)
	}
	interrupted := ctx.Err() != nil

	view, err := o.collect(results, started)
	if err != nil {
		return err
	}
	for _, a := range resolver.Accepted() {
		fmt.Fprintf(io.Err, "golive: notice: added the host key of %s\n", a)
	}
	werr := o.write(view, io)
	if interrupted {
		return &exitError{code: ExitAborted, err: context.Cause(ctx)}
	}
	return werr
}

// targets reads the hosts from the arguments and --hosts.
func (o *fleetCheckOptions) targets(args []string) ([]fleet.Target, error) {
	var targets []fleet.Target
	for _, a := range args {
		t, err := fleet.ParseTarget(a)
		if err != nil {
			return nil, invalid(err)
		}
		targets = append(targets, t)
	}
	if o.HostsFile != "" {
		f, err := os.Open(o.HostsFile)
		if err != nil {
			return nil, invalid(fmt.Errorf("--hosts: %w", unwrapPath(err)))
		}
		defer f.Close()
		more, err := fleet.ParseHosts(f, o.HostsFile)
		if err != nil {
			return nil, invalid(err)
		}
		targets = append(targets, more...)
	}
	if len(targets) == 0 {
		return nil, invalid(errors.New("no hosts: name them as arguments or with --hosts FILE"))
	}
	if len(targets) > fleet.MaxHosts {
		return nil, invalid(fmt.Errorf("%d hosts: at most %d in one run", len(targets), fleet.MaxHosts))
	}
	return targets, nil
}

// fanOutOptions validates the flags and loads keys, known hosts, binaries
// and profile files: everything that can be wrong is found before the
// first connection.
func (o *fleetCheckOptions) fanOutOptions(io IO) (fleet.Options, error) {
	bundle, err := o.bundle(io)
	if err != nil {
		return fleet.Options{}, err
	}
	if err := o.fleetOutput.validate(); err != nil {
		return fleet.Options{}, err
	}
	if o.Parallel < 1 || o.Parallel > 1000 {
		return fleet.Options{}, invalid(fmt.Errorf("--parallel %d: use 1 to 1000", o.Parallel))
	}
	if o.Timeout <= 0 || o.CheckTimeout <= 0 || o.HostTimeout <= 0 {
		return fleet.Options{}, invalid(errors.New("--timeout, --check-timeout and --host-timeout must be positive"))
	}
	// The remote run must end on its own (with a partial report) before
	// the host's deadline cuts the connection.
	if o.HostTimeout <= o.Timeout {
		return fleet.Options{}, invalid(fmt.Errorf("--host-timeout %s must exceed --timeout %s: the host needs time to start golive, fetch the report and clean up", o.HostTimeout, o.Timeout))
	}
	binaries, err := o.binaries()
	if err != nil {
		return fleet.Options{}, err
	}
	if o.KnownHosts == "" {
		o.KnownHosts = filepath.Join(homeDir(), ".ssh", "known_hosts")
	}
	keys, err := sshclient.NewHostKeys(o.KnownHosts, o.AcceptNew)
	if err != nil {
		return fleet.Options{}, invalid(err)
	}
	getenv := io.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	auth, err := sshclient.NewAuth(o.Identities, getenv("SSH_AUTH_SOCK"), homeDir())
	if errors.Is(err, sshclient.ErrNoKey) && len(o.Identities) == 0 {
		// ssh_config's IdentityFile may still name a key for every host:
		// resolve checks once the hosts are looked up.
		o.noKey, auth = err, &sshclient.Auth{}
	} else if err != nil {
		return fleet.Options{}, invalid(err)
	}
	for _, n := range auth.Notes {
		fmt.Fprintln(io.Err, "golive: notice: "+n)
	}
	if o.User == "" {
		o.User = currentUser(getenv)
	}
	frame, err := o.envFrame(getenv, io)
	if err != nil {
		return fleet.Options{}, err
	}
	return fleet.Options{
		User: o.User, Auth: auth, HostKeys: keys, Binaries: binaries, Bundle: bundle,
		CheckArgs: o.checkArgs(bundle), Sudo: o.Sudo, Parallel: o.Parallel, HostTimeout: o.HostTimeout,
		NoCache: o.NoCache, EnvFrame: frame,
	}, nil
}

// collect saves the fetched reports to --out-dir and merges the results
// into the fleet view (also saved there as fleet.json). A host this run
// could not check keeps the report an earlier run saved for it, marked
// stale (fleet_stale) and named in a notice, so fleet report of the
// directory neither loses what was last known nor shows it as current.
func (o *fleetCheckOptions) collect(results []fleet.HostResult, started time.Time) (*fleet.Fleet, error) {
	// Every target's file name, reserved in target order whatever the
	// outcome: a host's name does not change with which others failed.
	used := map[string]bool{}
	names := make([]string, len(results))
	for i, r := range results {
		names[i] = outName(r.Target, used)
	}
	entries := make([]fleet.Entry, 0, len(results))
	var notices []string
	for i, r := range results {
		e := fleet.Entry{Host: r.Target.Name(), Kind: r.Kind, Err: r.Err}
		if r.Kind == fleet.KindOK {
			rep, err := fleet.DecodeReport(r.Report)
			if err != nil { // checked on fetch; kept as a guard
				e.Kind, e.Err = fleet.KindRemote, err.Error()
			} else {
				e.Report = rep
			}
			if o.OutDir != "" {
				e.File = names[i]
				// Named as this run named it, so fleet report keys it the
				// same way and a re-run replaces it.
				if err := writeFile(o.OutDir, e.File, fleet.WithFleetTarget(r.Report, e.Host)); err != nil {
					return nil, err
				}
			}
		} else if o.OutDir != "" {
			note, err := markStale(o.OutDir, names[i], e, started)
			if err != nil {
				return nil, err
			}
			if note != "" {
				notices = append(notices, note)
			}
		}
		entries = append(entries, e)
	}
	view := fleet.Merge(entries, fleet.MergeOptions{FailOn: o.FailOn, KeepDuplicates: true})
	view.Notices = append(view.Notices, notices...)
	if o.OutDir != "" {
		var buf strings.Builder
		if err := fleet.JSON(&buf, view); err != nil {
			return nil, err
		}
		if err := writeFile(o.OutDir, "fleet.json", []byte(buf.String())); err != nil {
			return nil, err
		}
	}
	return view, nil
}

// markStale marks the report an earlier run saved as dir/name for the
// unchecked host e, if there is one and it is that host's (its
// fleet_target is e's name), and returns a notice saying so. Anything
// else in the file's place is left alone.
func markStale(dir, name string, e fleet.Entry, started time.Time) (string, error) {
	path := filepath.Join(dir, name)
	data, err := fleet.ReadReportFile(path, fleet.DefaultMaxReport)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	} else if err != nil {
		return fmt.Sprintf("%s: its earlier report %s is unreadable (%v): left as it is", e.Host, name, unwrapPath(err)), nil
	}
	rep, err := fleet.DecodeReport(data)
	if err != nil || rep.FleetTarget != e.Host {
		return "", nil
	}
	marked, err := fleet.WithFleetStale(data, fleet.Stale{
		RunStartedAt: started.UTC().Format(time.RFC3339Nano), ErrorKind: e.Kind, Error: e.Err,
	})
	if err != nil {
		return "", nil
	}
	if err := writeFile(dir, name, marked); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s: not checked; its report of the run started %s is kept in %s, marked stale", e.Host, rep.StartedAt, name), nil
}
