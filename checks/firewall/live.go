package firewall

import (
	"bytes"
	"encoding/binary"
	"fmt"
	mathbits "math/bits"
	"net/netip"
	"slices"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"

	"github.com/golive-sh/golive/internal/host"
)

// fromNetlink turns the kernel's ruleset into the family's model. The
// kernel keeps rules as a small register machine (load a field into a
// register, compare it); this follows the registers of each rule and
// recognises the same matches the file parser does. Any expression it does
// not know makes its rule "depends", never a guess.
func fromNetlink(k *host.NftRuleset) *ruleset {
	rs := newRuleset()
	for _, ch := range k.Chains {
		fam := familyName(ch.Table.Family)
		c := rs.chain(fam, ch.Table.Name, ch.Name)
		c.where = "live chain " + ch.Name
		if ch.Hooknum != nil && (ch.Table.Family == nftables.TableFamilyIPv4 || ch.Table.Family == nftables.TableFamilyIPv6 || ch.Table.Family == nftables.TableFamilyINet) {
			switch *ch.Hooknum {
			case *nftables.ChainHookPrerouting:
				c.hook = "prerouting"
			case *nftables.ChainHookInput:
				c.hook = "input"
			default:
				c.hook = fmt.Sprintf("hook%d", *ch.Hooknum)
			}
		}
		if ch.Priority != nil {
			c.priority = int(*ch.Priority)
		}
		if ch.Policy != nil && *ch.Policy == nftables.ChainPolicyDrop {
			c.policy = vDrop
		}
		for _, r := range k.Rules[ch] {
			c.rules = append(c.rules, liveRules(k, ch.Table, r)...)
		}
	}
	return rs
}

func familyName(f nftables.TableFamily) string {
	switch f {
	case nftables.TableFamilyIPv4:
		return "ip"
	case nftables.TableFamilyIPv6:
		return "ip6"
	case nftables.TableFamilyINet:
		return "inet"
	case nftables.TableFamilyARP:
		return "arp"
	case nftables.TableFamilyBridge:
		return "bridge"
	case nftables.TableFamilyNetdev:
		return "netdev"
	}
	return fmt.Sprintf("family%d", f)
}

// reg is what a register holds while a rule runs.
type reg struct {
	what string // l4proto, nfproto, iif, iifname, dport, ctstate, other
	mask []byte // ct state after a bitwise, an address prefix
	desc string
	size int // addr: 4 or 6
}

type liveRule struct {
	k       *host.NftRuleset
	table   *nftables.Table
	regs    map[uint32]reg
	v6      int // 0 unknown, 4, 6: the address family the rule has matched
	matches []match
	texts   []string
	vmap    []rule
}

func liveRules(k *host.NftRuleset, t *nftables.Table, r *nftables.Rule) []rule {
	lr := &liveRule{k: k, table: t, regs: map[uint32]reg{}}
	switch t.Family {
	case nftables.TableFamilyIPv4:
		lr.v6 = 4
	case nftables.TableFamilyIPv6:
		lr.v6 = 6
	}
	out := rule{verdict: vContinue, where: fmt.Sprintf("handle %d", r.Handle)}
	for _, e := range r.Exprs {
		switch e := e.(type) {
		case *expr.Meta:
			if e.SourceRegister {
				continue // meta ... set: a statement
			}
			lr.regs[e.Register] = metaReg(e.Key)
		case *expr.Payload:
			lr.regs[e.DestRegister] = lr.payloadReg(e)
		case *expr.Ct:
			if e.SourceRegister {
				continue
			}
			switch e.Key {
			case expr.CtKeySTATE:
				lr.regs[e.Register] = reg{what: "ctstate", desc: "ct state"}
			case expr.CtKeySTATUS:
				lr.regs[e.Register] = reg{what: "ctstatus", desc: "ct status"}
			default:
				lr.regs[e.Register] = reg{what: "other", desc: "ct expression"}
			}
		case *expr.Bitwise:
			src := lr.regs[e.SourceRegister]
			if (src.what == "ctstate" || src.what == "ctstatus" || src.what == "addr") && isZero(e.Xor) {
				src.mask = e.Mask
			} else {
				src = reg{what: "other", desc: src.desc + " (masked)"}
			}
			lr.regs[e.DestRegister] = src
		case *expr.Cmp:
			lr.cmp(e)
		case *expr.Range:
			lr.rangeMatch(e)
		case *expr.Lookup:
			if !lr.lookup(e, &out) {
				return lr.finish(out)
			}
		case *expr.Verdict:
			out.verdict, out.target = liveVerdict(e)
		case *expr.Reject:
			out.verdict = vReject
		case *expr.Queue:
			out.verdict = vUnknown
		case *expr.Counter, *expr.Log:
		case *expr.Limit:
			lr.add(match{field: fieldOther, text: "limit"})
		default:
			// fib, socket, quota, xt matches, nat, ...: golive cannot say
			// what they do for "any client".
			lr.add(match{field: fieldOther, text: otherText(e)})
		}
	}
	return lr.finish(out)
}

func (lr *liveRule) finish(out rule) []rule {
	if lr.vmap != nil {
		return lr.vmap
	}
	out.matches = lr.matches
	out.text = strings.TrimSpace(strings.Join(append(lr.texts, out.verdict.String()), " "))
	return []rule{out}
}

func (lr *liveRule) add(m match) {
	lr.matches = append(lr.matches, m)
	lr.texts = append(lr.texts, m.text)
}

func metaReg(k expr.MetaKey) reg {
	switch k {
	case expr.MetaKeyL4PROTO:
		return reg{what: "l4proto", desc: "meta l4proto"}
	case expr.MetaKeyNFPROTO:
		return reg{what: "nfproto", desc: "meta nfproto"}
	case expr.MetaKeyIIF:
		return reg{what: "iif", desc: "iif"}
	case expr.MetaKeyIIFNAME:
		return reg{what: "iifname", desc: "iifname"}
	case expr.MetaKeyPKTTYPE:
		return reg{what: "pkttype", desc: "meta pkttype"}
	}
	return reg{what: "other", desc: fmt.Sprintf("meta key %d", k)}
}

func (lr *liveRule) payloadReg(e *expr.Payload) reg {
	switch {
	case e.Base == expr.PayloadBaseTransportHeader && e.Offset == 2 && e.Len == 2:
		return reg{what: "dport", desc: "th dport"}
	case e.Base == expr.PayloadBaseNetworkHeader && e.Len == 1 && (e.Offset == 9 && lr.v6 == 4 || e.Offset == 6 && lr.v6 == 6):
		return reg{what: "l4proto", desc: "ip protocol"}
	}
	if e.Base == expr.PayloadBaseNetworkHeader {
		// A prefix on a byte boundary loads only its bytes (ip saddr
		// 10.0.0.0/8 loads one).
		switch {
		case lr.v6 == 4 && e.Len <= 4 && e.Offset == 12, lr.v6 == 6 && e.Len <= 16 && e.Offset == 8:
			return reg{what: "addr", desc: map[int]string{4: "ip", 6: "ip6"}[lr.v6] + " saddr", size: lr.v6}
		case lr.v6 == 4 && e.Len <= 4 && e.Offset == 16, lr.v6 == 6 && e.Len <= 16 && e.Offset == 24:
			return reg{what: "addr", desc: map[int]string{4: "ip", 6: "ip6"}[lr.v6] + " daddr", size: lr.v6}
		}
	}
	if e.Base == expr.PayloadBaseTransportHeader && e.Offset == 0 && e.Len == 2 {
		return reg{what: "other", desc: "th sport"}
	}
	return reg{what: "other", desc: fmt.Sprintf("payload base %d offset %d", e.Base, e.Offset)}
}

// addrText renders an address comparison: the value, with the prefix a
// preceding bitwise mask kept.
func addrText(r reg, data []byte) string {
	full := map[int]int{4: 4, 6: 16}[r.size]
	if len(data) > full {
		return r.desc
	}
	bits := len(data) * 8
	if len(r.mask) == len(data) {
		bits = 0
		for _, b := range r.mask {
			bits += mathbits.OnesCount8(b)
		}
	}
	ip, ok := netip.AddrFromSlice(append(slices.Clone(data), make([]byte, full-len(data))...))
	if !ok {
		return r.desc
	}
	if bits == full*8 {
		return r.desc + " " + ip.String()
	}
	return r.desc + " " + netip.PrefixFrom(ip, bits).String()
}

func isZero(b []byte) bool { return !slices.ContainsFunc(b, func(c byte) bool { return c != 0 }) }

// cmp turns a comparison into a match.
func (lr *liveRule) cmp(e *expr.Cmp) {
	r := lr.regs[e.Register]
	neg := e.Op == expr.CmpOpNeq
	if e.Op != expr.CmpOpEq && e.Op != expr.CmpOpNeq {
		if r.what == "dport" && len(e.Data) == 2 {
			// dport < N and the like: a range.
			n := binary.BigEndian.Uint16(e.Data)
			var pr portRange
			switch e.Op {
			case expr.CmpOpLt:
				pr = portRange{0, n - 1}
			case expr.CmpOpLte:
				pr = portRange{0, n}
			case expr.CmpOpGt:
				pr = portRange{n + 1, 65535}
			case expr.CmpOpGte:
				pr = portRange{n, 65535}
			}
			lr.add(match{field: fieldDport, ports: []portRange{pr}, text: fmt.Sprintf("th dport op%d %d", e.Op, n)})
			return
		}
		lr.add(match{field: fieldOther, text: r.desc + " comparison"})
		return
	}
	if r.what == "ctstatus" {
		// ct status & BITS != 0: a new direct connection has none.
		if len(r.mask) > 0 && isZero(e.Data) && neg {
			lr.add(match{field: fieldNever, text: "ct status"})
		} else if !(len(r.mask) > 0 && isZero(e.Data)) {
			lr.add(match{field: fieldOther, text: "ct status"})
		}
		return
	}
	if r.what == "addr" {
		text := addrText(r, e.Data)
		if neg {
			text = strings.Replace(text, " ", " != ", 2)
		}
		lr.add(match{field: fieldOther, text: text})
		return
	}
	m, ok := lr.valueMatch(r, e.Data)
	if !ok {
		lr.add(match{field: fieldOther, neg: neg, text: r.desc})
		return
	}
	if r.what == "ctstate" {
		// ct state & MASK != 0: one of the masked states.
		neg = !neg
	}
	m.neg = neg
	if neg {
		m.text = strings.Replace(m.text, " ", " != ", 1)
	}
	if r.what == "nfproto" && !neg && len(m.names) == 1 {
		lr.v6 = map[string]int{"ipv4": 4, "ipv6": 6}[m.names[0]]
	}
	if r.what == "pkttype" {
		// unicast (0) to this host: a connection's packets are.
		if (len(e.Data) == 1 && e.Data[0] == 0) == neg {
			lr.add(match{field: fieldNever, text: "meta pkttype"})
		}
		return
	}
	lr.add(m)
}

// valueMatch reads a register's comparison value.
func (lr *liveRule) valueMatch(r reg, data []byte) (match, bool) {
	switch r.what {
	case "dport":
		if len(data) != 2 {
			return match{}, false
		}
		n := binary.BigEndian.Uint16(data)
		return match{field: fieldDport, ports: []portRange{{n, n}}, text: fmt.Sprintf("th dport %d", n)}, true
	case "l4proto":
		if len(data) != 1 {
			return match{}, false
		}
		name := l4Name(data[0])
		return match{field: fieldL4Proto, names: []string{name}, text: "meta l4proto " + name}, true
	case "nfproto":
		if len(data) != 1 {
			return match{}, false
		}
		name := map[byte]string{2: "ipv4", 10: "ipv6"}[data[0]]
		if name == "" {
			name = fmt.Sprint(data[0])
		}
		return match{field: fieldNFProto, names: []string{name}, text: "meta nfproto " + name}, true
	case "iifname":
		// A name without its NUL is a prefix match (iifname "eth*").
		name := string(bytes.TrimRight(data, "\x00"))
		if !bytes.Contains(data, []byte{0}) {
			name += "*"
		}
		return match{field: fieldIIF, names: []string{name}, text: fmt.Sprintf("iifname %q", name)}, true
	case "iif":
		if len(data) != 4 {
			return match{}, false
		}
		idx := binary.NativeEndian.Uint32(data)
		name, ok := lr.k.Interfaces[idx]
		if !ok {
			return match{}, false
		}
		return match{field: fieldIIF, names: []string{name}, text: fmt.Sprintf("iif %q", name)}, true
	case "ctstate":
		if len(data) != 4 || !isZero(data) || len(r.mask) != 4 {
			return match{}, false
		}
		names := ctStateNames(binary.NativeEndian.Uint32(r.mask))
		return match{field: fieldCtState, names: names, text: "ct state " + strings.Join(names, ",")}, true
	case "pkttype":
		return match{text: "meta pkttype"}, true
	}
	return match{}, false
}

func l4Name(b byte) string {
	switch b {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 1:
		return "icmp"
	case 58:
		return "ipv6-icmp"
	}
	return fmt.Sprint(b)
}

func (lr *liveRule) rangeMatch(e *expr.Range) {
	r := lr.regs[e.Register]
	if r.what != "dport" || len(e.FromData) != 2 || len(e.ToData) != 2 {
		lr.add(match{field: fieldOther, text: r.desc + " range"})
		return
	}
	lo, hi := binary.BigEndian.Uint16(e.FromData), binary.BigEndian.Uint16(e.ToData)
	lr.add(match{field: fieldDport, neg: e.Op == expr.CmpOpNeq, ports: []portRange{{lo, hi}}, text: fmt.Sprintf("th dport %d-%d", lo, hi)})
}

// lookup turns a set lookup into a match, or a verdict map into one rule
// per element (then it returns false: the rule is complete).
func (lr *liveRule) lookup(e *expr.Lookup, out *rule) bool {
	r := lr.regs[e.SourceRegister]
	s, ok := lr.k.Sets[host.NftSetKey{Family: lr.table.Family, Table: lr.table.Name, Set: e.SetName}]
	if ok && r.what == "ctstate" && len(r.mask) == 0 && !s.Set.IsMap && !s.Set.Dynamic {
		// ct state { established, related }: a set of state bits.
		m := match{field: fieldCtState, neg: e.Invert, text: "ct state @" + e.SetName}
		for _, el := range s.Elements {
			if len(el.Key) != 4 {
				lr.add(match{field: fieldOther, neg: e.Invert, text: m.text})
				return true
			}
			m.names = append(m.names, ctStateNames(binary.NativeEndian.Uint32(el.Key))...)
		}
		lr.add(m)
		return true
	}
	if !ok || s.Set.Dynamic || s.Set.HasTimeout || (r.what != "dport" && r.what != "l4proto" && r.what != "iifname") {
		lr.add(match{field: fieldOther, neg: e.Invert, text: r.desc + " @" + e.SetName})
		return true
	}
	if s.Set.IsMap && e.IsDestRegSet && e.DestRegister == 0 {
		// A verdict map: one rule per element.
		for _, el := range s.Elements {
			if el.IntervalEnd {
				continue
			}
			vd := el.VerdictData
			if vd == nil {
				var ok bool
				if vd, ok = verdictAttr(el.Val); !ok {
					lr.add(match{field: fieldOther, text: r.desc + " vmap"})
					return true
				}
			}
			m, ok := lr.valueMatch(r, el.Key)
			if !ok {
				lr.add(match{field: fieldOther, text: r.desc + " vmap"})
				return true
			}
			v, target := liveVerdict(vd)
			ms := append(slices.Clone(lr.matches), m)
			lr.vmap = append(lr.vmap, rule{matches: ms, verdict: v, target: target, where: out.where,
				text: strings.Join(append(slices.Clone(lr.texts), m.text, v.String()), " ")})
		}
		return false
	}
	m := match{field: fieldOther, neg: e.Invert}
	if s.Set.Interval && r.what == "dport" {
		m = match{field: fieldDport, neg: e.Invert, ports: intervals(s.Elements)}
	} else {
		for _, el := range s.Elements {
			v, ok := lr.valueMatch(r, el.Key)
			if !ok {
				lr.add(match{field: fieldOther, neg: e.Invert, text: r.desc + " @" + e.SetName})
				return true
			}
			m.field = v.field
			m.ports = append(m.ports, v.ports...)
			m.names = append(m.names, v.names...)
		}
		if len(s.Elements) == 0 {
			m.field = fieldNever // an empty set matches nothing
			if e.Invert {
				return true
			}
		}
	}
	m.text = r.desc + " @" + e.SetName
	lr.add(m)
	return true
}

// intervals reads an interval set of ports: each range is a start element
// and an end element (flagged) holding the port after the range.
func intervals(els []nftables.SetElement) []portRange {
	type edge struct {
		port uint32
		end  bool
	}
	var edges []edge
	for _, el := range els {
		if len(el.Key) != 2 {
			continue
		}
		edges = append(edges, edge{uint32(binary.BigEndian.Uint16(el.Key)), el.IntervalEnd})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if a.port != b.port {
			return int(a.port) - int(b.port)
		}
		// An end and a start on one port: the end closes the earlier range.
		if a.end == b.end {
			return 0
		} else if a.end {
			return -1
		}
		return 1
	})
	var out []portRange
	for i, e := range edges {
		if e.end {
			continue
		}
		hi := uint32(65535)
		if i+1 < len(edges) {
			hi = edges[i+1].port - 1
		}
		out = append(out, portRange{uint16(e.port), uint16(hi)})
	}
	return out
}

func liveVerdict(v *expr.Verdict) (verdict, string) {
	switch v.Kind {
	case expr.VerdictAccept:
		return vAccept, ""
	case expr.VerdictDrop:
		return vDrop, ""
	case expr.VerdictJump:
		return vJump, v.Chain
	case expr.VerdictGoto:
		return vGoto, v.Chain
	case expr.VerdictReturn:
		return vReturn, ""
	case expr.VerdictContinue:
		return vContinue, ""
	}
	return vUnknown, ""
}

// verdictAttr decodes a verdict map element's data as the kernel sends
// it: netlink attributes NFTA_VERDICT_CODE (big-endian int32) and, for
// jump and goto, NFTA_VERDICT_CHAIN.
func verdictAttr(b []byte) (*expr.Verdict, bool) {
	v := &expr.Verdict{}
	code := false
	for len(b) >= 4 {
		n := int(binary.NativeEndian.Uint16(b))
		typ := binary.NativeEndian.Uint16(b[2:]) & 0x3fff
		if n < 4 || n > len(b) {
			return nil, false
		}
		data := b[4:n]
		switch typ {
		case 1: // NFTA_VERDICT_CODE
			if len(data) != 4 {
				return nil, false
			}
			v.Kind, code = expr.VerdictKind(int32(binary.BigEndian.Uint32(data))), true
		case 2: // NFTA_VERDICT_CHAIN
			v.Chain = string(bytes.TrimRight(data, "\x00"))
		}
		b = b[min(len(b), (n+3)&^3):]
	}
	return v, code
}

// otherText names an expression golive does not evaluate; iptables-nft's
// compatibility expressions say so ("xt "), which the check reports as
// unjudged rather than as depending on the client.
func otherText(e expr.Any) string {
	switch e := e.(type) {
	case *expr.Match:
		return "xt match " + e.Name
	case *expr.Target:
		return "xt target " + e.Name
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", e), "*expr.")
}

// ctStateNames names the conntrack state bits set in bits.
func ctStateNames(bits uint32) []string {
	var names []string
	for _, s := range []struct {
		bit  uint32
		name string
	}{{expr.CtStateBitINVALID, "invalid"}, {expr.CtStateBitESTABLISHED, "established"}, {expr.CtStateBitRELATED, "related"},
		{expr.CtStateBitNEW, "new"}, {expr.CtStateBitUNTRACKED, "untracked"}} {
		if bits&s.bit != 0 {
			names = append(names, s.name)
		}
	}
	return names
}
