package port

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

type freeCheck struct {
	engine.Base
	rule rule
}

type listenCheck struct {
	engine.Base
	rule rule
}

func (c *freeCheck) Run(_ context.Context, h *host.Host) engine.Result {
	return judgeLive(h, c.rule, judgeFree)
}

func (c *listenCheck) Run(_ context.Context, h *host.Host) engine.Result {
	return judgeLive(h, c.rule, judgeListen)
}

// held is a listener of the rule's port with the process holding it.
type held struct {
	listener
	owner   owner
	known   bool
	refused bool // not known because golive may not read other users' fds
}

func (s held) String() string {
	var who string
	switch {
	case s.known:
		who = s.owner.String()
	case s.refused:
		who = fmt.Sprintf("a process golive cannot name (uid %d)", s.UID)
	default:
		// Root reads every fd of its PID namespace: the holder is in
		// another one (a container), or the kernel's own.
		who = fmt.Sprintf("no process of this PID namespace (uid %d: a container's or the kernel's)", s.UID)
	}
	return s.Proto + " " + s.Local() + " by " + who
}

func (s held) ownedBy(unit string) bool { return unit != "" && s.known && s.owner.Unit == unit }

// judgeLive reads the socket tables and their owners, then judges.
func judgeLive(h *host.Host, r rule, judge func(rule, []held) engine.Result) engine.Result {
	if !h.Live() {
		return engine.Result{Status: engine.Skip, Message: "under --root there is no live socket table (an image has no sockets, and <root>/proc/net is not a running kernel's): run golive on the host itself"}
	}
	t := sockets(h)
	if t.err != nil {
		if h.NeedsRoot(t.err) {
			return engine.SkipNeedsRoot(engine.Result{}, t.err)
		}
		return engine.Result{Status: engine.Error, Message: "cannot read the socket tables: " + t.err.Error()}
	}
	ls := t.on(r.Port, r.Proto)
	hs := make([]held, 0, len(ls))
	if len(ls) > 0 {
		o := socketOwners(h, t)
		for _, l := range ls {
			who, ok := o.by[l.Inode]
			hs = append(hs, held{listener: l, owner: who, known: ok, refused: !ok && o.refused > 0 && !h.Privileged()})
		}
	}
	res := judge(r, hs)
	if res.Details == nil {
		res.Details = map[string]any{}
	}
	res.Details["listeners"] = describe(hs)
	if t.bad > 0 {
		res.Details["malformed_lines"] = t.bad
	}
	return res
}

func describe(hs []held) []map[string]any {
	out := make([]map[string]any, 0, len(hs))
	for _, s := range hs {
		m := map[string]any{"proto": s.Proto, "local": s.Local(), "uid": s.UID, "inode": s.Inode}
		if s.known {
			m["pid"], m["comm"] = s.owner.PID, s.owner.Comm
			if s.owner.Unit != "" {
				m["unit"] = s.owner.Unit
			}
		}
		out = append(out, m)
	}
	return out
}

// judgeFree: nothing but the service's own unit may hold the port where
// the service binds it.
func judgeFree(r rule, hs []held) engine.Result {
	var clash, elsewhere []held
	for _, s := range hs {
		switch {
		case s.ownedBy(r.Unit):
		case conflicts(s.listener, r.Address):
			clash = append(clash, s)
		default:
			elsewhere = append(elsewhere, s)
		}
	}
	if len(clash) == 0 {
		res := engine.Result{Status: engine.Pass, Observed: "free"}
		switch {
		case len(hs) == 0:
			res.Message = "nothing listens on " + r.target()
		case len(elsewhere) == 0:
			res.Observed = "held by " + r.Unit
			res.Message = r.target() + " is the service's own: " + list(hs)
		default:
			res.Message = fmt.Sprintf("%s listens only on another address than %s: %s", r.target(), r.Address, list(elsewhere))
		}
		return res
	}
	res := engine.Result{Status: engine.Fail, Observed: "held: " + list(clash)}
	res.Message = fmt.Sprintf("%s is taken: %s; the service's bind would fail with EADDRINUSE", r.target(), list(clash))
	if clash[0].refused {
		res.Message += "; naming the process needs root (other users' /proc/<pid>/fd)"
	}
	stop := "stop the process that holds " + r.target() + " or give the service another port"
	if clash[0].known && clash[0].owner.Unit != "" {
		stop = fmt.Sprintf("stop %s (systemctl disable --now %s) or give the service another port than %s", clash[0].owner.Unit, clash[0].owner.Unit, r.target())
	}
	res.Remediation = &remediate.Plan{Summary: "free " + r.target(), Actions: []remediate.Action{remediate.Tell(stop)}}
	return res
}

// judgeListen: the service's unit (any process, without service.unit)
// listens, on the profile's address or, without one, beyond loopback.
func judgeListen(r rule, hs []held) engine.Result {
	start := remediate.Tell(fmt.Sprintf("start %s (systemctl enable --now %s) and make it listen on %s", serviceName(r), serviceName(r), want(r)))
	fail := func(msg string) engine.Result {
		return engine.Result{Status: engine.Fail, Message: msg,
			Remediation: &remediate.Plan{Summary: "make " + serviceName(r) + " listen on " + r.target(), Actions: []remediate.Action{start}}}
	}
	if len(hs) == 0 {
		return fail(fmt.Sprintf("nothing listens on %s: is %s running?", r.target(), serviceName(r)))
	}
	mine := hs
	if r.Unit != "" {
		mine = nil
		var unknown, others []held
		for _, s := range hs {
			switch {
			case s.ownedBy(r.Unit):
				mine = append(mine, s)
			case s.refused:
				unknown = append(unknown, s)
			default:
				others = append(others, s)
			}
		}
		if len(mine) == 0 && len(unknown) > 0 {
			return engine.Result{Status: engine.Skip, Observed: list(unknown),
				Message: engine.NeedsRoot(fmt.Sprintf("naming the process on %s (other users' /proc/<pid>/fd), to tell whether it is %s", r.target(), r.Unit))}
		}
		if len(mine) == 0 {
			res := fail(fmt.Sprintf("%s is held by another process, not %s: %s", r.target(), r.Unit, list(others)))
			res.Observed = list(others)
			return res
		}
	}
	res := engine.Result{Observed: list(mine)}
	if !r.Address.IsValid() {
		for _, s := range mine {
			if !s.Addr.IsLoopback() {
				res.Status, res.Message = engine.Pass, "listens beyond loopback: "+list(mine)
				return res
			}
		}
		res.Status = engine.Warn
		res.Message = "listens on loopback only: unreachable from other hosts (" + list(mine) + ")"
		res.Remediation = &remediate.Plan{Summary: "listen beyond loopback", Actions: []remediate.Action{remediate.Tell(
			fmt.Sprintf("make %s listen on 0.0.0.0 or :: (or the host's address), or write address: 127.0.0.1 in service.ports if loopback is meant", serviceName(r)))}}
		return res
	}
	var maybe []held
	for _, s := range mine {
		switch serves(s.listener, r.Address) {
		case yes:
			res.Status, res.Message = engine.Pass, fmt.Sprintf("listens on %s: %s", want(r), list(mine))
			return res
		case perhaps:
			maybe = append(maybe, s)
		}
	}
	if len(maybe) > 0 {
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("listens on [::] (%s), which takes IPv4 too only if the socket is dual-stack (IPV6_V6ONLY off, the default unless net.ipv6.bindv6only=1); /proc/net does not say which", list(maybe))
		res.Remediation = &remediate.Plan{Summary: "listen on " + want(r), Actions: []remediate.Action{remediate.Tell(
			fmt.Sprintf("confirm with ss -ltnu that %s shows *:%d (dual-stack), or make it listen on %s", serviceName(r), r.Port, want(r)))}}
		return res
	}
	res = fail(fmt.Sprintf("listens on %s, not on %s", list(mine), want(r)))
	res.Observed = list(mine)
	return res
}

func want(r rule) string {
	if !r.Address.IsValid() {
		return r.target()
	}
	return netip.AddrPortFrom(r.Address, r.Port).String() + "/" + r.Proto
}

type coverage int

const (
	no coverage = iota
	perhaps
	yes
)

// serves says whether a listener takes connections to addr: its own
// address, or a wildcard of addr's family. An IPv6 wildcard takes IPv4 too
// when the socket is dual-stack, which the socket tables do not show.
func serves(l listener, addr netip.Addr) coverage {
	switch {
	case l.Addr == addr:
		return yes
	case l.Addr.IsUnspecified() && l.Addr.Is4() == addr.Is4():
		return yes
	case l.Addr == netip.IPv6Unspecified() && addr.Is4():
		return perhaps
	}
	return no
}

// conflicts says whether a listener stops the service from binding addr
// (anywhere, when addr is unset): the same address, or a wildcard on
// either side within one family, the IPv6 wildcard counting as dual-stack
// (Linux refuses 0.0.0.0:P while a dual-stack [::]:P listens).
func conflicts(l listener, addr netip.Addr) bool {
	if !addr.IsValid() || l.Addr == addr {
		return true
	}
	if l.Addr.IsUnspecified() && (l.Addr.Is4() == addr.Is4() || l.Addr.Is6()) {
		return true
	}
	return addr.IsUnspecified() && (addr.Is4() == l.Addr.Is4() || addr.Is6())
}

func list(hs []held) string {
	s := make([]string, 0, len(hs))
	for _, h := range hs {
		s = append(s, h.String())
	}
	return strings.Join(s, ", ")
}
