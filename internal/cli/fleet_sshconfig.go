package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/golive-sh/golive/internal/fleet"
	"github.com/golive-sh/golive/internal/sshclient"
)

// sshConfigNone is the --ssh-config value that reads no file.
const sshConfigNone = "none"

// loadSSHConfig reads --ssh-config, or ~/.ssh/config when it exists and
// the flag is not given; nil for none.
func (o *fleetCheckOptions) loadSSHConfig() (*sshclient.Config, error) {
	path := o.SSHConfig
	switch path {
	case sshConfigNone:
		return nil, nil
	case "":
		if homeDir() == "" {
			return nil, nil
		}
		path = filepath.Join(homeDir(), ".ssh", "config")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	c, err := sshclient.ParseConfig(path, homeDir())
	if err != nil {
		return nil, invalid(fmt.Errorf("--ssh-config: %w", unwrapPath(err)))
	}
	return c, nil
}

// resolve applies the ssh_config to every target. The resolver it returns
// knows every known_hosts file in use, for the notices of keys added, and
// is closed by the caller.
func (o *fleetCheckOptions) resolve(targets []fleet.Target, opts *fleet.Options, io IO) (*sshclient.Resolver, error) {
	r, err := o.resolveWith(targets, opts, io)
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (o *fleetCheckOptions) resolveWith(targets []fleet.Target, opts *fleet.Options, io IO) (*sshclient.Resolver, error) {
	getenv := io.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	r := &sshclient.Resolver{
		Home: homeDir(), LocalUser: currentUser(getenv), AgentSock: getenv("SSH_AUTH_SOCK"),
		DefaultUser: opts.User, Identities: o.Identities,
		KnownHostsGiven: o.changed["known-hosts"], KnownHosts: o.KnownHosts, AcceptNew: o.AcceptNew,
		DefaultHostKeys: opts.HostKeys,
	}
	if o.changed["user"] {
		r.UserGiven = o.User
	}
	c, err := o.loadSSHConfig()
	if err != nil {
		return r, err
	}
	r.Config = c
	for i, t := range targets {
		if c != nil {
			if t.Route, err = r.Resolve(t.Dest); err != nil {
				return r, invalid(fmt.Errorf("ssh config: %w", err))
			}
			targets[i] = t
		}
		if o.noKey != nil && t.NeedsDefaultAuth() {
			return r, invalid(o.noKey)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintln(io.Err, "golive: notice: "+n)
	}
	return r, nil
}
