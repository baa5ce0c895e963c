package firewall

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"
)

// The family judges nftables rulesets, whether read from a configuration
// file (nft syntax, parsenft.go) or from the running kernel (netlink,
// live.go), through one model: the base chains on the prerouting and input
// hooks, their rules reduced to the matches that decide whether a new
// connection from another host reaches a local port. A match golive cannot
// decide for "any client" (a source address, a rate limit, a fib lookup)
// is kept as text and judged "depends": the rule neither fires nor is
// forgotten, and the verdict says which clients it concerns.

// field is what a match looks at.
type field uint8

const (
	fieldOther   field = iota // anything else: depends on the client or state
	fieldL4Proto              // meta l4proto, ip protocol, ip6 nexthdr
	fieldDport                // th/tcp/udp dport
	fieldIIF                  // iif, iifname (by name)
	fieldNFProto              // meta nfproto: ipv4, ipv6
	fieldCtState              // ct state
	fieldNever                // a match no new TCP/UDP packet satisfies (icmp type, ...)
	fieldSyn                  // tcp flags syn (--syn): the first packet only
)

// portRange is an inclusive range of ports.
type portRange struct{ lo, hi uint16 }

// match is one condition of a rule.
type match struct {
	field field
	neg   bool
	ports []portRange // fieldDport
	names []string    // fieldL4Proto (tcp, udp, ...), fieldIIF (globs), fieldNFProto, fieldCtState
	text  string      // how the rule spells it, for messages
	// setKey names a set (family table name) whose elements are the
	// values, until the parser resolves it.
	setKey string
}

// verdict is what a rule does when it matches.
type verdict uint8

const (
	vContinue verdict = iota // counter, log, ...: on to the next rule
	vAccept
	vDrop
	vReject
	vJump
	vGoto
	vReturn
	vUnknown // queue and the like: the packet's fate is decided elsewhere
)

func (v verdict) String() string {
	return [...]string{"continue", "accept", "drop", "reject", "jump", "goto", "return", "queue"}[v]
}

// rule is one rule of a chain.
type rule struct {
	matches []match
	verdict verdict
	target  string // jump and goto: the chain, in the same table
	where   string // file:line, or "handle N" of a live rule
	text    string
}

// chain is a chain of a table. A base chain has a hook.
type chain struct {
	family   string // ip, ip6, inet, arp, bridge, netdev
	table    string
	name     string
	hook     string // "" for a regular chain
	priority int
	policy   verdict // vAccept or vDrop, base chains only
	rules    []rule
	where    string
}

func (c *chain) id() string { return c.family + " " + c.table + " " + c.name }

// ruleset is every table's chains, keyed by family, table and name.
type ruleset struct {
	chains map[string]*chain
	order  []*chain // as declared
}

func newRuleset() *ruleset { return &ruleset{chains: map[string]*chain{}} }

// chain returns the chain, declaring it when new.
func (rs *ruleset) chain(family, table, name string) *chain {
	k := family + " " + table + " " + name
	if c, ok := rs.chains[k]; ok {
		return c
	}
	c := &chain{family: family, table: table, name: name, policy: vAccept}
	rs.chains[k] = c
	rs.order = append(rs.order, c)
	return c
}

func (rs *ruleset) deleteTable(family, table string) {
	rs.order = slices.DeleteFunc(rs.order, func(c *chain) bool { return c.family == family && c.table == table })
	for k, c := range rs.chains {
		if c.family == family && c.table == table {
			delete(rs.chains, k)
		}
	}
}

// packet is the probe: a new connection from another host to a local port
// through interface iif ("" when golive does not know which).
type packet struct {
	v6    bool
	proto string // tcp or udp
	port  uint16
	iif   string
	// later: a packet of the connection after its first (conntrack state
	// established); false for the first (new).
	later bool
}

// tri is a match's answer for the probe.
type tri uint8

const (
	no tri = iota
	yes
	depends
)

func (m match) eval(p packet) tri {
	var hit bool
	switch m.field {
	case fieldNever:
		return no
	case fieldOther:
		return depends
	case fieldL4Proto:
		hit = slices.Contains(m.names, p.proto)
	case fieldDport:
		for _, r := range m.ports {
			if p.port >= r.lo && p.port <= r.hi {
				hit = true
			}
		}
	case fieldNFProto:
		hit = slices.Contains(m.names, map[bool]string{false: "ipv4", true: "ipv6"}[p.v6])
	case fieldCtState:
		hit = slices.Contains(m.names, map[bool]string{false: "new", true: "established"}[p.later])
	case fieldSyn:
		hit = !p.later
	case fieldIIF:
		if p.iif == "" {
			// Unknown interface: an outside packet never arrives on lo,
			// and any other name may be the one.
			if allLoopback(m.names) {
				return tri(boolTri(m.neg))
			}
			return depends
		}
		for _, g := range m.names {
			if ifnameMatch(g, p.iif) {
				hit = true
			}
		}
	}
	if m.neg {
		hit = !hit
	}
	return boolTri(hit)
}

func boolTri(b bool) tri {
	if b {
		return yes
	}
	return no
}

func allLoopback(names []string) bool {
	for _, n := range names {
		if n != "lo" {
			return false
		}
	}
	return len(names) > 0
}

// ifnameMatch: nft's iifname takes a trailing * as a prefix wildcard.
func ifnameMatch(glob, name string) bool {
	if p, ok := strings.CutSuffix(glob, "*"); ok && !strings.ContainsAny(p, "*?[") {
		return strings.HasPrefix(name, p)
	}
	ok, _ := path.Match(glob, name)
	return ok || glob == name
}

// outcome is the fate of the probe in a ruleset.
type outcome struct {
	accepted bool
	// by is where the packet was dropped or rejected (a rule, or a base
	// chain's policy); empty when accepted.
	by      string
	byChain *chain // the base chain that dropped it
	rejects bool   // rejected (the client sees a refusal) rather than dropped
	// depends lists the rules whose effect depends on the client (its
	// address, a rate limit, ...): accepting rules when the probe was
	// dropped, dropping rules when it was accepted.
	depends []string
	// unknown is set when a verdict golive cannot follow decided (queue).
	unknown string
	chains  []string // the base chains the probe went through
}

// maxDepth bounds jumps: the kernel refuses a ruleset deeper than 16.
const maxDepth = 16

// evaluate says whether a client reaches the port: for TCP the first
// packet (conntrack state new) and the connection's later ones
// (established) must both pass — a ruleset that accepts only "ct state
// new" to a port lets the SYN in and drops the handshake's ACK. For UDP
// the first datagram decides.
func (rs *ruleset) evaluate(p packet) outcome {
	p.later = false
	first := rs.evaluatePacket(p)
	if p.proto != "tcp" || !first.accepted || first.unknown != "" {
		return first
	}
	p.later = true
	later := rs.evaluatePacket(p)
	if !later.accepted || later.unknown != "" {
		later.by += " — the connection's later packets (ct state established), after its first was accepted"
		return later
	}
	first.depends = append(first.depends, later.depends...)
	return first
}

// evaluatePacket follows one packet through every base chain of the hooks
// a packet for a local socket crosses (prerouting, then input), in
// priority order; a drop in any chain is final, an accept ends only its
// own chain.
func (rs *ruleset) evaluatePacket(p packet) outcome {
	fam := "ip"
	if p.v6 {
		fam = "ip6"
	}
	var bases []*chain
	for _, c := range rs.order {
		if (c.hook == "prerouting" || c.hook == "input") && (c.family == fam || c.family == "inet") {
			bases = append(bases, c)
		}
	}
	slices.SortStableFunc(bases, func(a, b *chain) int {
		if a.hook != b.hook {
			return cmp.Compare(hookOrder(a.hook), hookOrder(b.hook))
		}
		return cmp.Compare(a.priority, b.priority)
	})
	out := outcome{accepted: true}
	var pendingAccepts []string
	steps := 0
	for _, c := range bases {
		out.chains = append(out.chains, c.id())
		e := &evaluation{rs: rs, p: p, steps: &steps}
		v, by := e.run(c, 0)
		if v == vContinue || v == vReturn {
			v, by = c.policy, fmt.Sprintf("the policy of chain %s (%s)", c.id(), c.where)
		}
		switch v {
		case vDrop, vReject:
			out.accepted, out.by, out.byChain, out.rejects = false, by, c, v == vReject
			out.depends = append(pendingAccepts, e.acceptDepends...)
			return out
		case vUnknown:
			out.unknown = by
		}
		pendingAccepts = append(pendingAccepts, e.acceptDepends...)
		out.depends = append(out.depends, e.dropDepends...)
	}
	return out
}

func hookOrder(h string) int {
	if h == "prerouting" {
		return 0
	}
	return 1
}

type evaluation struct {
	rs                         *ruleset
	p                          packet
	acceptDepends, dropDepends []string
	steps                      *int // rules visited, shared with sub-evaluations
}

// maxSteps bounds one probe's work: a hostile ruleset of jumps that
// depend on the client could otherwise branch exponentially.
const maxSteps = 1 << 20

// run runs chain c; it returns vContinue when the chain ran to its end (or
// a return), else the terminal verdict and where it was reached.
func (e *evaluation) run(c *chain, depth int) (verdict, string) {
	if depth > maxDepth {
		return vUnknown, "more than 16 nested jumps at chain " + c.id()
	}
	for i := range c.rules {
		if *e.steps++; *e.steps > maxSteps {
			return vUnknown, "more than a million rule visits (a ruleset of jumps golive does not follow further)"
		}
		r := &c.rules[i]
		ans := yes
		for _, m := range r.matches {
			switch m.eval(e.p) {
			case no:
				ans = no
			case depends:
				if ans == yes {
					ans = depends
				}
			}
			if ans == no {
				break
			}
		}
		if ans == no || r.verdict == vContinue {
			continue
		}
		if ans == depends {
			e.noteDepends(r, c, depth)
			continue
		}
		switch r.verdict {
		case vAccept, vDrop, vReject, vUnknown:
			return r.verdict, ruleName(r, c)
		case vReturn:
			return vContinue, ""
		case vJump, vGoto:
			t, ok := e.rs.chains[c.family+" "+c.table+" "+r.target]
			if !ok {
				return vUnknown, ruleName(r, c) + " names chain " + r.target + ", which does not exist"
			}
			v, by := e.run(t, depth+1)
			if v != vContinue {
				return v, by
			}
			if r.verdict == vGoto {
				return vContinue, ""
			}
		}
	}
	return vContinue, ""
}

// noteDepends records a rule that fires only for some clients: what it
// would do to them is what the verdict must mention.
func (e *evaluation) noteDepends(r *rule, c *chain, depth int) {
	switch r.verdict {
	case vAccept:
		e.acceptDepends = append(e.acceptDepends, ruleName(r, c))
	case vDrop, vReject:
		e.dropDepends = append(e.dropDepends, ruleName(r, c))
	case vUnknown:
		// A rule golive cannot follow (queue, an unknown target): it may
		// accept or drop those packets.
		e.acceptDepends = append(e.acceptDepends, ruleName(r, c))
		e.dropDepends = append(e.dropDepends, ruleName(r, c))
	case vJump, vGoto:
		// What the jumped-to chain does to those clients: follow it with a
		// separate evaluation, keeping only what it says depends.
		if t, ok := e.rs.chains[c.family+" "+c.table+" "+r.target]; ok && depth < maxDepth {
			sub := &evaluation{rs: e.rs, p: e.p, steps: e.steps}
			v, _ := sub.run(t, depth+1)
			switch v {
			case vAccept:
				e.acceptDepends = append(e.acceptDepends, ruleName(r, c))
			case vDrop, vReject:
				e.dropDepends = append(e.dropDepends, ruleName(r, c))
			}
			e.acceptDepends = append(e.acceptDepends, sub.acceptDepends...)
			e.dropDepends = append(e.dropDepends, sub.dropDepends...)
		}
	}
}

func ruleName(r *rule, c *chain) string {
	s := "`" + r.text + "` in chain " + c.id()
	if r.where != "" {
		s += " (" + r.where + ")"
	}
	return s
}
