package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/propose"
)

type initOptions struct {
	Unit     string
	Binaries []string
	Root     string
	Profile  string
	Out      string
	Force    bool
}

func newInitCmd(io IO) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init (--unit NAME | --binary PATH)",
		Short: "Write a starting golive.yaml for a service from what is on this host",
		Long: `init reads the service's systemd unit (and its drop-ins) and proposes a
golive.yaml: service.unit, service.user and service.binaries (from
ExecStart=), the limits the unit sets, the SELinux types its binaries and
data paths carry now, and the MySQL, etcd, TLS and DNS endpoints its
Environment=, EnvironmentFile= and arguments name. The current values of the
sysctl keys the distro profile tunes are listed, commented, for review.

Every value has a comment saying where it came from. Secrets are never
copied: a DSN or a password becomes a dsn_env or password_env reference to
the variable that holds it, which must be set when golive check runs.

--binary PATH works without a unit. --root reads a mounted image instead of
this machine. The file goes to standard output unless -o names one; an
existing file is kept unless --force.`,
		Example: `  golive init --unit payments.service -o golive.yaml
  golive init --binary /opt/payments/bin/payments
  golive init --root /mnt/image --unit payments -o golive.yaml`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return runInit(o, io) },
	}
	f := cmd.Flags()
	f.StringVar(&o.Unit, "unit", "", "the service's systemd unit (payments or payments.service)")
	arrayFlag(f, &o.Binaries, "binary", "", "a program of the service (absolute path, under --root); repeatable")
	f.StringVar(&o.Root, "root", "/", "read the root filesystem mounted at DIR instead of this machine")
	f.StringVar(&o.Profile, "profile", profile.Auto, "the base profile the file extends: auto (detect the distro) or a built-in name")
	f.StringVarP(&o.Out, "output", "o", "", "write the file here instead of standard output")
	f.BoolVar(&o.Force, "force", false, "replace the -o file when it exists")
	return cmd
}

func runInit(o *initOptions, io IO) error {
	if o.Unit == "" && len(o.Binaries) == 0 {
		return invalid(errors.New("init: give --unit NAME or --binary PATH"))
	}
	if o.Out != "" && !o.Force {
		if _, err := os.Lstat(o.Out); err == nil {
			return invalid(fmt.Errorf("init: %s exists: choose another -o or add --force", o.Out))
		}
	}
	h, err := host.New(o.Root)
	if err != nil {
		return invalid(fmt.Errorf("--root: %w", err))
	}
	id := facts.Identity(h)
	base, err := profile.Resolve(profile.Request{Profile: o.Profile, OS: id.OS})
	if err != nil {
		return invalid(err)
	}
	opts := propose.Options{Unit: o.Unit, Binaries: o.Binaries, Base: base.Name, BaseWhy: base.MatchedBy}
	if o.Profile != "" && o.Profile != profile.Auto {
		opts.Extends = o.Profile
	}
	if rules, err := base.Rules(base.Section("sysctl")); err == nil {
		for _, r := range rules {
			opts.SysctlKeys = append(opts.SysctlKeys, r.Key)
		}
	}
	out, err := propose.Profile(h, opts)
	if err != nil {
		return invalid(fmt.Errorf("init: %w", err))
	}
	if o.Out == "" {
		_, err := io.Out.Write(out)
		return err
	}
	return writeNew(o.Out, out)
}

// writeNew writes data to path through a temporary file in the same
// directory, so a failed write leaves no half file.
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".golive-init-*")
	if err != nil {
		return invalid(fmt.Errorf("-o: %w", unwrapPath(err)))
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
