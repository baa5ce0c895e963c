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

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// resolveCheck is dns/resolve:<name>: the name resolves the way the
// service would resolve it.
type resolveCheck struct {
	engine.Base
	name   string
	types  []uint16
	expect []netip.Addr // empty: any answer will do
	port   uint16
	cache  *systemCache
}

func (c *resolveCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	sys := c.cache.get(h)
	if r, stop := hostsUnreadable(sys, h); stop {
		return r
	}
	ctx, cancel := reserve(ctx)
	defer cancel()
	o := lookup{sys: sys, port: c.port, types: c.types}.forward(ctx, c.name)
	res := engine.Result{Details: c.details(sys, o)}
	switch verdictOf(o) {
	case verdictFound:
		return c.judgeAnswer(res, o)
	case verdictUndecided:
		return undecided(res, o)
	case verdictNotFound:
		res.Status, res.Observed = engine.Fail, "does not resolve"
		res.Message = "does not resolve: " + c.notFoundWhy(o)
		res.Remediation = tell("publish "+c.name, fmt.Sprintf("add the %s record(s) for %s in DNS (or an %s line, if files comes before dns in %s)", typeNames(c.types), c.name, hostsPath, nsswitchPath))
	default:
		res.Status = engine.Fail
		res.Observed, res.Message, res.Remediation = lookupFailed(o)
		res.Message = "does not resolve: " + res.Message
	}
	return res
}

// lookupFailed explains a lookup that getaddrinfo ends with an error.
func lookupFailed(o outcome) (observed, message string, fix *remediate.Plan) {
	last := ""
	if len(o.steps) > 0 {
		last = o.steps[len(o.steps)-1].Service
	}
	switch o.stepCause {
	case causeNoService:
		return "lookup failed: no service", "the hosts line of " + nsswitchPath + " names no service, so glibc asks nothing and fails every lookup (see dns/config)",
			tell("name the services on the hosts line", "write \"hosts: files dns\" in "+nsswitchPath)
	case causeNoModule:
		name, _, _ := strings.Cut(last, " ")
		return "lookup failed: " + name + " not installed", fmt.Sprintf("the lookup ends at %s, whose module libnss_%s.so.2 is not installed: glibc fails it (EAI_SYSTEM)", last, name),
			tell("install or remove "+name, fmt.Sprintf("install the package that provides libnss_%s.so.2, or take %s off the hosts line of %s", name, name, nsswitchPath))
	}
	return "lookup failed: " + o.cause, fmt.Sprintf("DNS did not answer (%s) for %s", o.cause, strings.Join(names(o.candidates), ", ")),
		tell("make the nameservers answer", "fix the nameservers in use (see the dns/nameserver checks): "+causeAdvice(o.cause))
}

// hostsUnreadable stops a lookup whose first answer could be a hosts file
// golive cannot read: guessing past it could call a name resolved that
// the service sees differently.
func hostsUnreadable(sys *system, h *host.Host) (engine.Result, bool) {
	if sys.hostsErr == nil || errors.Is(sys.hostsErr, fs.ErrNotExist) || !usesFiles(sys.nss) {
		return engine.Result{}, false
	}
	if h.NeedsRoot(sys.hostsErr) {
		return engine.SkipNeedsRoot(engine.Result{}, sys.hostsErr), true
	}
	return engine.Result{Status: engine.Error, Message: "cannot read " + hostsPath + ": " + sys.hostsErr.Error()}, true
}

func usesFiles(n *nsswitch) bool {
	for _, s := range n.hosts {
		if s.Name == "files" {
			return true
		}
	}
	return false
}

func (c *resolveCheck) judgeAnswer(res engine.Result, o outcome) engine.Result {
	res.Observed = strings.Join(addrStrings(o.addrs), ", ") + " (" + o.source + ")"
	res.Status, res.Message = engine.Pass, "resolves through "+o.source
	if o.answered != nil {
		res.Message += " as " + o.answered.Name
	}
	if o.opaque {
		res.Observed = "this machine's own addresses (" + o.source + ")"
		if len(c.expect) > 0 {
			res.Status = engine.Warn
			res.Message += "; nss-myhostname answers with the machine's own addresses, which golive cannot compare with the expected ones"
		}
		return res
	}
	if len(c.expect) > 0 {
		missing, extra := diffAddrs(c.expect, o.addrs)
		if len(missing) > 0 || len(extra) > 0 {
			res.Status = engine.Fail
			res.Message = fmt.Sprintf("resolves through %s to %s, expected %s", o.source, strings.Join(addrStrings(o.addrs), ", "), strings.Join(addrStrings(c.expect), ", "))
			if len(missing) > 0 {
				res.Message += "; missing " + strings.Join(addrStrings(missing), ", ")
			}
			if len(extra) > 0 {
				res.Message += "; unexpected " + strings.Join(addrStrings(extra), ", ")
			}
			res.Remediation = tell("correct the records of "+c.name, fmt.Sprintf("make %s resolve to exactly %s: fix the DNS records, or the %s line that answers first", c.name, strings.Join(addrStrings(c.expect), ", "), hostsPath))
			return res
		}
	}
	if slow := failedFirst(o); slow != "" {
		res.Status = engine.Warn
		res.Message += "; but " + slow
		res.Remediation = tell("remove or repair the nameserver that does not answer", "fix or remove the failing nameserver (see its dns/nameserver check): until then every lookup waits for it first")
	}
	return res
}

// failedFirst reports a server that failed before another answered: the
// lookup works, slowly, on every call.
func failedFirst(o outcome) string {
	if o.answered == nil {
		return ""
	}
	for _, t := range o.answered.Servers {
		switch t.Result {
		case causeTimeout:
			return fmt.Sprintf("%s failed first (timeout): every lookup waits for it before glibc asks the next server", t.Server)
		case causeNetwork, causeServfail, causeRefused, causeRcode:
			return fmt.Sprintf("%s failed first (%s): every lookup asks it first and moves on only after its failure", t.Server, t.Result)
		}
	}
	return ""
}

func (c *resolveCheck) notFoundWhy(o outcome) string {
	tried := names(o.candidates)
	switch {
	case len(o.steps) > 0 && o.stepCause != "" && len(tried) > 0:
		return fmt.Sprintf("%s for %s", o.stepCause, strings.Join(tried, ", "))
	case len(o.steps) > 0:
		last := o.steps[len(o.steps)-1]
		return fmt.Sprintf("not found by %s (nsswitch hosts: %s)", last.Service, hostsLine(o))
	}
	return "the hosts database has no service to ask (" + nsswitchPath + ": see dns/config)"
}

func hostsLine(o outcome) string {
	parts := make([]string, len(o.steps))
	for i, s := range o.steps {
		parts[i] = s.Service
	}
	return strings.Join(parts, " ")
}

func (c *resolveCheck) details(sys *system, o outcome) map[string]any {
	d := map[string]any{
		"name": c.name, "types": typeList(c.types), "nsswitch": sys.nss.hostsLine(),
		"steps": o.steps, "candidates": o.candidates, "source": o.source,
	}
	if o.candidates == nil {
		d["candidates"] = []candidate{}
	}
	if len(c.expect) > 0 {
		d["expected"] = addrStrings(c.expect)
	}
	answers := map[string][]string{}
	for _, a := range o.addrs {
		t := "A"
		if a.Is6() {
			t = "AAAA"
		}
		answers[t] = append(answers[t], a.String())
	}
	d["answers"] = answers
	if o.answered != nil {
		d["answered_name"] = o.answered.Name
		d["server"] = o.answered.by
		d["rtt_ms"] = o.answered.Servers[len(o.answered.Servers)-1].RTTms
	}
	if len(o.hostsLines) > 0 {
		d["hosts_lines"] = o.hostsLines
	}
	if o.cause != "" {
		d["cause"] = o.cause
	}
	if notes := dnsNotes(sys, o); len(notes) > 0 {
		d["notes"] = notes
	}
	return d
}

// dnsNotes says where golive's lookup differs from the service's.
func dnsNotes(sys *system, o outcome) []string {
	notes := slices.Clone(o.notes)
	if len(o.candidates) > 0 && sys.options().rotate {
		notes = append(notes, "options rotate: glibc starts each lookup at the next nameserver; golive asked them in order")
	}
	if len(o.candidates) > 0 && sys.stub && !sys.live {
		notes = append(notes, "systemd-resolved stub: under --root golive asked its upstream servers, which the stub would ask")
	}
	return notes
}

// reverseCheck is dns/reverse:<ip>: the address has a name.
type reverseCheck struct {
	engine.Base
	addr  netip.Addr
	port  uint16
	cache *systemCache
}

func (c *reverseCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	sys := c.cache.get(h)
	if r, stop := hostsUnreadable(sys, h); stop {
		return r
	}
	arpa, _ := mdns.ReverseAddr(c.addr.String())
	ctx, cancel := reserve(ctx)
	defer cancel()
	o := lookup{sys: sys, port: c.port, types: []uint16{mdns.TypePTR}}.reverse(ctx, c.addr)
	res := engine.Result{Details: map[string]any{
		"address": c.addr.String(), "query": arpa + " PTR", "nsswitch": sys.nss.hostsLine(),
		"steps": o.steps, "candidates": o.candidates, "names": o.names, "source": o.source,
	}}
	if o.answered != nil {
		res.Details["server"] = o.answered.by
	}
	if o.cause != "" {
		res.Details["cause"] = o.cause
	}
	switch verdictOf(o) {
	case verdictFound:
		res.Status, res.Observed = engine.Pass, strings.Join(o.names, ", ")+" ("+o.source+")"
		res.Message = "has a name through " + o.source
	case verdictUndecided:
		return undecided(res, o)
	case verdictNotFound:
		res.Status, res.Observed = engine.Fail, "no name"
		res.Message = fmt.Sprintf("has no name: no PTR record for %s (%s)", arpa, orDefault(o.cause, "not found"))
		res.Remediation = tell("publish a PTR record for "+c.addr.String(), "ask the owner of the reverse zone to add a PTR record for "+arpa+" (services that check reverse DNS reject this address until then)")
	default:
		res.Status = engine.Fail
		res.Observed, res.Message, res.Remediation = lookupFailed(o)
		res.Message = "no name: " + res.Message
	}
	return res
}

// verdict is what a lookup's outcome means for a check.
type verdict int

const (
	verdictFound     verdict = iota
	verdictNotFound          // every source said no: NXDOMAIN, no data, not in files
	verdictFailed            // DNS failed: timeout, SERVFAIL, REFUSED, unreachable
	verdictUndecided         // nothing golive can ask answered (an unknown upstream, an nss module it does not model)
)

func verdictOf(o outcome) verdict {
	switch o.final {
	case finalFound:
		return verdictFound
	case finalNotFound:
		return verdictNotFound
	case finalError:
		return verdictFailed
	}
	return verdictUndecided
}

func undecided(res engine.Result, o outcome) engine.Result {
	res.Status, res.Observed = engine.Skip, "not decided"
	if o.cause == causeUnqueryable {
		res.Message = "DNS cannot be asked from here: " + strings.Join(o.notes, "; ")
		return res
	}
	res.Message = "no source golive can evaluate answered (nsswitch hosts: " + hostsLine(o) + ")"
	return res
}

func causeAdvice(cause string) string {
	switch cause {
	case causeRefused:
		return "they refuse recursion for this host"
	case causeServfail:
		return "they answer SERVFAIL"
	case causeTimeout:
		return "they do not answer in time"
	case causeNetwork:
		return "they cannot be reached"
	}
	return cause
}

func diffAddrs(want, got []netip.Addr) (missing, extra []netip.Addr) {
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) && !slices.Contains(extra, g) {
			extra = append(extra, g)
		}
	}
	return missing, extra
}

func addrStrings(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

func names(cs []candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func typeList(types []uint16) []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = mdns.TypeToString[t]
	}
	return out
}

func typeNames(types []uint16) string { return strings.Join(typeList(types), "/") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
