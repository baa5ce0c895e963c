package dns

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"slices"
	"strings"

	mdns "github.com/miekg/dns"
)

// step is one nsswitch service consulted during a lookup.
type step struct {
	Service string `json:"service"`
	Status  Status `json:"status"`
	Action  Action `json:"action"`
	Note    string `json:"note,omitempty"`
}

// outcome is what the hosts database answered.
type outcome struct {
	Status Status
	Source string       // the service that answered
	Addrs  []netip.Addr // forward lookups
	Names  []string     // reverse lookups
	// Opaque is set when the answer is "this machine's own addresses"
	// (nss-myhostname), which configuration files cannot tell.
	Opaque     bool
	Steps      []step
	Candidates []candidate // the DNS names tried, in order
	Answered   *candidate  // the candidate that answered
	HostsLines []int       // /etc/hosts lines that answered
	// Cause is why DNS did not answer: nxdomain, nodata, servfail,
	// refused, timeout, network, or unqueryable (no server reachable from here).
	Cause string
	Notes []string
}

// lookup is one walk through the hosts line of nsswitch.conf.
type lookup struct {
	sys   *System
	port  uint16
	types []uint16 // A/AAAA, or PTR for a reverse lookup
}

const causeUnqueryable = "unqueryable"

// forward resolves name as getaddrinfo would on the host.
func (l lookup) forward(ctx context.Context, name string) outcome {
	return l.walk(ctx, func(svc string, o *outcome) (Status, string) {
		switch {
		case svc == "files":
			return l.files(name, o)
		case svc == "dns":
			return l.dns(ctx, o, func(d dnsClient) []candidate {
				search, _ := l.sys.search()
				opts := l.sys.options()
				return searchGlibc(ctx, d, name, search, opts.Ndots, opts.NoTLDQuery, l.types)
			})
		case svc == "resolve":
			if st, note := myhostname(name, l.sys.Hostname, o); st == StatusSuccess {
				return st, "systemd-resolved synthesises it; " + note
			}
			return l.dns(ctx, o, func(d dnsClient) []candidate {
				search, _ := l.sys.search()
				return searchResolved(ctx, d, name, search, l.types)
			})
		case svc == "myhostname":
			return myhostname(name, l.sys.Hostname, o)
		case strings.HasPrefix(svc, "mdns"):
			return mdnsService(name)
		}
		return StatusUnavail, "not evaluated by golive: treated as unavailable"
	})
}

// reverse resolves addr as getnameinfo would on the host.
func (l lookup) reverse(ctx context.Context, addr netip.Addr) outcome {
	arpa, _ := mdns.ReverseAddr(addr.String())
	return l.walk(ctx, func(svc string, o *outcome) (Status, string) {
		switch svc {
		case "files":
			if l.sys.Hosts == nil {
				return StatusUnavail, fmt.Sprintf("%v", l.sys.HostsErr)
			}
			names, line := l.sys.Hosts.Reverse(addr)
			if len(names) == 0 {
				return StatusNotFound, ""
			}
			o.Names, o.HostsLines = names, []int{line}
			return StatusSuccess, fmt.Sprintf("%s:%d", HostsPath, line)
		case "dns", "resolve":
			return l.dns(ctx, o, func(d dnsClient) []candidate { return []candidate{d.ask(ctx, arpa, l.types)} })
		case "myhostname":
			if addr.Unmap() == loopbackNS || addr == netip.IPv6Loopback() {
				o.Names = []string{"localhost"}
				return StatusSuccess, "the loopback address"
			}
			return StatusNotFound, ""
		}
		return StatusUnavail, "not evaluated by golive: treated as unavailable"
	})
}

// walk asks the services of the hosts line in order and obeys their
// actions, as glibc's nss does: by default it returns on success and
// goes on otherwise.
func (l lookup) walk(ctx context.Context, ask func(svc string, o *outcome) (Status, string)) outcome {
	o := outcome{Status: StatusNotFound}
	for _, svc := range l.sys.NSS.Hosts {
		st, note := ask(svc.Name, &o)
		act := svc.Action(st)
		if o.Cause == causeUnqueryable {
			// glibc would have asked this DNS step, and its answer decides
			// what comes next: no later source may stand in for it.
			o.Steps = append(o.Steps, step{Service: svc.String(), Status: st, Note: note})
			o.Status, o.Source, o.Addrs, o.Names, o.Opaque = st, "", nil, nil, false
			break
		}
		o.Steps = append(o.Steps, step{Service: svc.String(), Status: st, Action: act, Note: note})
		o.Status = st
		if st == StatusSuccess {
			o.Source = svc.Name
		}
		if act == ActionReturn {
			break
		}
		if st == StatusSuccess { // "continue" after a success: glibc drops the answer and asks on
			o.Source, o.Addrs, o.Names = "", nil, nil
		}
	}
	return o
}

func (l lookup) files(name string, o *outcome) (Status, string) {
	if l.sys.Hosts == nil {
		if errors.Is(l.sys.HostsErr, fs.ErrNotExist) {
			return StatusUnavail, HostsPath + " does not exist"
		}
		return StatusUnavail, fmt.Sprintf("%v", l.sys.HostsErr)
	}
	addrs, lines := l.sys.Hosts.Lookup(name)
	var kept []netip.Addr
	var keptLines []int
	for i, a := range addrs {
		if wantsFamily(l.types, a) {
			kept, keptLines = append(kept, a), append(keptLines, lines[i])
		}
	}
	if len(kept) == 0 {
		return StatusNotFound, ""
	}
	o.Addrs, o.HostsLines = kept, keptLines
	return StatusSuccess, fmt.Sprintf("%s:%d", HostsPath, keptLines[0])
}

func wantsFamily(types []uint16, a netip.Addr) bool {
	for _, t := range types {
		if (t == mdns.TypeA && a.Is4()) || (t == mdns.TypeAAAA && a.Is6()) {
			return true
		}
	}
	return false
}

// dns runs a DNS lookup through the servers glibc would ask.
func (l lookup) dns(ctx context.Context, o *outcome, run func(dnsClient) []candidate) (Status, string) {
	servers, notes := l.sys.Queried()
	for _, n := range notes {
		if !slices.Contains(o.Notes, n) { // dns and resolve on one line share them
			o.Notes = append(o.Notes, n)
		}
	}
	if len(servers) == 0 {
		o.Cause = causeUnqueryable
		return StatusUnavail, strings.Join(notes, "; ")
	}
	tried := run(dnsClient{servers: servers, port: l.port, opts: l.sys.options()})
	o.Candidates = append(o.Candidates, tried...)
	for i := range tried {
		if tried[i].found() {
			o.Answered = &tried[i]
			o.Addrs, o.Names, o.Cause = tried[i].addrs, tried[i].names, ""
			return StatusSuccess, "answered by " + tried[i].by + " for " + tried[i].Name
		}
	}
	o.Cause = dnsCause(tried)
	switch o.Cause {
	case resultNXDomain, resultNoData, resultBadName:
		return StatusNotFound, ""
	}
	return StatusUnavail, "no answer: " + o.Cause
}

// dnsCause names why a lookup failed: the most telling failure among the
// candidates (a server problem beats "no such name").
func dnsCause(tried []candidate) string {
	if len(tried) == 0 {
		return resultNXDomain
	}
	order := []string{CauseNetwork, CauseTimeout, CauseRefused, CauseServfail, CauseRcode, resultNoData, resultBadName, resultNXDomain}
	for _, want := range order {
		for _, c := range tried {
			if c.Result == want {
				return want
			}
		}
	}
	return tried[len(tried)-1].Result
}

// myhostname is systemd's nss-myhostname: it answers the local hostname,
// "localhost" and names under ".localhost", and _gateway/_outbound. The
// machine's own addresses are not in any configuration file, so that
// answer is opaque.
func myhostname(name, hostname string, o *outcome) (Status, string) {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	switch {
	case n == "localhost" || n == "localhost.localdomain" || strings.HasSuffix(n, ".localhost") || strings.HasSuffix(n, ".localhost.localdomain"):
		o.Addrs = []netip.Addr{loopbackNS, netip.IPv6Loopback()}
		return StatusSuccess, "a localhost name"
	case hostname != "" && n == strings.ToLower(hostname):
		o.Opaque = true
		return StatusSuccess, "the machine's own hostname: it resolves to the machine's own addresses"
	case n == "_gateway" || n == "_outbound":
		o.Opaque = true
		return StatusSuccess, "a name nss-myhostname synthesises from the routing table"
	}
	return StatusNotFound, ""
}

// mdnsService stands for nss-mdns (mdns4_minimal and friends), which only
// handles names under .local: for other names it is unavailable, so a
// following [NOTFOUND=return] does not stop the lookup. golive does not
// speak mDNS; a .local name is taken as not found.
func mdnsService(name string) (Status, string) {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	if n == "local" || strings.HasSuffix(n, ".local") {
		return StatusNotFound, "a .local name: golive does not query mDNS and takes it as not found"
	}
	return StatusUnavail, "only handles .local names"
}
