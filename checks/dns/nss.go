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
	Status  status `json:"status"`
	Action  action `json:"action"`
	Note    string `json:"note,omitempty"`
}

// outcome is what the hosts database answered.
type outcome struct {
	status status
	source string       // the service that answered
	addrs  []netip.Addr // forward lookups
	names  []string     // reverse lookups
	// opaque is set when the answer is "this machine's own addresses"
	// (nss-myhostname), which configuration files cannot tell.
	opaque     bool
	steps      []step
	candidates []candidate // the DNS names tried, in order
	answered   *candidate  // the candidate that answered
	hostsLines []int       // /etc/hosts lines that answered
	// cause is why DNS did not answer: nxdomain, nodata, servfail,
	// refused, timeout, network, or unqueryable (no server reachable from here).
	cause string
	notes []string
	// final is what getaddrinfo makes of the last step.
	final final
	// stepCause is why the current step found nothing: a DNS cause, or
	// one of the causes above.
	stepCause string
}

// lookup is one walk through the hosts line of nsswitch.conf.
type lookup struct {
	sys   *system
	port  uint16
	types []uint16 // A/AAAA, or PTR for a reverse lookup
}

const causeUnqueryable = "unqueryable"

// forward resolves name as getaddrinfo would on the host.
func (l lookup) forward(ctx context.Context, name string) outcome {
	return l.walk(ctx, func(svc string, o *outcome) (status, string) {
		switch {
		case svc == "files":
			return l.files(name, o)
		case svc == "dns":
			return l.dns(ctx, o, func(d dnsClient) []candidate {
				search, _ := l.sys.search()
				opts := l.sys.options()
				return searchGlibc(ctx, d, name, search, opts.ndots, opts.noTLDQuery, l.types)
			})
		case svc == "resolve":
			if st, note := myhostname(name, l.sys.hostname, o); st == statusSuccess {
				return st, "systemd-resolved synthesises it; " + note
			}
			return l.dns(ctx, o, func(d dnsClient) []candidate {
				search, _ := l.sys.search()
				return searchResolved(ctx, d, name, search, l.types)
			})
		case svc == "myhostname":
			return myhostname(name, l.sys.hostname, o)
		case strings.HasPrefix(svc, "mdns"):
			return mdnsService(name)
		}
		return statusUnavail, "not evaluated by golive: treated as unavailable"
	})
}

// reverse resolves addr as getnameinfo would on the host.
func (l lookup) reverse(ctx context.Context, addr netip.Addr) outcome {
	arpa, _ := mdns.ReverseAddr(addr.String())
	return l.walk(ctx, func(svc string, o *outcome) (status, string) {
		switch svc {
		case "files":
			if l.sys.hosts == nil {
				return statusUnavail, fmt.Sprintf("%v", l.sys.hostsErr)
			}
			names, line := l.sys.hosts.reverse(addr)
			if len(names) == 0 {
				return statusNotFound, ""
			}
			o.names, o.hostsLines = names, []int{line}
			return statusSuccess, fmt.Sprintf("%s:%d", hostsPath, line)
		case "dns", "resolve":
			return l.dns(ctx, o, func(d dnsClient) []candidate { return []candidate{d.ask(ctx, arpa, l.types)} })
		case "myhostname":
			if addr.Unmap() == loopbackNS || addr == netip.IPv6Loopback() {
				o.names = []string{"localhost"}
				return statusSuccess, "the loopback address"
			}
			return statusNotFound, ""
		}
		return statusUnavail, "not evaluated by golive: treated as unavailable"
	})
}

// Why a step ended a lookup without an answer, beyond what DNS says.
const (
	// causeNoModule: the service's libnss module is not installed, so
	// glibc skips it as unavailable; as the last word it is an error.
	causeNoModule = "no-module"
	// causeUnmodelled: an installed module golive does not evaluate.
	causeUnmodelled = "unmodelled"
	// causeNoService: the hosts database lists no service at all.
	causeNoService = "no-service"
)

// final is what a lookup's last step means for getaddrinfo.
type final int

const (
	finalFound     final = iota
	finalNotFound        // EAI_NONAME or EAI_NODATA
	finalError           // EAI_AGAIN, EAI_FAIL, EAI_SYSTEM: the lookup failed
	finalUndecided       // a step golive cannot evaluate decided it
)

// walk asks the services of the hosts line in order and obeys their
// actions, as getaddrinfo's NSS loop does: every service starts afresh
// (an answer followed by "continue" is dropped), the lookup ends at a
// "return" or after the last service, and its result is the last
// service's.
func (l lookup) walk(ctx context.Context, ask func(svc string, o *outcome) (status, string)) outcome {
	o := outcome{status: statusNotFound, final: finalNotFound}
	if len(l.sys.nss.hosts) == 0 {
		if !l.sys.nss.rejected { // getaddrinfo with an empty action list: EAI_SYSTEM
			o.status, o.final, o.stepCause = statusUnavail, finalError, causeNoService
		}
		return o
	}
	for i, svc := range l.sys.nss.hosts {
		o.source, o.addrs, o.names, o.opaque, o.hostsLines, o.stepCause = "", nil, nil, false, nil, ""
		st, note := l.askLoaded(svc.Name, &o, ask)
		if o.stepCause == causeUnqueryable || o.stepCause == causeUnmodelled {
			// glibc would have asked this step, and its answer decides
			// what comes next: no later source may stand in for it.
			o.steps = append(o.steps, step{Service: svc.String(), Status: st, Note: note})
			o.status, o.final = st, finalUndecided
			return o
		}
		act := svc.Action(st)
		o.steps = append(o.steps, step{Service: svc.String(), Status: st, Action: act, Note: note})
		o.status = st
		if st == statusSuccess {
			o.source = svc.Name
		}
		o.final = finalOf(st, o.stepCause)
		if act == actionReturn {
			break
		}
		if svc.Merges(st) && l.sys.nssRules == nssModern && i < len(l.sys.nss.hosts)-1 {
			// glibc 2.33+: "the hosts database does not support merge";
			// the next round stops the lookup and discards the answer.
			o.source, o.addrs, o.names, o.opaque, o.hostsLines = "", nil, nil, false, nil
			o.steps[len(o.steps)-1].Note = strings.TrimPrefix(o.steps[len(o.steps)-1].Note+"; merge: glibc ends the hosts lookup here without an answer", "; ")
			if st == statusSuccess {
				o.status, o.final = statusNotFound, finalNotFound
			}
			break
		}
	}
	return o
}

// askLoaded asks svc unless its module is missing from the root, which
// glibc takes as unavailable, or is one golive does not evaluate.
func (l lookup) askLoaded(svc string, o *outcome, ask func(svc string, o *outcome) (status, string)) (status, string) {
	switch l.sys.module(svc) {
	case moduleMissing:
		o.stepCause = causeNoModule
		return statusUnavail, "libnss_" + svc + ".so.2 is not installed: glibc skips it as unavailable"
	case moduleUnmodelled:
		o.stepCause = causeUnmodelled
		return statusUnavail, "libnss_" + svc + ".so.2 is installed, and golive does not evaluate it"
	}
	return ask(svc, o)
}

// finalOf is what getaddrinfo reports when the lookup ends on a step.
func finalOf(st status, cause string) final {
	switch {
	case st == statusSuccess:
		return finalFound
	case cause == causeNoModule,
		cause == causeTimeout, cause == causeNetwork, cause == causeServfail, cause == causeRefused, cause == causeRcode:
		return finalError
	}
	return finalNotFound
}

func (l lookup) files(name string, o *outcome) (status, string) {
	if l.sys.hosts == nil {
		if errors.Is(l.sys.hostsErr, fs.ErrNotExist) {
			return statusUnavail, hostsPath + " does not exist"
		}
		return statusUnavail, fmt.Sprintf("%v", l.sys.hostsErr)
	}
	lookup := l.sys.hosts.lookupFirst
	if l.sys.hostsMulti {
		lookup = l.sys.hosts.lookupAll
	}
	addrs, lines := lookup(name)
	var kept []netip.Addr
	var keptLines []int
	for i, a := range addrs {
		if wantsFamily(l.types, a) {
			kept, keptLines = append(kept, a), append(keptLines, lines[i])
		}
	}
	if len(kept) == 0 {
		return statusNotFound, ""
	}
	o.addrs, o.hostsLines = kept, keptLines
	return statusSuccess, fmt.Sprintf("%s:%d", hostsPath, keptLines[0])
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
func (l lookup) dns(ctx context.Context, o *outcome, run func(dnsClient) []candidate) (status, string) {
	servers, notes := l.sys.queried()
	for _, n := range notes {
		if !slices.Contains(o.notes, n) { // dns and resolve on one line share them
			o.notes = append(o.notes, n)
		}
	}
	if len(servers) == 0 {
		o.cause, o.stepCause = causeUnqueryable, causeUnqueryable
		return statusUnavail, strings.Join(notes, "; ")
	}
	if opts := l.sys.options(); opts.attempts <= 0 {
		// res_send's loop runs attempts times: glibc sends nothing, and
		// DNS is unavailable (EAI_AGAIN as the last word).
		o.cause, o.stepCause = causeTimeout, causeTimeout
		return statusUnavail, fmt.Sprintf("options attempts:%d: glibc sends no query", opts.attempts)
	}
	tried := run(dnsClient{servers: servers, port: l.port, opts: l.sys.options()})
	o.candidates = append(o.candidates, tried...)
	for i := range tried {
		if tried[i].found() {
			o.answered = &tried[i]
			o.addrs, o.names, o.cause = tried[i].addrs, tried[i].names, ""
			return statusSuccess, "answered by " + tried[i].by + " for " + tried[i].Name
		}
	}
	o.cause = dnsCause(tried)
	o.stepCause = o.cause
	switch o.cause {
	case resultNXDomain, resultNoData, resultBadName:
		return statusNotFound, ""
	}
	return statusUnavail, "no answer: " + o.cause
}

// dnsCause names why a lookup failed: the most telling failure among the
// candidates (a server problem beats "no such name").
func dnsCause(tried []candidate) string {
	if len(tried) == 0 {
		return resultNXDomain
	}
	order := []string{causeNetwork, causeTimeout, causeRefused, causeServfail, causeRcode, resultNoData, resultBadName, resultNXDomain}
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
func myhostname(name, hostname string, o *outcome) (status, string) {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	switch {
	case n == "localhost" || n == "localhost.localdomain" || strings.HasSuffix(n, ".localhost") || strings.HasSuffix(n, ".localhost.localdomain"):
		o.addrs = []netip.Addr{loopbackNS, netip.IPv6Loopback()}
		return statusSuccess, "a localhost name"
	case hostname != "" && n == strings.ToLower(hostname):
		o.opaque = true
		return statusSuccess, "the machine's own hostname: it resolves to the machine's own addresses"
	case n == "_gateway" || n == "_outbound":
		o.opaque = true
		return statusSuccess, "a name nss-myhostname synthesises from the routing table"
	}
	return statusNotFound, ""
}

// mdnsService stands for nss-mdns (mdns4_minimal and friends), which only
// handles names under .local: for other names it is unavailable, so a
// following [NOTFOUND=return] does not stop the lookup. golive does not
// speak mDNS; a .local name is taken as not found.
func mdnsService(name string) (status, string) {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	if n == "local" || strings.HasSuffix(n, ".local") {
		return statusNotFound, "a .local name: golive does not query mDNS and takes it as not found"
	}
	return statusUnavail, "only handles .local names"
}
