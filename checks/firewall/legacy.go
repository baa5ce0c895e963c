package firewall

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/golive-sh/golive/internal/host"
)

// iptables-legacy tables (x_tables) as the kernel gives them to
// iptables-legacy-save: a blob of entries (struct ipt_entry / ip6t_entry,
// linux/netfilter_ipv4/ip_tables.h and netfilter_ipv6/ip6_tables.h), each
// with its matches and a target. CentOS 7's firewalld and iptables-services
// load theirs here. They are read into the family's model beside the
// nftables ruleset (a packet crosses both).

// entryLayout is where the fields of an entry are, for one family.
type entryLayout struct {
	iniface, inifaceMask int
	proto, flags, inv    int
	src, dst, addrLen    int
	smsk, dmsk           int
	targetOff, nextOff   int
	elems                int // where the matches start
	flagGoto             byte
}

var (
	layout4 = entryLayout{src: 0, dst: 4, smsk: 8, dmsk: 12, addrLen: 4, iniface: 16, inifaceMask: 48,
		proto: 80, flags: 82, inv: 83, targetOff: 88, nextOff: 90, elems: 112, flagGoto: 0x02}
	layout6 = entryLayout{src: 0, dst: 16, smsk: 32, dmsk: 48, addrLen: 16, iniface: 64, inifaceMask: 96,
		proto: 128, flags: 131, inv: 132, targetOff: 140, nextOff: 142, elems: 168, flagGoto: 0x04}
)

// The invflags bits shared by both families.
const (
	invViaIn = 0x01
	invSrcIP = 0x08
	invDstIP = 0x10
	invProto = 0x40
)

var hookChains = [5]string{"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}

type legacyEntry struct {
	off, next int
	rule      rule
	errorName string // an ERROR target: a user chain's head (its name)
	jumpOff   int    // a standard target's jump, or -1
}

// fromLegacy adds a legacy table to rs (table names "legacy NAME").
func fromLegacy(rs *ruleset, t host.LegacyTable) error {
	lay, fam := layout4, "ip"
	if t.V6 {
		lay, fam = layout6, "ip6"
	}
	table := "legacy " + t.Name
	var entries []legacyEntry
	byOff := map[int]int{}
	b := t.Entries
	for off := 0; off < len(b); {
		if off+lay.elems > len(b) {
			return fmt.Errorf("iptables-legacy %s: an entry cut at byte %d", t.Name, off)
		}
		e := b[off:]
		tOff := int(binary.NativeEndian.Uint16(e[lay.targetOff:]))
		next := int(binary.NativeEndian.Uint16(e[lay.nextOff:]))
		if next < lay.elems || off+next > len(b) || tOff < lay.elems || tOff+32 > next {
			return fmt.Errorf("iptables-legacy %s: a malformed entry at byte %d", t.Name, off)
		}
		le := parseLegacyEntry(e[:next], lay, tOff)
		le.off, le.next = off, next
		byOff[off] = len(entries)
		entries = append(entries, le)
		off += next
	}
	// Chains: each built-in from its hook entry to its underflow (the
	// policy), each user chain from its ERROR head to its closing RETURN.
	starts := map[int]string{}
	for h := range 5 {
		if t.ValidHooks&(1<<h) == 0 {
			continue
		}
		starts[int(t.HookEntry[h])] = hookChains[h]
	}
	for i, e := range entries {
		if e.errorName != "" && e.errorName != "ERROR" && i+1 < len(entries) {
			starts[entries[i+1].off] = e.errorName
		}
	}
	for h := range 5 {
		if t.ValidHooks&(1<<h) == 0 {
			continue
		}
		c := rs.chain(fam, table, hookChains[h])
		c.where = "iptables-legacy " + t.Name + " " + hookChains[h]
		if hk, ok := builtinHooks[t.Name+" "+hookChains[h]]; ok {
			c.hook, c.priority = hk.hook, hk.priority
		}
		i, ok := byOff[int(t.HookEntry[h])]
		end, ok2 := byOff[int(t.Underflow[h])]
		if !ok || !ok2 || end < i {
			return fmt.Errorf("iptables-legacy %s: chain %s's bounds are not entries", t.Name, hookChains[h])
		}
		c.policy = entries[end].rule.verdict
		if c.policy != vDrop {
			c.policy = vAccept
		}
		c.rules = legacyRules(entries[i:end], starts)
	}
	for i, e := range entries {
		if e.errorName == "" || e.errorName == "ERROR" {
			continue
		}
		c := rs.chain(fam, table, e.errorName)
		c.where = "iptables-legacy " + t.Name + " " + e.errorName
		j := i + 1
		for j < len(entries) && entries[j].errorName == "" {
			j++
		}
		// The chain's last entry is its implicit RETURN.
		c.rules = legacyRules(entries[i+1:max(i+1, j-1)], starts)
	}
	return nil
}

func legacyRules(es []legacyEntry, starts map[int]string) []rule {
	out := make([]rule, 0, len(es))
	for _, e := range es {
		r := e.rule
		if e.jumpOff >= 0 {
			name, ok := starts[e.jumpOff]
			if !ok {
				r.verdict = vUnknown
			} else {
				r.target = name
			}
		}
		out = append(out, r)
	}
	return out
}

// parseLegacyEntry reads an entry's header, matches and target.
func parseLegacyEntry(e []byte, lay entryLayout, tOff int) legacyEntry {
	le := legacyEntry{jumpOff: -1}
	r := &le.rule
	inv := e[lay.inv]
	var texts []string
	add := func(m match) {
		r.matches = append(r.matches, m)
		texts = append(texts, m.text)
	}
	// Addresses: any mask but zero depends on the client.
	for _, a := range []struct {
		name      string
		addr, msk int
		inv       byte
	}{{"-s", lay.src, lay.smsk, invSrcIP}, {"-d", lay.dst, lay.dmsk, invDstIP}} {
		mask := e[a.msk : a.msk+lay.addrLen]
		if !isZero(mask) || inv&a.inv != 0 {
			ip, _ := netip.AddrFromSlice(e[a.addr : a.addr+lay.addrLen])
			add(match{field: fieldOther, text: a.name + " " + ip.String()})
		}
	}
	if name := cString(e[lay.iniface : lay.iniface+16]); name != "" {
		// The mask covers the name and its NUL for an exact name; for
		// eth+ it stops before the +.
		mask := e[lay.inifaceMask : lay.inifaceMask+16]
		n := bytes.IndexByte(mask, 0)
		if n < 0 {
			n = 16
		}
		if n <= len(name) {
			name = name[:n] + "*"
		}
		add(match{field: fieldIIF, neg: inv&invViaIn != 0, names: []string{name}, text: "-i " + name})
	}
	proto := binary.NativeEndian.Uint16(e[lay.proto:])
	if proto != 0 {
		add(match{field: fieldL4Proto, neg: inv&invProto != 0, names: []string{l4Name(byte(proto))}, text: "-p " + l4Name(byte(proto))})
	}
	for off := lay.elems; off+32 <= tOff; {
		size := int(binary.NativeEndian.Uint16(e[off:]))
		if size < 32 || off+size > tOff {
			add(match{field: fieldOther, text: "a malformed match"})
			break
		}
		name := cString(e[off+2 : off+31])
		rev := e[off+31]
		for _, m := range legacyMatch(name, rev, e[off+32:off+size]) {
			add(m)
		}
		off += size
	}
	tsize := int(binary.NativeEndian.Uint16(e[tOff:]))
	tname := cString(e[tOff+2 : tOff+31])
	data := e[tOff+32 : min(len(e), tOff+max(tsize, 32))]
	switch tname {
	case "":
		if len(data) < 4 {
			r.verdict = vUnknown
			break
		}
		v := int32(binary.NativeEndian.Uint32(data))
		switch {
		case v >= 0:
			le.jumpOff, r.verdict = int(v), vJump
			if e[lay.flags]&lay.flagGoto != 0 {
				r.verdict = vGoto
			}
		case v == -1:
			r.verdict = vDrop
		case v == -2:
			r.verdict = vAccept
		case v == -5: // XT_RETURN
			r.verdict = vReturn
		default:
			r.verdict = vUnknown
		}
	case "ERROR":
		le.errorName = cString(data)
	case "REJECT":
		r.verdict = vReject
	case "LOG", "NFLOG", "ULOG", "MARK", "CONNMARK", "CT", "NOTRACK", "TRACE", "AUDIT", "CLASSIFY", "DSCP", "TOS":
		r.verdict = vContinue
	default:
		r.verdict = vUnknown
	}
	texts = append(texts, "-j "+map[bool]string{true: tname, false: r.verdict.String()}[tname != ""])
	r.text = fmt.Sprint(texts)
	return le
}

// legacyMatch reads the matches golive knows; any other is "depends".
func legacyMatch(name string, rev byte, d []byte) []match {
	ne := binary.NativeEndian
	other := []match{{field: fieldOther, text: "-m " + name}}
	switch name {
	case "tcp", "udp":
		if len(d) < 9 {
			return other
		}
		spLo, spHi, dpLo, dpHi := ne.Uint16(d[0:]), ne.Uint16(d[2:]), ne.Uint16(d[4:]), ne.Uint16(d[6:])
		var out []match
		const invDst = 0x02
		invIdx := 8 // xt_udp's invflags; xt_tcp's is after option and flags
		if name == "tcp" {
			invIdx = 11
			if len(d) < 12 {
				return other
			}
		}
		inv := d[invIdx]
		if spLo != 0 || spHi != 0xffff || inv&0x01 != 0 {
			out = append(out, match{field: fieldOther, text: "--sport"})
		}
		if dpLo != 0 || dpHi != 0xffff || inv&invDst != 0 {
			out = append(out, match{field: fieldDport, neg: inv&invDst != 0, ports: []portRange{{dpLo, dpHi}}, text: fmt.Sprintf("--dport %d:%d", dpLo, dpHi)})
		}
		if name == "tcp" {
			option, flgMask, flgCmp := d[8], d[9], d[10]
			switch {
			case flgMask == 0:
			case flgMask == 0x17 && flgCmp == 0x02: // --syn: SYN,RST,ACK,FIN SYN
				out = append(out, match{field: fieldSyn, neg: inv&0x04 != 0, text: "--syn"})
			default:
				out = append(out, match{field: fieldOther, text: "--tcp-flags"})
			}
			if option != 0 {
				out = append(out, match{field: fieldOther, text: "--tcp-option"})
			}
		}
		return out
	case "multiport":
		// xt_multiport (rev 0) and xt_multiport_v1: flags, count, ports[15],
		// then (v1) pflags[15] (a range starts there) and invert.
		if len(d) < 32 {
			return other
		}
		flags, count := d[0], int(min(d[1], 15))
		if flags != 1 { // source or either: depends
			return other
		}
		m := match{field: fieldDport, text: "-m multiport --dports"}
		for i := 0; i < count; i++ {
			p := ne.Uint16(d[2+2*i:])
			if rev >= 1 && len(d) >= 48 && d[32+i] != 0 && i+1 < count {
				m.ports = append(m.ports, portRange{p, ne.Uint16(d[2+2*(i+1):])})
				i++
				continue
			}
			m.ports = append(m.ports, portRange{p, p})
		}
		if rev >= 1 && len(d) >= 48 {
			m.neg = d[47] != 0
		}
		return []match{m}
	case "state":
		if len(d) < 4 {
			return other
		}
		return []match{{field: fieldCtState, names: ctStateNames(ne.Uint32(d)), text: "-m state"}}
	case "conntrack":
		// xt_conntrack_mtinfo1 (rev 1: -m state is this) has u8 match_flags,
		// invert_flags and state_mask at 146; mtinfo2 and 3 have u16s at 146,
		// 148 and 150. Only a state match is read.
		var flags, invert, states uint16
		switch {
		case rev == 1 && len(d) >= 150:
			flags, invert, states = uint16(d[146]), uint16(d[147]), uint16(d[148])
		case (rev == 2 || rev == 3) && len(d) >= 154:
			flags, invert, states = ne.Uint16(d[146:]), ne.Uint16(d[148:]), ne.Uint16(d[150:])
		default:
			return other
		}
		// XT_CONNTRACK_STATE alone; -m state adds XT_CONNTRACK_STATE_ALIAS (1<<13).
		if flags&^(1<<13) != 1 {
			return other
		}
		return []match{{field: fieldCtState, neg: invert&1 != 0, names: ctStateNames(uint32(states)), text: "-m conntrack --ctstate"}}
	case "comment":
		return nil
	}
	return other
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return string(b[:i])
	}
	return string(b)
}
