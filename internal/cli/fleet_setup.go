package cli

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"runtime"
	"slices"
	"strings"

	"github.com/golive-sh/golive/internal/envframe"
	"github.com/golive-sh/golive/internal/fleet"
	"github.com/golive-sh/golive/internal/profile"
)

func currentUser(getenv func(string) string) string {
	if u := getenv("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "root"
}

// binaries maps GOARCH to the file to copy: this executable for its own
// architecture unless --binary-for says otherwise.
func (o *fleetCheckOptions) binaries() (map[string]string, error) {
	out := map[string]string{}
	if self, err := os.Executable(); err == nil {
		out[runtime.GOARCH] = self
	}
	for _, spec := range o.BinaryFor {
		arch, path, err := parseBinaryFor(spec)
		if err != nil {
			return nil, err
		}
		out[arch] = path
	}
	if len(out) == 0 {
		return nil, invalid(errors.New("cannot find this golive executable: pass --binary-for ARCH=PATH"))
	}
	return out, nil
}

// bundle validates the profile locally (a typo exits 2 here, with the
// user's file and line, not once per host) and collects the files to copy.
func (o *fleetCheckOptions) bundle(io IO) (*fleet.Bundle, error) {
	if o.Config == "" {
		if fi, err := os.Stat(DefaultConfig); err == nil && fi.Mode().IsRegular() {
			o.Config = DefaultConfig
			fmt.Fprintf(io.Err, "golive: notice: using ./%s; it is copied to every host\n", DefaultConfig)
		}
	}
	if o.Config != "" {
		if _, err := os.Stat(o.Config); err != nil {
			return nil, invalid(fmt.Errorf("--config: %w", unwrapPath(err)))
		}
	}
	p, err := profile.Resolve(profile.Request{Profile: o.Profile, Config: o.Config})
	if err != nil {
		return nil, invalid(err)
	}
	if err := o.applyConfigOptions(p.Options); err != nil {
		return nil, err
	}
	o.envRefs = p.EnvRefs()
	b, err := fleet.NewBundle(o.Profile, o.Config)
	if err != nil {
		return nil, invalid(err)
	}
	return b, nil
}

// fleetConfigOptions are the config file's options: the fleet applies
// itself when no flag set them, as golive check does: the fleet judges
// hosts by the same threshold a local run would, and the host deadline is
// checked against the timeout the host will use. (The remote golive reads
// the copied file's other options itself; fleet's own --parallel and
// --format mean hosts and the fleet view, not what options: says.)
var fleetConfigOptions = []string{"fail-on", "timeout", "check-timeout"}

// applyConfigOptions sets the flags named by fleetConfigOptions from the
// config file, bound by name as check binds them (configOptions).
func (o *fleetCheckOptions) applyConfigOptions(c profile.Options) error {
	for key, val := range configOptions(c) {
		if !slices.Contains(fleetConfigOptions, key) || o.changed[key] || o.flags == nil {
			continue
		}
		if err := o.flags.Set(key, fmt.Sprint(val)); err != nil {
			return invalid(fmt.Errorf("%s: options: %s %q: a positive duration such as 30s", o.Config, strings.ReplaceAll(key, "-", "_"), val))
		}
	}
	return nil
}

// checkArgs are the remote golive check's arguments after the fixed ones.
func (o *fleetCheckOptions) checkArgs(b *fleet.Bundle) []string {
	args := []string{"--profile", b.Profile, "--timeout", o.Timeout.String(), "--check-timeout", o.CheckTimeout.String()}
	if b.Config != "" {
		args = append(args, "--config", b.Config)
	}
	if o.Offline {
		args = append(args, "--offline")
	}
	for _, s := range splitList(o.Only) {
		args = append(args, "--only", s)
	}
	for _, s := range splitList(o.Skip) {
		args = append(args, "--skip", s)
	}
	return args
}

// envFrame frames the variables to send each host: those the profile
// names (a variable not set here is left out, with a notice: the hosts
// then report it missing) and every --env (which must be set). Messages
// name variables, never values.
func (o *fleetCheckOptions) envFrame(getenv func(string) string, streams IO) ([]byte, error) {
	var vars []envframe.Var
	sent := map[string]bool{}
	for _, name := range o.Env {
		if !envframe.ValidName(name) {
			return nil, invalid(fmt.Errorf("--env %q: not an environment variable name", name))
		}
		v := getenv(name)
		if v == "" {
			return nil, invalid(fmt.Errorf("--env %s: the variable is not set (or empty) here", name))
		}
		if !sent[name] {
			sent[name] = true
			vars = append(vars, envframe.Var{Name: name, Value: v})
		}
	}
	for _, r := range o.envRefs {
		if sent[r.Name] || !envframe.ValidName(r.Name) {
			continue
		}
		v := getenv(r.Name)
		if v == "" {
			fmt.Fprintf(streams.Err, "golive: notice: %s (named by %s) is not set here: not sent, the hosts will report it missing\n", r.Name, r.Key)
			continue
		}
		sent[r.Name] = true
		vars = append(vars, envframe.Var{Name: r.Name, Value: v})
	}
	if len(vars) == 0 {
		return nil, nil
	}
	frame, err := envframe.Encode(vars)
	if err != nil {
		return nil, invalid(err)
	}
	return frame, nil
}
