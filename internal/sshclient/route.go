package sshclient

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
)

// Hop is one ssh connection on the way to a host.
type Hop struct {
	Label    string // the name as the operator or ProxyJump wrote it
	User     string // "": Options.User
	Host     string
	Port     int
	Auth     *Auth     // nil: Options.Auth
	HostKeys *HostKeys // nil: Options.HostKeys
	// Refused, when set, is why this hop is never dialled, for the
	// reason RefusedReason.
	Refused       string
	RefusedReason Reason
}

// Addr is host:port as net.Dial wants it.
func (h Hop) Addr() string { return net.JoinHostPort(h.Host, strconv.Itoa(h.Port)) }

// Route is a host's way in: jump hosts in order, then the host.
type Route struct {
	Jumps []Hop
	Hop
}

// Direct is the route to d without ssh_config: one hop, d itself.
func Direct(d Dest) Route {
	return Route{Hop: Hop{Label: d.Name(), User: d.User, Host: d.Host, Port: d.Port}}
}

// hops are the route's connections in the order they are made.
func (r Route) hops() []Hop {
	return append(append([]Hop(nil), r.Jumps...), r.Hop)
}

// NeedsDefaultAuth says whether some hop uses Options.Auth: the command
// line's keys rather than its ssh_config IdentityFile.
func (r Route) NeedsDefaultAuth() bool {
	for _, h := range r.hops() {
		if h.Auth == nil {
			return true
		}
	}
	return false
}

// maxHops bounds a ProxyJump chain, nested ones included.
const maxHops = 8

// Resolver turns destinations into routes with an ssh_config, letting
// what the command line says win, as it does for OpenSSH.
type Resolver struct {
	Config    *Config
	Home      string // %d, ~ and relative Include
	LocalUser string // %u
	AgentSock string
	// UserGiven is --user: it wins over the config's User for the hosts
	// themselves (not for jump hosts). DefaultUser is the user of hosts
	// for which nothing names one (%r).
	UserGiven   string
	DefaultUser string
	// Identities are --identity files: given, they win over IdentityFile.
	Identities []string
	// KnownHostsGiven and AcceptNew are --known-hosts and
	// --accept-new-host-keys; both win over the config.
	KnownHostsGiven bool
	KnownHosts      string
	AcceptNew       bool
	// DefaultHostKeys are those of the command line (Options.HostKeys).
	DefaultHostKeys *HostKeys
	// Notes are things worth telling the user (an identity file skipped).
	Notes []string

	auths map[string]*Auth
	keys  map[string]*HostKeys
}

// Resolve is d's route by the config. A config that cannot be followed
// for this host (a bad HostName, an unreadable key) is an error; one that
// would turn off host key verification refuses the host when it is
// dialled.
func (r *Resolver) Resolve(d Dest) (*Route, error) {
	budget := maxHops
	hops, err := r.hops(d.Name(), d, true, &budget)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name(), err)
	}
	n := len(hops) - 1
	return &Route{Jumps: hops[:n:n], Hop: hops[n]}, nil
}

// hops resolves one name and, before it, its ProxyJump chain.
// budget counts the hops left, so a loop or a fan of nested chains ends.
func (r *Resolver) hops(label string, t Dest, destination bool, budget *int) ([]Hop, error) {
	hc := r.Config.Lookup(t.Host)
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("%s: ProxyJump chain longer than %d hops (a loop?)", hc.Pos["proxyjump"], maxHops)
	}
	h := Hop{Label: label, Host: t.Host, Port: 22}
	tokens := map[byte]string{'h': t.Host, 'd': r.Home, 'u': r.LocalUser}
	if hc.HostName != "" {
		name, err := expandTokens(hc.HostName, tokens)
		if err != nil || !validHost(name) {
			return nil, fmt.Errorf("%s: HostName %q: not a host name or address", hc.Pos["hostname"], hc.HostName)
		}
		h.Host = name
	}
	tokens['h'] = h.Host
	switch {
	case t.PortGiven:
		h.Port = t.Port
	case hc.Port != 0:
		h.Port = hc.Port
	}
	switch {
	case t.User != "":
		h.User = t.User
	case destination && r.UserGiven != "":
		h.User = r.UserGiven
	case hc.User != "":
		if !validUser(hc.User) {
			return nil, fmt.Errorf("%s: User %q: bad user name", hc.Pos["user"], hc.User)
		}
		h.User = hc.User
	}
	tokens['r'] = h.User
	if h.User == "" {
		tokens['r'] = r.DefaultUser
	}
	if err := r.keysFor(&h, hc, tokens); err != nil {
		return nil, err
	}
	if hc.ProxyCommand != "" {
		h.Refused, h.RefusedReason = fmt.Sprintf("ProxyCommand (%s) is not supported by golive: use ProxyJump, or pass --ssh-config none", hc.Pos["proxycommand"]), Unreachable
	}
	var out []Hop
	for _, j := range hc.Jumps {
		sub, err := r.hops(j.Name(), j, false, budget)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return append(out, h), nil
}

// keysFor picks the hop's keys and known hosts: the command line's, or
// the config's IdentityFile, UserKnownHostsFile and StrictHostKeyChecking.
func (r *Resolver) keysFor(h *Hop, hc HostConfig, tokens map[byte]string) error {
	if len(r.Identities) == 0 && len(hc.IdentityFiles) > 0 {
		var files []string
		for _, f := range hc.IdentityFiles {
			p, err := expandPath(f, r.Home, tokens)
			if err != nil {
				return fmt.Errorf("%s: IdentityFile %v", hc.Pos["identityfile"], err)
			}
			files = append(files, p)
		}
		a, err := r.auth(files)
		if err != nil {
			return fmt.Errorf("IdentityFile %s: %w", strings.Join(files, ", "), err)
		}
		h.Auth = a
	}
	file, acceptNew := r.KnownHosts, r.AcceptNew
	if !r.KnownHostsGiven && hc.KnownHostsFile != "" {
		p, err := expandPath(hc.KnownHostsFile, r.Home, tokens)
		if err != nil {
			return fmt.Errorf("%s: UserKnownHostsFile %v", hc.Pos["userknownhostsfile"], err)
		}
		file = p
	}
	switch {
	case r.AcceptNew:
	case hc.Strict == "accept-new":
		acceptNew = true
	case hc.Strict == "no":
		h.Refused, h.RefusedReason = fmt.Sprintf(
			"StrictHostKeyChecking no (%s) would turn off host key verification, which golive never does: "+
				"remove it for this host, or pass --accept-new-host-keys to trust hosts not yet known", hc.Pos["stricthostkeychecking"]), HostKeyRefused
	}
	if file == r.KnownHosts && acceptNew == r.AcceptNew {
		return nil
	}
	k, err := r.hostKeys(file, acceptNew)
	if err != nil {
		return err
	}
	h.HostKeys = k
	return nil
}

func expandPath(p, home string, tokens map[byte]string) (string, error) {
	p, err := expandTilde(p, home)
	if err != nil {
		return "", err
	}
	return expandTokens(p, tokens)
}

func (r *Resolver) auth(files []string) (*Auth, error) {
	key := strings.Join(files, "\x00")
	if a, ok := r.auths[key]; ok {
		return a, nil
	}
	a, err := newAuth(files, r.AgentSock, "", false)
	if err != nil {
		return nil, err
	}
	r.Notes = append(r.Notes, a.Notes...)
	if r.auths == nil {
		r.auths = map[string]*Auth{}
	}
	r.auths[key] = a
	return a, nil
}

func (r *Resolver) hostKeys(file string, acceptNew bool) (*HostKeys, error) {
	key := file + "\x00" + strconv.FormatBool(acceptNew)
	if k, ok := r.keys[key]; ok {
		return k, nil
	}
	k, err := NewHostKeys(file, acceptNew)
	if err != nil {
		return nil, err
	}
	if r.keys == nil {
		r.keys = map[string]*HostKeys{}
	}
	r.keys[key] = k
	return k, nil
}

// Accepted lists the hosts whose keys the run added, as "host to file".
func (r *Resolver) Accepted() []string {
	var out []string
	all := []*HostKeys{r.DefaultHostKeys}
	for _, k := range r.keys {
		all = append(all, k)
	}
	for _, k := range all {
		if k == nil {
			continue
		}
		for _, a := range k.Accepted() {
			out = append(out, a+" to "+k.file)
		}
	}
	sort.Strings(out)
	return out
}

// Close releases the agent connections of the config's keys.
func (r *Resolver) Close() error {
	var errs []error
	for _, a := range r.auths {
		errs = append(errs, a.Close())
	}
	return errors.Join(errs...)
}
