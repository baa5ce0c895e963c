package firewall

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// ufw keeps its state in files (ufw(8), ufw-framework(8)): ENABLED= in
// /etc/ufw/ufw.conf, DEFAULT_INPUT_POLICY= in /etc/default/ufw, and the
// user's rules in /etc/ufw/user.rules (IPv4) and user6.rules (IPv6), each
// rule recorded as a "### tuple ###" comment — the form ufw itself reads
// back to list and delete rules — above its iptables lines.
const (
	ufwConf     = "/etc/ufw/ufw.conf"
	ufwDefaults = "/etc/default/ufw"
	ufwRules4   = "/etc/ufw/user.rules"
	ufwRules6   = "/etc/ufw/user6.rules"
	maxUfwFile  = 4 << 20
)

type ufwTuple struct {
	action    string // allow, deny, reject, limit
	proto     string // tcp, udp, any
	ports     []portRange
	dst, src  string
	sport     string
	direction string // in, out, in_IFACE
	line      int
	file      string
	text      string
}

type ufwState struct {
	enabled     bool
	enabledText string
	policy      string // DROP, REJECT, ACCEPT
	ipv6        bool
	rules4      []ufwTuple
	rules6      []ufwTuple
	errs        []string
}

// parseUfwTuples reads the tuples of a user.rules file. A tuple is
// `ACTION PROTO DPORT DST SPORT SRC [DAPP SAPP] DIRECTION`.
func parseUfwTuples(file string, data []byte) ([]ufwTuple, []string) {
	var out []ufwTuple
	var errs []string
	for i, l := range strings.Split(string(data), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(l), "### tuple ###")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 7 && len(f) != 9 {
			errs = append(errs, fmt.Sprintf("%s:%d: a tuple of %d fields (ufw writes 7 or 9)", file, i+1, len(f)))
			continue
		}
		t := ufwTuple{action: f[0], proto: f[1], dst: f[3], sport: f[4], src: f[5], direction: f[len(f)-1], line: i + 1, file: file, text: strings.TrimSpace(rest)}
		if f[2] != "any" {
			for _, p := range strings.Split(f[2], ",") {
				lo, hi, isRange := strings.Cut(p, ":")
				a, err1 := strconv.ParseUint(lo, 10, 16)
				b := a
				var err2 error
				if isRange {
					b, err2 = strconv.ParseUint(hi, 10, 16)
				}
				if err1 != nil || err2 != nil || b < a {
					errs = append(errs, fmt.Sprintf("%s:%d: port %q is not a port or LOW:HIGH", file, i+1, p))
					t.action = "" // never judged
					break
				}
				t.ports = append(t.ports, portRange{uint16(a), uint16(b)})
			}
		}
		if t.action != "" {
			out = append(out, t)
		}
	}
	return out, errs
}

// shellValue reads KEY=value or KEY="value" lines of a shell-style file.
func shellValue(data []byte, key string) (string, int) {
	val, line := "", 0
	for i, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), key+"="); ok {
			val, line = strings.Trim(strings.TrimSpace(v), `"'`), i+1
		}
	}
	return val, line
}

func readUfw(h *host.Host) *ufwState {
	st := &ufwState{policy: "DROP", ipv6: true}
	read := func(name string) []byte {
		data, err := h.ReadFileLimit(name, maxUfwFile)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			st.errs = append(st.errs, err.Error())
		}
		return data
	}
	conf := read(ufwConf)
	if v, line := shellValue(conf, "ENABLED"); line > 0 {
		st.enabled = strings.EqualFold(v, "yes")
		st.enabledText = fmt.Sprintf("%s:%d ENABLED=%s", ufwConf, line, v)
	}
	def := read(ufwDefaults)
	if v, line := shellValue(def, "DEFAULT_INPUT_POLICY"); line > 0 {
		st.policy = strings.ToUpper(v)
	}
	if v, line := shellValue(def, "IPV6"); line > 0 {
		st.ipv6 = strings.EqualFold(v, "yes")
	}
	var errs []string
	st.rules4, errs = parseUfwTuples(ufwRules4, read(ufwRules4))
	st.errs = append(st.errs, errs...)
	st.rules6, errs = parseUfwTuples(ufwRules6, read(ufwRules6))
	st.errs = append(st.errs, errs...)
	return st
}

// judge follows ufw's order for a new connection: the user's rules in
// order (after ufw's own before-rules, which accept only loopback,
// established traffic, ICMP and DHCP), then the default input policy.
func (st *ufwState) judge(port uint16, proto string, v6 bool, ifaces []string) portVerdict {
	rules, file := st.rules4, ufwRules4
	if v6 {
		if !st.ipv6 {
			// IPV6=no: ufw drops IPv6 entirely (ufw(8), /etc/default/ufw).
			return portVerdict{state: stateClosed, by: ufwDefaults + ": IPV6=no (ufw drops every IPv6 packet)", where: []string{ufwDefaults}}
		}
		rules, file = st.rules6, ufwRules6
	}
	v := portVerdict{where: []string{ufwConf, ufwDefaults, file}}
	for _, t := range rules {
		if t.proto != "any" && t.proto != proto || !t.directionIn() {
			continue
		}
		if t.ports != nil && !inRanges(t.ports, port) {
			continue
		}
		if iface, ok := strings.CutPrefix(t.direction, "in_"); ok && len(ifaces) == 1 && ifaces[0] != iface {
			continue // a rule of another interface than the clients'
		}
		cond := t.condition(ifaces)
		where := fmt.Sprintf("%s:%d (%s)", t.file, t.line, t.text)
		switch {
		case cond != "" && (t.action == "allow" || t.action == "limit"):
			v.depends = append(v.depends, where+": only "+cond)
			continue
		case cond != "":
			v.depends = append(v.depends, where+": for "+cond)
			continue
		case t.action == "allow" || t.action == "limit":
			v.state, v.by = stateOpen, where
			if t.action == "limit" {
				v.depends = append(v.depends, where+": limit (ufw drops a client after 6 connections in 30 s)")
			}
			return v
		default:
			v.state, v.by = stateClosed, where
			return v
		}
	}
	switch st.policy {
	case "ACCEPT":
		v.state, v.by = stateOpen, ufwDefaults+": DEFAULT_INPUT_POLICY=ACCEPT"
	default:
		v.state, v.by = stateClosed, fmt.Sprintf("no rule of %s allows it, and %s has DEFAULT_INPUT_POLICY=%s", file, ufwDefaults, st.policy)
		if len(v.depends) > 0 {
			v.state = statePartial
		}
	}
	return v
}

func (t ufwTuple) directionIn() bool {
	return t.direction == "in" || strings.HasPrefix(t.direction, "in_")
}

// condition says what limits the tuple to some clients, or "".
func (t ufwTuple) condition(ifaces []string) string {
	var c []string
	if t.src != "0.0.0.0/0" && t.src != "::/0" && t.src != "any" {
		c = append(c, "clients from "+t.src)
	}
	if t.sport != "any" {
		c = append(c, "source port "+t.sport)
	}
	if t.dst != "0.0.0.0/0" && t.dst != "::/0" && t.dst != "any" {
		c = append(c, "connections to "+t.dst)
	}
	if iface, ok := strings.CutPrefix(t.direction, "in_"); ok && len(ifaces) != 1 {
		c = append(c, "interface "+iface)
	}
	return strings.Join(c, ", ")
}

func inRanges(rs []portRange, port uint16) bool {
	for _, r := range rs {
		if port >= r.lo && port <= r.hi {
			return true
		}
	}
	return false
}
