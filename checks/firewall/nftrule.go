package firewall

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

var errUnknown = errors.New("not understood")

// rules turns one rule statement into rules. A verdict map (`tcp dport
// vmap { 22 : accept, 80 : drop }`) becomes one rule per element, which is
// the same thing: a packet matches at most one element.
func (p *nftParser) rules(file, table string, ts []token, line int) []rule {
	where := fmt.Sprintf("%s:%d", file, line)
	text := words(ts)
	ts = p.expand(ts)
	rp := &ruleParser{p: p, table: table, ts: ts}
	out, err := rp.parse()
	if err != nil {
		// What golive does not understand depends on things it cannot
		// judge: keep the rule's verdict, judged "depends".
		p.unparsed++
		v, target := verdictScan(ts)
		return []rule{{matches: []match{{field: fieldOther, text: text}}, verdict: v, target: target, where: where, text: text}}
	}
	for i := range out {
		out[i].where, out[i].text = where, text
	}
	return out
}

// expand replaces $NAME with its define, inside sets without its braces.
func (p *nftParser) expand(ts []token) []token {
	if len(p.defines) == 0 || !slices.ContainsFunc(ts, func(t token) bool { return strings.HasPrefix(t.text, "$") }) {
		return ts
	}
	for range 8 {
		var out []token
		changed := false
		depth := 0
		for _, t := range ts {
			switch t.kind {
			case tokLBrace:
				depth++
			case tokRBrace:
				depth--
			}
			if d, ok := p.defines[strings.TrimPrefix(t.text, "$")]; ok && t.kind == tokWord && strings.HasPrefix(t.text, "$") {
				changed = true
				if depth > 0 {
					d = inner(d)
				}
				out = append(out, d...)
				continue
			}
			out = append(out, t)
		}
		ts = out
		if !changed {
			break
		}
	}
	return ts
}

// verdictScan finds a rule's verdict among its top-level words.
func verdictScan(ts []token) (verdict, string) {
	depth := 0
	for i, t := range ts {
		switch t.kind {
		case tokLBrace:
			depth++
		case tokRBrace:
			depth--
		}
		if depth != 0 || t.kind != tokWord {
			continue
		}
		switch t.text {
		case "accept":
			return vAccept, ""
		case "drop":
			return vDrop, ""
		case "reject":
			return vReject, ""
		case "return":
			return vReturn, ""
		case "queue":
			return vUnknown, ""
		case "jump", "goto":
			if i+1 < len(ts) {
				v := vJump
				if t.text == "goto" {
					v = vGoto
				}
				return v, ts[i+1].text
			}
		}
	}
	return vContinue, ""
}

type ruleParser struct {
	p       *nftParser
	table   string
	ts      []token
	i       int
	matches []match
	vmap    []vmapEntry
	r       rule
}

type vmapEntry struct {
	key     string
	verdict verdict
	target  string
}

func (rp *ruleParser) more() bool { return rp.i < len(rp.ts) }
func (rp *ruleParser) peek() string {
	if rp.more() {
		return rp.ts[rp.i].text
	}
	return ""
}
func (rp *ruleParser) next() string { s := rp.peek(); rp.i++; return s }

func (rp *ruleParser) add(m match) { rp.matches = append(rp.matches, m) }

func (rp *ruleParser) parse() ([]rule, error) {
	var vmapField field
	for rp.more() {
		start := rp.i
		w := rp.next()
		switch w {
		case "tcp", "udp", "th":
			key := rp.next()
			if w != "th" {
				rp.add(match{field: fieldL4Proto, names: []string{w}, text: w})
			}
			if key != "dport" {
				if key == "sport" {
					if _, err := rp.value(fieldOther); err != nil {
						return nil, err
					}
					rp.add(match{field: fieldOther, text: rp.text(start)})
					continue
				}
				return nil, errUnknown
			}
			if rp.peek() == "vmap" {
				vmapField = fieldDport
				if err := rp.vmapValue(); err != nil {
					return nil, err
				}
				continue
			}
			m, err := rp.value(fieldDport)
			if err != nil {
				return nil, err
			}
			m.text = rp.text(start)
			rp.add(m)
		case "meta":
			if err := rp.metaKey(start, rp.next()); err != nil {
				return nil, err
			}
		case "iif", "iifname", "oif", "oifname", "mark", "pkttype", "nfproto", "l4proto", "skuid", "skgid":
			if err := rp.metaKey(start, w); err != nil {
				return nil, err
			}
		case "ip", "ip6":
			proto := map[string]string{"ip": "ipv4", "ip6": "ipv6"}[w]
			rp.add(match{field: fieldNFProto, names: []string{proto}, text: w})
			key := rp.next()
			if (w == "ip" && key == "protocol") || (w == "ip6" && key == "nexthdr") {
				if rp.peek() == "vmap" {
					vmapField = fieldL4Proto
					if err := rp.vmapValue(); err != nil {
						return nil, err
					}
					continue
				}
				m, err := rp.value(fieldL4Proto)
				if err != nil {
					return nil, err
				}
				m.text = rp.text(start)
				rp.add(m)
				continue
			}
			if key == "" {
				return nil, errUnknown
			}
			if _, err := rp.value(fieldOther); err != nil {
				return nil, err
			}
			rp.add(match{field: fieldOther, text: rp.text(start)})
		case "ct":
			key := rp.next()
			if key == "state" {
				m, err := rp.value(fieldCtState)
				if err != nil {
					return nil, err
				}
				m.text = rp.text(start)
				rp.add(m)
				continue
			}
			if rp.peek() == "set" {
				rp.i += 2 // ct mark set X: a statement
				continue
			}
			if key == "status" {
				// A connection made straight to the host's address has no
				// NAT, expectation or confirmed status bits when it is new.
				m, err := rp.value(fieldOther)
				if err != nil {
					return nil, err
				}
				if !m.neg {
					rp.add(match{field: fieldNever, text: rp.text(start)})
				}
				continue
			}
			if _, err := rp.value(fieldOther); err != nil {
				return nil, err
			}
			rp.add(match{field: fieldOther, text: rp.text(start)})
		case "icmp", "icmpv6", "igmp":
			// Implies its protocol: never a TCP or UDP packet.
			rp.next()
			if _, err := rp.value(fieldOther); err != nil {
				return nil, err
			}
			rp.add(match{field: fieldNever, text: rp.text(start)})
		case "fib":
			for rp.more() && !isStatementWord(rp.peek()) {
				rp.i++
			}
			rp.add(match{field: fieldOther, text: rp.text(start)})
		case "limit":
			if err := rp.limit(); err != nil {
				return nil, err
			}
			rp.add(match{field: fieldOther, text: rp.text(start)})
		case "counter":
			for rp.peek() == "packets" || rp.peek() == "bytes" || rp.peek() == "name" {
				rp.i += 2
			}
		case "log":
			rp.logOptions()
		case "comment":
			rp.i++
		case "notrack":
		case "accept", "drop", "reject", "return", "queue", "continue", "jump", "goto":
			rp.r.verdict, rp.r.target = verdictScan(rp.ts[start:])
			if w == "continue" {
				rp.r.verdict = vContinue
			}
			if w == "jump" || w == "goto" {
				rp.i++
			}
			if w == "reject" || w == "queue" {
				rp.i = len(rp.ts) // reject with ..., queue num ...: the rest is its options
			}
		default:
			return nil, errUnknown
		}
	}
	if rp.vmap == nil {
		rp.r.matches = rp.matches
		return []rule{rp.r}, nil
	}
	out := make([]rule, 0, len(rp.vmap))
	for _, e := range rp.vmap {
		m, err := rp.element(vmapField, []string{e.key})
		if err != nil {
			return nil, err
		}
		ms := append(append([]match(nil), rp.matches...), m)
		out = append(out, rule{matches: ms, verdict: e.verdict, target: e.target})
	}
	return out, nil
}

// logOptions consumes log's options.
func (rp *ruleParser) logOptions() {
	for rp.more() {
		switch rp.peek() {
		case "prefix", "level", "group", "snaplen", "queue-threshold":
			rp.i += 2
		case "flags":
			rp.i += 2
			for rp.peek() == "," {
				rp.i += 2
			}
		default:
			return
		}
	}
}

func isStatementWord(w string) bool {
	switch w {
	case "accept", "drop", "reject", "return", "queue", "continue", "jump", "goto", "counter", "log", "comment", "limit":
		return true
	}
	return false
}

func (rp *ruleParser) text(start int) string {
	rp.i = min(rp.i, len(rp.ts))
	return words(rp.ts[min(start, rp.i):rp.i])
}

// metaKey reads a meta expression's key and value.
func (rp *ruleParser) metaKey(start int, key string) error {
	if rp.peek() == "set" {
		rp.i += 2 // meta mark set X, meta nftrace set 1: statements
		return nil
	}
	switch key {
	case "l4proto":
		if rp.peek() == "vmap" {
			return errUnknown
		}
		m, err := rp.value(fieldL4Proto)
		m.text = rp.text(start)
		rp.add(m)
		return err
	case "nfproto":
		m, err := rp.value(fieldNFProto)
		m.text = rp.text(start)
		rp.add(m)
		return err
	case "iif", "iifname":
		m, err := rp.value(fieldIIF)
		m.text = rp.text(start)
		rp.add(m)
		return err
	case "pkttype":
		m, err := rp.value(fieldOther)
		if err != nil {
			return err
		}
		// A connection to a local address is unicast (pkttype host).
		hit := false
		for _, n := range m.names {
			hit = hit || n == "host" || n == "unicast"
		}
		if hit != m.neg {
			return nil
		}
		rp.add(match{field: fieldNever, text: rp.text(start)})
		return nil
	case "":
		return errUnknown
	}
	if _, err := rp.value(fieldOther); err != nil {
		return err
	}
	rp.add(match{field: fieldOther, text: rp.text(start)})
	return nil
}

// limit consumes `limit rate [over] N/UNIT [burst N UNIT]`.
func (rp *ruleParser) limit() error {
	if rp.next() != "rate" {
		return errUnknown
	}
	if rp.peek() == "over" {
		rp.i++
	}
	if !rp.more() {
		return errUnknown
	}
	rp.i++
	if rp.peek() == "/" { // "10 / second"
		rp.i += 2
	}
	if rp.peek() == "burst" {
		rp.i += 2
		if rp.peek() == "packets" || rp.peek() == "bytes" {
			rp.i++
		}
	}
	return nil
}

// value reads `[!=|==] V`, `{ V, ... }`, `V,V,...` (ct state) or @set.
func (rp *ruleParser) value(f field) (match, error) {
	neg := false
	switch rp.peek() {
	case "!=":
		neg = true
		rp.i++
	case "==", "eq":
		rp.i++
	case "ne":
		neg = true
		rp.i++
	case "":
		return match{}, errUnknown
	}
	t := rp.ts[min(rp.i, len(rp.ts)-1)]
	var elems []string
	switch {
	case t.kind == tokLBrace:
		end := closing(rp.ts, rp.i)
		if end < 0 {
			return match{}, errUnknown
		}
		var cur strings.Builder
		for _, e := range rp.ts[rp.i+1 : end] {
			switch e.kind {
			case tokComma:
				if cur.Len() > 0 {
					elems = append(elems, cur.String())
				}
				cur.Reset()
			case tokLBrace, tokRBrace, tokEnd:
			default:
				cur.WriteString(e.text)
			}
		}
		if cur.Len() > 0 {
			elems = append(elems, cur.String())
		}
		rp.i = end + 1
	case strings.HasPrefix(t.text, "@") && t.kind == tokWord:
		rp.i++
		if f == fieldOther {
			return match{field: f, neg: neg}, nil
		}
		// Resolved when every set is read (resolveSets).
		return match{field: f, neg: neg, setKey: rp.table + " " + t.text[1:]}, nil
	default:
		elems = append(elems, t.text)
		rp.i++
		// Joined by a range dash or commas (ct state established,related).
		for rp.peek() == "," || rp.peek() == "-" {
			sep := rp.next()
			if !rp.more() {
				return match{}, errUnknown
			}
			if sep == "-" {
				elems[len(elems)-1] += "-" + rp.next()
			} else {
				elems = append(elems, rp.next())
			}
		}
	}
	m, err := rp.element(f, elems)
	m.neg = neg
	return m, err
}

// element converts the words of a value to a match of field f.
func (rp *ruleParser) element(f field, elems []string) (match, error) {
	m := match{field: f}
	switch f {
	case fieldOther:
		m.names = elems
	case fieldDport:
		for _, e := range elems {
			r, ok := rp.p.portRange(e)
			if !ok {
				return m, errUnknown
			}
			m.ports = append(m.ports, r)
		}
	case fieldL4Proto:
		for _, e := range elems {
			m.names = append(m.names, protoName(e))
		}
	case fieldIIF, fieldNFProto, fieldCtState:
		m.names = elems
	}
	return m, nil
}

func protoName(s string) string {
	switch s {
	case "6":
		return "tcp"
	case "17":
		return "udp"
	}
	return s
}

// vmapValue reads `vmap { KEY : VERDICT, ... }`.
func (rp *ruleParser) vmapValue() error {
	rp.i++ // vmap
	if !rp.more() || rp.ts[rp.i].kind != tokLBrace {
		return errUnknown
	}
	end := closing(rp.ts, rp.i)
	if end < 0 {
		return errUnknown
	}
	var cur []string
	flush := func() error {
		if len(cur) == 0 {
			return nil
		}
		joined := strings.Join(cur, " ")
		k, v, ok := strings.Cut(joined, ":")
		if !ok {
			return errUnknown
		}
		vt := strings.Fields(v)
		e := vmapEntry{key: strings.ReplaceAll(strings.TrimSpace(k), " ", "")}
		if len(vt) == 0 {
			return errUnknown
		}
		toks := make([]token, len(vt))
		for i, w := range vt {
			toks[i] = token{text: w}
		}
		e.verdict, e.target = verdictScan(toks)
		rp.vmap = append(rp.vmap, e)
		cur = nil
		return nil
	}
	for _, t := range rp.ts[rp.i+1 : end] {
		if t.kind == tokComma {
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		if t.kind == tokWord {
			cur = append(cur, t.text)
		}
	}
	rp.i = end + 1
	return flush()
}

// portRange reads a port, a service name or LO-HI.
func (p *nftParser) portRange(s string) (portRange, bool) {
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		a, ok1 := p.port(lo)
		b, ok2 := p.port(hi)
		if ok1 && ok2 && a <= b {
			return portRange{a, b}, true
		}
	}
	n, ok := p.port(s)
	return portRange{n, n}, ok
}

func (p *nftParser) port(s string) (uint16, bool) {
	if n, err := strconv.ParseUint(s, 10, 16); err == nil {
		return uint16(n), true
	}
	n, ok := serviceNames[s]
	return n, ok
}

// serviceNames are the names nft resolves through /etc/services that
// rulesets use; an unknown name makes the rule "depends".
var serviceNames = map[string]uint16{
	"ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "http": 80, "pop3": 110, "ntp": 123, "imap": 143, "snmp": 161,
	"ldap": 389, "https": 443, "smtps": 465, "submission": 587, "ldaps": 636, "imaps": 993, "pop3s": 995,
	"mysql": 3306, "postgresql": 5432, "http-alt": 8080, "bootps": 67, "bootpc": 68, "tftp": 69, "syslog": 514,
	"dhcpv6-client": 546, "dhcpv6-server": 547, "rsync": 873, "openvpn": 1194, "kerberos": 88,
}

// resolveSets fills the @set matches once every set is read: a constant
// set's elements are known; a dynamic one's are not (depends).
func (p *nftParser) resolveSets() {
	for _, c := range p.rs.order {
		for i := range c.rules {
			for j := range c.rules[i].matches {
				m := &c.rules[i].matches[j]
				if m.setKey != "" {
					*m = p.resolve(*m)
				}
			}
		}
	}
}

func (p *nftParser) resolve(ref match) match {
	set, ok := p.sets[ref.setKey]
	if !ok || !set.constant {
		return match{field: fieldOther, neg: ref.neg, text: ref.text}
	}
	var elems []string
	var cur strings.Builder
	for _, t := range append(set.elems, token{kind: tokComma}) {
		if t.kind == tokComma {
			if cur.Len() > 0 {
				elems = append(elems, cur.String())
			}
			cur.Reset()
			continue
		}
		if t.kind == tokWord || t.kind == tokString {
			cur.WriteString(t.text)
		}
	}
	m, err := (&ruleParser{p: p}).element(ref.field, elems)
	if err != nil {
		return match{field: fieldOther, neg: ref.neg, text: ref.text}
	}
	m.neg, m.text = ref.neg, ref.text
	return m
}
