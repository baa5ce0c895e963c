package dns

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// probe is the question every nameserver is asked: the first of dns.names
// (it must resolve anyway), else the root zone's SOA, which any recursive
// resolver can answer.
type probe struct {
	name  string
	qtype uint16
}

func (p probe) String() string { return p.name + " " + mdns.TypeToString[p.qtype] }

// nameserverCheck is dns/nameserver:<ip>: one server answers a query.
type nameserverCheck struct {
	engine.Base
	target target
	port   uint16
	probe  probe
	cache  *systemCache
}

func (c *nameserverCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	if c.target.Role == "implied" && !h.Live() {
		// Nobody configured it: it is the root's own loopback, which only
		// the machine itself can ask (dns/config fails the missing line).
		return engine.Result{Status: engine.Skip, Observed: "not queried",
			Message: "the root names no nameserver, so glibc would ask its own 127.0.0.1; under --root that is not reachable from here",
			Details: map[string]any{"server": c.target.Addr.String(), "role": c.target.Role, "source": c.target.Source}}
	}
	o := c.cache.get(h).options()
	ctx, cancel := reserve(ctx)
	defer cancel()
	limit := time.Duration(0)
	if d, ok := ctx.Deadline(); ok {
		limit = time.Until(d)
	}
	server := netip.AddrPortFrom(c.target.Addr, c.port)
	a := exchange(ctx, server, question(c.probe.name, c.probe.qtype, o), o.useVC)
	return judgeNameserver(c.target, server, c.probe, a, limit, h.Live())
}

// judgeNameserver turns one exchange into a verdict.
func judgeNameserver(t target, server netip.AddrPort, p probe, a answer, limit time.Duration, live bool) engine.Result {
	res := engine.Result{
		Observed: a.describe(limit),
		Details: map[string]any{
			"server": t.Addr.String(), "port": server.Port(), "role": t.Role, "source": t.Source,
			"query": p.String(), "cause": a.cause, "rtt_ms": ms(a.rtt),
			"transport": a.transport, "tcp_fallback": a.fallback,
		},
	}
	if a.rcode != "" {
		res.Details["rcode"] = a.rcode
	}
	if t.Window > 0 {
		res.Details["glibc_wait_s"] = t.Window
	}
	var note string
	if !live && t.Addr.IsLoopback() {
		note = "; a loopback address: under --root this asked this machine, not the root's own resolver"
	}
	where := fixWhere(t)
	switch a.cause {
	case causeAnswer:
		res.Details["answers"] = len(a.msg.Answer)
		res.Details["recursion_available"] = a.msg.RecursionAvailable
		res.Status, res.Message = engine.Pass, fmt.Sprintf("answers %s: %s", p, a.rcode)
		if a.fallback {
			res.Message += " (complete over TCP after a truncated UDP answer)"
		}
		switch {
		case !a.msg.RecursionAvailable && len(a.msg.Answer) == 0 && a.msg.Rcode == mdns.RcodeSuccess && !a.msg.Authoritative:
			res.Status = engine.Warn
			res.Message = "answers with a referral and without recursion (RA=0): it is not a recursive resolver, and glibc skips such a server"
			res.Remediation = tell("point "+where+" at a recursive resolver", "replace "+t.Addr.String()+" in "+where+" with a recursive resolver; it only answers for its own zones")
		case t.Window > 0 && a.rtt > time.Duration(t.Window)*time.Second:
			res.Status = engine.Warn
			res.Message = fmt.Sprintf("answered after %s, but glibc waits only %d s for this server per attempt: lookups through it time out first", roundRTT(a.rtt), t.Window)
		}
	case causeServfail:
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("answers SERVFAIL for %s: it cannot resolve (its forwarders or the authoritative servers fail, or DNSSEC validation fails)", p)
		res.Remediation = tell("repair the resolver "+t.Addr.String(), "check the forwarders, root hints and DNSSEC validation of the resolver at "+t.Addr.String()+" (its logs name the failing upstream)")
	case causeRefused:
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("answers REFUSED for %s: it refuses recursion for this client", p)
		res.Remediation = tell("allow recursion for this host on "+t.Addr.String(),
			"allow recursive queries from this host's address on the resolver at "+t.Addr.String()+" (BIND: allow-recursion / allow-query-cache; unbound: access-control: <network> allow), or use a resolver that serves this network in "+where)
	case causeRcode:
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("answers %s for %s", a.rcode, p)
		res.Remediation = tell("replace the resolver "+t.Addr.String(), "use a resolver that answers standard recursive queries in "+where)
	default: // timeout, network
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("does not answer %s: %s", p, res.Observed)
		if t.Window > 0 {
			res.Message += fmt.Sprintf("; glibc waits %d s for it on every lookup before it asks the next nameserver", t.Window)
		}
		res.Remediation = tell("make "+t.Addr.String()+" answer, or stop using it",
			"check that the resolver at "+t.Addr.String()+" runs and that UDP and TCP port 53 from this host reach it (firewall, security group); otherwise remove it from "+where)
	}
	res.Message += note
	return res
}

// fixWhere names the file an admin edits to change a server's list.
func fixWhere(t target) string {
	switch t.Role {
	case "upstream", "stub":
		return resolvedConfPath + " (DNS=, then systemctl restart systemd-resolved) or the network configuration that feeds systemd-resolved (netplan, DHCP)"
	case "implied":
		return resolvConfPath + " (add nameserver lines)"
	}
	return resolvConfPath + " (or whatever writes it: NetworkManager, netplan, DHCP)"
}

func tell(summary string, text ...string) *remediate.Plan {
	p := &remediate.Plan{Summary: summary}
	for _, t := range text {
		p.Actions = append(p.Actions, remediate.Tell(t))
	}
	return p
}

// nameserverSet is dns/nameservers: the nameservers in use are known only
// from the host's resolv.conf, and a Builder sees no host. Expand turns it
// into one dns/nameserver:<ip> check per server; an engine that does not
// expand runs it as one check that probes them all.
type nameserverSet struct {
	engine.Base
	port  uint16
	probe probe
	cache *systemCache
}

// Expand returns the dns/nameserver checks for the servers h uses, or the
// set itself when there are none to probe (so that the reason is reported).
func (s *nameserverSet) Expand(h *host.Host) []engine.Check {
	targets, _ := s.cache.get(h).probed()
	if len(targets) == 0 {
		return []engine.Check{s}
	}
	out := make([]engine.Check, 0, len(targets))
	seen := map[netip.Addr]bool{}
	for _, t := range targets {
		if seen[t.Addr] {
			continue // listed twice: one check, its ID must be unique
		}
		seen[t.Addr] = true
		out = append(out, &nameserverCheck{Base: engine.Base{M: metaNameserver(t.Addr.String())}, target: t, port: s.port, probe: s.probe, cache: s.cache})
	}
	return out
}

func (s *nameserverSet) Run(ctx context.Context, h *host.Host) engine.Result {
	targets, notes := s.cache.get(h).probed()
	if len(targets) == 0 {
		return engine.Result{Status: engine.Skip, Message: strings.Join(notes, "; "), Details: map[string]any{"notes": notes}}
	}
	checks := s.Expand(h)
	results := make([]engine.Result, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = c.Run(ctx, h)
			results[i].ID = c.ID()
		}()
	}
	wg.Wait()
	return aggregate(results, notes)
}

// aggregate summarises per-server results: the worst status wins.
func aggregate(results []engine.Result, notes []string) engine.Result {
	res := engine.Result{Status: engine.Pass, Details: map[string]any{}}
	var per []map[string]any
	var bad []string
	answering := 0
	plan := &remediate.Plan{Summary: "make every nameserver in use answer"}
	for _, r := range results {
		d := map[string]any{"id": r.ID, "status": string(r.Status), "message": r.Message}
		for k, v := range r.Details {
			d[k] = v
		}
		per = append(per, d)
		if r.Details["cause"] == causeAnswer {
			answering++
		}
		if rank(r.Status) > rank(res.Status) {
			res.Status = r.Status
		}
		if r.Status != engine.Pass {
			bad = append(bad, fmt.Sprintf("%v %s", r.Details["server"], r.Message))
		}
		if r.Remediation != nil {
			plan.Actions = append(plan.Actions, r.Remediation.Actions...)
		}
	}
	res.Details["nameservers"] = per
	if len(notes) > 0 {
		res.Details["notes"] = notes
	}
	res.Observed = fmt.Sprintf("%d of %d answer", answering, len(results))
	res.Message = "every nameserver in use answers"
	if len(bad) > 0 {
		res.Message = strings.Join(bad, "; ")
	}
	if len(notes) > 0 {
		res.Message += "; " + strings.Join(notes, "; ")
	}
	if len(plan.Actions) > 0 {
		res.Remediation = plan
	}
	return res
}

func rank(s engine.Status) int {
	switch s {
	case engine.Pass:
		return 0
	case engine.Skip:
		return 1
	case engine.Warn:
		return 2
	case engine.Fail:
		return 3
	}
	return 4
}
