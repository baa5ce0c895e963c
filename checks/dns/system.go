package dns

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// Files read under the root.
const (
	resolvConfPath = "/etc/resolv.conf"
	nsswitchPath   = "/etc/nsswitch.conf"
	hostsPath      = "/etc/hosts"
	hostConfPath   = "/etc/host.conf"
	// uplinkPath is where systemd-resolved lists its upstream servers.
	uplinkPath = "/run/systemd/resolve/resolv.conf"
	// resolvedConfPath is where an admin sets the upstreams (DNS=).
	resolvedConfPath = "/etc/systemd/resolved.conf"
)

// Read limits: a resolv.conf or nsswitch.conf is a few hundred bytes; a
// hosts file can be a multi-megabyte blocklist.
const (
	maxConfFile  = 1 << 20
	maxHostsFile = 8 << 20
)

// stubAddrs are systemd-resolved's local listeners: the stub (127.0.0.53)
// and the proxy (127.0.0.54).
var stubAddrs = []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 53}), netip.AddrFrom4([4]byte{127, 0, 0, 54})}

// loopbackNS is where glibc sends queries when resolv.conf names no server.
var loopbackNS = netip.AddrFrom4([4]byte{127, 0, 0, 1})

// stubResolvConf is what systemd-resolved writes to stub-resolv.conf (the
// search line aside). It stands in for a stub link that an image cannot
// resolve, because /run is filled at boot.
const stubResolvConf = "nameserver 127.0.0.53\noptions edns0 trust-ad\n"

// system is the resolver configuration of one root.
type system struct {
	live     bool
	dialect  dialect
	nssRules nssRules
	hostname string

	// resolv is /etc/resolv.conf as glibc reads it; nil when it is
	// missing or unreadable (resolvErr), which glibc treats as empty.
	resolv    *resolvConf
	resolvErr error
	// resolvLink is the symlink target of /etc/resolv.conf, if it is one.
	resolvLink string
	// synthetic is set when Resolv stands in for a stub link the root
	// cannot resolve (an image: /run is empty until boot).
	synthetic bool

	// stub is set when glibc talks to systemd-resolved's stub; the real
	// servers are then Upstreams, from uplinkPath.
	stub         bool
	stubWhy      string
	upstreams    *resolvConf
	upstreamsErr error

	nss *nsswitch
	// modules says, for each service of the hosts line, whether glibc
	// can load it under the root.
	modules map[string]moduleState
	hosts   *hosts // nil when hostsErr is set
	// hostsMulti is /etc/host.conf's "multi on": without it glibc's files
	// service answers from the first matching line only.
	hostsMulti bool
	// hostsErr is why /etc/hosts could not be read; glibc's files service
	// answers "unavailable" then.
	hostsErr error
}

// loadSystem reads the resolver configuration of h as the root's glibc
// (the version glibc) reads it. It never fails: what cannot be read is
// recorded, because glibc too carries on without it.
func loadSystem(h *host.Host, glibc string) *system {
	s := &system{live: h.Live(), dialect: dialectFor(glibc), nssRules: nssRulesFor(glibc)}
	s.hostname, _ = facts.Hostname(h)
	s.loadResolv(h)
	s.loadNSS(h)
	s.modules = loadModules(h, s.nss)
	if data, err := h.ReadFileLimit(hostConfPath, maxConfFile); err == nil {
		s.hostsMulti = parseHostConfMulti(data)
	}
	data, err := h.ReadFileLimit(hostsPath, maxHostsFile)
	if err != nil {
		s.hostsErr = err
	} else {
		s.hosts = parseHosts(data)
	}
	return s
}

func (s *system) loadResolv(h *host.Host) {
	if target, err := h.Readlink(resolvConfPath); err == nil {
		s.resolvLink = target
	}
	data, err := h.ReadFileLimit(resolvConfPath, maxConfFile)
	switch {
	case err == nil:
		s.resolv = parseResolvConf(data, s.dialect)
	case errors.Is(err, fs.ErrNotExist) && isStubLink(s.resolvLink):
		s.resolv, s.synthetic = parseResolvConf([]byte(stubResolvConf), modern), true
	default:
		s.resolvErr = err
	}
	switch {
	case isStubLink(s.resolvLink):
		s.stub, s.stubWhy = true, resolvConfPath+" links to "+s.resolvLink
	case s.resolv != nil:
		for _, ns := range s.glibcServers() {
			if isStubAddr(ns.addr) {
				s.stub, s.stubWhy = true, fmt.Sprintf("nameserver %s (line %d) is systemd-resolved's stub", ns.addr, ns.line)
				break
			}
		}
	}
	if !s.stub {
		return
	}
	if data, err := h.ReadFileLimit(uplinkPath, maxConfFile); err != nil {
		s.upstreamsErr = err
	} else {
		s.upstreams = parseResolvConf(data, modern)
	}
}

// isStubLink recognises resolv.conf pointing at resolved's stub file
// (../run/systemd/resolve/stub-resolv.conf) or at the static stub file
// systemd ships (/usr/lib/systemd/resolv.conf).
func isStubLink(target string) bool {
	if target == "" {
		return false
	}
	base, dir := path.Base(target), path.Base(path.Dir(target))
	return base == "stub-resolv.conf" || (base == "resolv.conf" && dir == "systemd")
}

func isStubAddr(a netip.Addr) bool {
	for _, s := range stubAddrs {
		if a.Unmap() == s {
			return true
		}
	}
	return false
}

func (s *system) loadNSS(h *host.Host) {
	ns, err := facts.NsswitchOf(h, s.nssRules)
	if err != nil {
		s.nss = defaultNsswitch(s.nssRules)
		s.nss.problems = append(s.nss.problems, problem{0, fmt.Sprintf("%v: glibc uses %q", err, s.nssRules.DefaultHosts())})
		return
	}
	s.nss = hostsOf(ns)
	if s.nss.Default {
		s.nss.problems = append(s.nss.problems, problem{0, fmt.Sprintf("no hosts line: glibc uses %q", s.nssRules.DefaultHosts())})
	}
}

// glibcServers are the nameservers glibc queries, in order: the first
// maxNS of resolv.conf, or 127.0.0.1 when it names none.
func (s *system) glibcServers() []nameserver {
	if s.resolv == nil || len(s.resolv.nameservers) == 0 {
		return []nameserver{{addr: loopbackNS}}
	}
	return s.resolv.nameservers[:min(len(s.resolv.nameservers), maxNS)]
}

// target is a nameserver golive queries, and why it is one.
type target struct {
	Addr netip.Addr
	// Role is "nameserver" (a resolv.conf line), "implied" (glibc's
	// 127.0.0.1 when there is none), "stub" (systemd-resolved's listener)
	// or "upstream" (a server systemd-resolved forwards to).
	Role   string
	Source string // file:line, or why it is implied
	// Window is how long glibc waits for this server per attempt; 0 for
	// upstreams, which systemd-resolved times itself.
	Window int
}

// probed are the servers the dns/nameserver checks query: glibc's
// nameservers, where resolved's stub stands for its upstreams (and for
// itself on the running system: under --root, a loopback stub would be
// this machine's, not the image's). notes says what could not be probed.
func (s *system) probed() (targets []target, notes []string) {
	return s.expand(true)
}

// queried are the servers a lookup goes to, as glibc's dns service
// reaches them: on the running system the stub itself; under --root its
// upstreams, which are what the stub would ask.
func (s *system) queried() (targets []target, notes []string) {
	return s.expand(false)
}

func (s *system) expand(probeBoth bool) (targets []target, notes []string) {
	servers := s.glibcServers()
	windows := windows(s.options().timeout, len(servers))
	seenUpstreams := false
	for i, ns := range servers {
		t := target{Addr: ns.addr, Role: "nameserver", Source: fmt.Sprintf("%s:%d", resolvConfPath, ns.line), Window: windows[i]}
		if ns.line == 0 {
			t.Role, t.Source = "implied", "no nameserver line: glibc uses 127.0.0.1"
			if !s.live && !probeBoth { // the root's own loopback, not this machine's
				notes = append(notes, "the root names no nameserver: glibc would ask its own 127.0.0.1, which is not reachable from here")
				continue
			}
		}
		if !isStubAddr(ns.addr) {
			targets = append(targets, t)
			continue
		}
		t.Role = "stub"
		if s.live {
			targets = append(targets, t)
			if !probeBoth {
				continue
			}
		}
		if seenUpstreams {
			continue
		}
		seenUpstreams = true
		ups, note := s.upstreamTargets()
		targets = append(targets, ups...)
		if note != "" {
			notes = append(notes, note)
		}
		if len(ups) == 0 && !probeBoth {
			// glibc would ask the stub in its turn, and golive cannot: the
			// other servers alone would give another answer.
			return nil, notes
		}
	}
	return targets, notes
}

func (s *system) upstreamTargets() ([]target, string) {
	if s.upstreams == nil {
		if s.live {
			return nil, fmt.Sprintf("systemd-resolved's upstream servers are unknown (%v): is systemd-resolved running?", s.upstreamsErr)
		}
		return nil, fmt.Sprintf("systemd-resolved's upstream servers are unknown: the root has no %s (it is written at boot)", uplinkPath)
	}
	if len(s.upstreams.nameservers) == 0 {
		return nil, "systemd-resolved knows no upstream DNS server (" + uplinkPath + " lists none)"
	}
	var out []target
	for _, ns := range s.upstreams.nameservers {
		out = append(out, target{Addr: ns.addr, Role: "upstream", Source: fmt.Sprintf("%s:%d", uplinkPath, ns.line)})
	}
	return out, ""
}

// options are the resolver options in effect; glibc's defaults when
// resolv.conf is missing.
func (s *system) options() options {
	if s.resolv == nil {
		return parseResolvConf(nil, s.dialect).options
	}
	return s.resolv.options
}

// search is the search list in effect: resolv.conf's, else the domain of
// the hostname (glibc takes what follows its first dot).
func (s *system) search() (domains []string, from string) {
	if s.resolv != nil && s.resolv.searchFrom != "" {
		return s.resolv.search, fmt.Sprintf("%s:%d", resolvConfPath, s.resolv.searchLine)
	}
	if _, domain, ok := cutDot(s.hostname); ok && domain != "" {
		return []string{domain}, "the hostname " + s.hostname
	}
	return nil, ""
}

func cutDot(name string) (string, string, bool) {
	for i := 0; i < len(name); i++ {
		if name[i] == '.' {
			return name[:i], name[i+1:], true
		}
	}
	return name, "", false
}

// systemCache gives the dns checks a root's configuration, loaded once
// per run (facts.Memo) for the profile's glibc version.
type systemCache struct {
	glibc string // the root's glibc version; "" for a current one
}

// systemKey keys the configuration on the profile's glibc version, the one
// parameter it depends on.
type systemKey struct{ glibc string }

func (c *systemCache) get(h *host.Host) *system {
	return facts.Memo(h, systemKey{c.glibc}, func(h *host.Host) *system {
		glibc := c.glibc
		if glibc == "" {
			glibc = rootGlibc(h)
		}
		return loadSystem(h, glibc)
	})
}

// moduleState is whether glibc can load a hosts service's module.
type moduleState int

const (
	moduleBuiltin    moduleState = iota // files and dns: part of every glibc
	modulePresent                       // installed, and golive evaluates it
	moduleMissing                       // not installed: glibc skips it as unavailable
	moduleUnmodelled                    // installed, and golive cannot evaluate it
)

// modelled are the services golive evaluates besides files and dns.
func modelled(svc string) bool {
	return svc == "myhostname" || svc == "resolve" || strings.HasPrefix(svc, "mdns")
}

// libDirs are where glibc's dlopen finds libnss_*.so.2 on the distros
// golive supports (the default paths and the multiarch directories).
var libDirs = []string{"/lib64", "/usr/lib64", "/lib", "/usr/lib",
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	"/lib/i386-linux-gnu", "/usr/lib/i386-linux-gnu", "/lib/powerpc64le-linux-gnu", "/usr/lib/powerpc64le-linux-gnu",
	"/lib/s390x-linux-gnu", "/usr/lib/s390x-linux-gnu"}

// loadModules looks for the module of every hosts service under the root.
func loadModules(h *host.Host, ns *nsswitch) map[string]moduleState {
	out := map[string]moduleState{}
	for _, svc := range ns.hosts {
		if _, done := out[svc.Name]; done {
			continue
		}
		if svc.Name == "files" || svc.Name == "dns" {
			out[svc.Name] = moduleBuiltin
			continue
		}
		state := moduleMissing
		if !strings.ContainsAny(svc.Name, "/\x00") {
			for _, dir := range libDirs {
				if h.Exists(path.Join(dir, "libnss_"+svc.Name+".so.2")) {
					state = moduleUnmodelled
					if modelled(svc.Name) {
						state = modulePresent
					}
					break
				}
			}
		}
		out[svc.Name] = state
	}
	return out
}

func (s *system) module(svc string) moduleState {
	if st, ok := s.modules[svc]; ok {
		return st
	}
	return moduleBuiltin // a System built by hand in a test
}

// parseHostConfMulti reads the multi setting of /etc/host.conf as
// glibc's res_hconf does: a case-insensitive "multi" keyword with "on"
// or "off"; the last one wins; glibc's default is off.
func parseHostConfMulti(data []byte) bool {
	multi := false
	for _, line := range lines(data) {
		if c := strings.IndexByte(line, '#'); c >= 0 {
			line = line[:c]
		}
		f := strings.Fields(line)
		if len(f) < 2 || !strings.EqualFold(f[0], "multi") {
			continue
		}
		switch arg := strings.ToLower(f[1]); {
		case strings.HasPrefix(arg, "on"):
			multi = true
		case strings.HasPrefix(arg, "off"):
			multi = false
		}
	}
	return multi
}

// rootGlibc guesses the root's glibc version when the profile does not
// know it, from where libc.so.6 points: libc-2.17.so up to glibc 2.33,
// a regular file from 2.34 on (reported as "2.34"). "" when there is no
// libc.so.6 in the usual directories: a current glibc is assumed.
func rootGlibc(h *host.Host) string {
	for _, dir := range libDirs {
		p := path.Join(dir, "libc.so.6")
		fi, err := h.Lstat(p)
		if err != nil {
			continue
		}
		if fi.Mode().IsRegular() {
			return "2.34"
		}
		if target, err := h.Readlink(p); err == nil {
			if v, ok := strings.CutPrefix(path.Base(target), "libc-"); ok {
				if v, ok = strings.CutSuffix(v, ".so"); ok {
					return v
				}
			}
		}
	}
	return ""
}
