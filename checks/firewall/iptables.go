package firewall

import (
	"fmt"
	"strconv"
	"strings"
)

// iptables-save files — what iptables.service (RHEL's iptables-services:
// /etc/sysconfig/iptables, ip6tables) and netfilter-persistent (Debian's
// iptables-persistent: /etc/iptables/rules.v4, rules.v6) restore at boot —
// read into the family's ruleset model: the chains of each table on the
// prerouting and input hooks at iptables' priorities, and the matches that
// decide a new connection. As with nft, an option golive does not know makes
// its rule "depends" rather than a guess.

// builtinHooks are the built-in chains a packet for a local socket
// crosses, with the nftables priority of their table.
var builtinHooks = map[string]struct {
	hook     string
	priority int
}{
	"raw PREROUTING":    {"prerouting", -300},
	"mangle PREROUTING": {"prerouting", -150},
	"mangle INPUT":      {"input", -150},
	"filter INPUT":      {"input", 0},
	"security INPUT":    {"input", 50},
}

// parseIptablesSave adds the tables of an iptables-save file to rs under
// family (ip or ip6).
func parseIptablesSave(rs *ruleset, family, file string, data []byte) (unparsed int, err error) {
	table := ""
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		at := fmt.Sprintf("%s:%d", file, n+1)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "*"):
			table = line[1:]
		case line == "COMMIT":
			table = ""
		case strings.HasPrefix(line, ":"):
			f := strings.Fields(line[1:])
			if table == "" || len(f) < 2 {
				return unparsed, fmt.Errorf("%s: a chain line outside a table", at)
			}
			c := rs.chain(family, table, f[0])
			c.where = at
			if h, ok := builtinHooks[table+" "+f[0]]; ok {
				c.hook, c.priority = h.hook, h.priority
			}
			switch f[1] {
			case "DROP":
				c.policy = vDrop
			case "ACCEPT", "-":
				c.policy = vAccept
			default:
				return unparsed, fmt.Errorf("%s: policy %q", at, f[1])
			}
		case strings.HasPrefix(line, "-A ") || strings.HasPrefix(line, "-I ") || strings.HasPrefix(line, "--append ") || strings.HasPrefix(line, "--insert "):
			if table == "" {
				return unparsed, fmt.Errorf("%s: a rule outside a table", at)
			}
			args, err := shellWords(line)
			if err != nil {
				return unparsed, fmt.Errorf("%s: %v", at, err)
			}
			if len(args) < 2 {
				return unparsed, fmt.Errorf("%s: which chain?", at)
			}
			c := rs.chain(family, table, args[1])
			rest := args[2:]
			pos := -1
			if args[0] == "-I" || args[0] == "--insert" {
				pos = 0
				if len(rest) > 0 {
					if n, err := strconv.Atoi(rest[0]); err == nil {
						pos, rest = max(n-1, 0), rest[1:]
					}
				}
			}
			r, ok := iptablesRule(rest, func(name string) bool {
				_, declared := rs.chains[family+" "+table+" "+name]
				return declared
			})
			if !ok {
				unparsed++
			}
			r.where, r.text = at, strings.Join(args, " ")
			if pos >= 0 && pos <= len(c.rules) {
				c.rules = append(c.rules[:pos], append([]rule{r}, c.rules[pos:]...)...)
			} else {
				c.rules = append(c.rules, r)
			}
		default:
			return unparsed, fmt.Errorf("%s: %q is not an iptables-save line", at, line)
		}
	}
	return unparsed, nil
}

// shellWords splits a line as iptables-restore does: blanks, with double
// quotes around a word that has them (comments).
func shellWords(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	in, started := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			in, started = !in, true
		case c == '\\' && in && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case (c == ' ' || c == '\t') && !in:
			if started {
				out = append(out, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteByte(c)
			started = true
		}
	}
	if in {
		return nil, fmt.Errorf("unterminated quote")
	}
	if started {
		out = append(out, cur.String())
	}
	return out, nil
}

// iptablesRule reads a rule's options. ok is false when one is not
// understood: the rule then depends on what golive cannot judge.
func iptablesRule(args []string, isChain func(string) bool) (rule, bool) {
	var r rule
	ok := true
	other := func(text string) { r.matches = append(r.matches, match{field: fieldOther, text: text}) }
	neg := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		val := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			ok = false
			return ""
		}
		switch a {
		case "!":
			neg = true
			continue
		case "-p", "--protocol":
			p := strings.ToLower(val())
			if p == "all" || p == "0" {
				if neg {
					r.matches = append(r.matches, match{field: fieldNever, text: "! -p all"})
				}
			} else {
				r.matches = append(r.matches, match{field: fieldL4Proto, neg: neg, names: []string{protoName(p)}, text: "-p " + p})
			}
		case "-i", "--in-interface":
			name := val()
			if g, plus := strings.CutSuffix(name, "+"); plus {
				name = g + "*"
			}
			r.matches = append(r.matches, match{field: fieldIIF, neg: neg, names: []string{name}, text: "-i " + name})
		case "-s", "--source", "-d", "--destination":
			v := val()
			if v != "0.0.0.0/0" && v != "::/0" || neg {
				other(a + " " + v)
			}
		case "-m", "--match":
			switch m := val(); m {
			case "tcp", "udp", "multiport", "state", "conntrack", "comment":
			default:
				// limit, recent, set, hashlimit, ...: their own options follow.
				other("-m " + m)
				for i+1 < len(args) && strings.HasPrefix(args[i+1], "--") && !isIptablesOption(args[i+1]) {
					i++
					if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
						i++
					}
				}
			}
		case "--dport", "--destination-port", "--dports", "--destination-ports", "--ports":
			m := match{field: fieldDport, neg: neg, text: a}
			for _, p := range strings.Split(val(), ",") {
				lo, hi, isRange := strings.Cut(p, ":")
				x, err1 := strconv.ParseUint(lo, 10, 16)
				y := x
				var err2 error
				if isRange {
					y, err2 = strconv.ParseUint(hi, 10, 16)
				}
				if err1 != nil || err2 != nil || y < x {
					ok = false
					continue
				}
				m.ports = append(m.ports, portRange{uint16(x), uint16(y)})
			}
			if a == "--ports" {
				m = match{field: fieldOther, text: "--ports"} // source or destination port
			}
			r.matches = append(r.matches, m)
		case "--sport", "--source-port", "--sports", "--source-ports", "--tcp-flags", "--tcp-option":
			other(a)
			if a == "--tcp-flags" {
				val()
			}
			val()
		case "--syn":
			// A connection's first packet is a SYN; its later ones are not.
			r.matches = append(r.matches, match{field: fieldSyn, neg: neg, text: "--syn"})
		case "--state", "--ctstate":
			names := strings.Split(strings.ToLower(val()), ",")
			r.matches = append(r.matches, match{field: fieldCtState, neg: neg, names: names, text: a})
		case "--comment":
			val()
		case "-j", "--jump", "-g", "--goto":
			t := val()
			switch t {
			case "ACCEPT":
				r.verdict = vAccept
			case "DROP":
				r.verdict = vDrop
			case "REJECT":
				r.verdict = vReject
			case "RETURN":
				r.verdict = vReturn
			case "LOG", "NFLOG", "ULOG", "MARK", "CONNMARK", "CT", "NOTRACK", "TRACE", "AUDIT":
				r.verdict = vContinue
			case "NFQUEUE", "QUEUE":
				r.verdict = vUnknown
			default:
				if !isChain(t) {
					r.verdict, ok = vUnknown, false // a target golive does not know
				} else if a == "-g" || a == "--goto" {
					r.verdict, r.target = vGoto, t
				} else {
					r.verdict, r.target = vJump, t
				}
			}
			// The target's own options (--reject-with, --log-prefix) follow.
			for i+1 < len(args) && strings.HasPrefix(args[i+1], "--") {
				i++
				if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
					i++
				}
			}
		case "-c", "--set-counters":
			val()
			val()
		default:
			ok = false
			other(a)
		}
		neg = false
	}
	if !ok {
		r.matches = append(r.matches, match{field: fieldOther, text: "an option golive does not read"})
	}
	return r, ok
}

func isIptablesOption(a string) bool {
	switch a {
	case "--dport", "--destination-port", "--dports", "--destination-ports", "--sport", "--source-port", "--state", "--ctstate", "--comment":
		return true
	}
	return false
}
