package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/pflag"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

// DefaultConfig is used when it exists in the working directory.
const DefaultConfig = "golive.yaml"

// target is what a command checks: a root, and the profile for it. check,
// list and explain share it.
type target struct {
	Profile string
	Config  string
	Root    string
	// Binaries are --binary artifacts: files of this machine whose
	// compatibility with the root is checked (libc family).
	Binaries []string
}

func (t *target) bind(fs *pflag.FlagSet) {
	fs.StringVar(&t.Profile, "profile", profile.Auto, "base profile: auto (detect the distro), a built-in name, or a file")
	fs.StringVarP(&t.Config, "config", "c", "", "the service's profile file (default ./"+DefaultConfig+" when it exists)")
	fs.StringVar(&t.Root, "root", "/", "check the root filesystem mounted at DIR (a golden image) instead of this machine")
	arrayFlag(fs, &t.Binaries, "binary", "", "also check that this ELF file (on this machine) would run on the root; repeatable")
}

// load reads the target settings (settings), opens the host and
// resolves the profile. Every error is an invocation or profile error.
func (t *target) load(v *settings, opts ...host.Option) (*host.Host, host.Identity, *profile.Profile, error) {
	t.Profile = v.str("profile")
	t.Config = v.str("config")
	t.Root = v.str("root")
	t.Binaries = v.list("binary")
	if v.err != nil {
		return nil, host.Identity{}, nil, v.err
	}
	if t.Config == "" {
		if fi, err := os.Stat(DefaultConfig); err == nil && fi.Mode().IsRegular() {
			t.Config = DefaultConfig
		}
	}
	return t.loadExplicit(opts...)
}

// loadExplicit opens exactly what t names, with no default config file.
func (t *target) loadExplicit(opts ...host.Option) (*host.Host, host.Identity, *profile.Profile, error) {
	if t.Config != "" {
		if _, err := os.Stat(t.Config); err != nil {
			return nil, host.Identity{}, nil, invalid(fmt.Errorf("--config: %w", unwrapPath(err)))
		}
	}
	h, err := host.New(t.Root, opts...)
	if err != nil {
		return nil, host.Identity{}, nil, invalid(fmt.Errorf("--root: %w", err))
	}
	id := facts.Identity(h)
	p, err := profile.Resolve(profile.Request{Profile: t.Profile, Config: t.Config, OS: id.OS})
	if err != nil {
		return nil, id, nil, invalid(err)
	}
	p.Service.Artifacts = t.Binaries
	return h, id, p, nil
}

// unwrapPath keeps "open x: no such file" short.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}
