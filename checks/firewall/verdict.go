package firewall

import "slices"

// portState is what a firewall does with a new connection to the port
// from another host.
type portState uint8

const (
	stateUnknown portState = iota // golive could not tell (unreadable, not understood)
	stateOpen                     // accepted, whoever the client is
	stateClosed                   // dropped or rejected for every client
	statePartial                  // accepted for some clients only (a source address, an interface)
)

func (s portState) String() string {
	return [...]string{"unknown", "open", "closed", "open to some clients only"}[s]
}

// portVerdict is one firewall's answer, with its reasons.
type portVerdict struct {
	state portState
	by    string // what decided: a rule, a zone's entry, a policy
	// depends lists what applies to some clients only: accepting rules
	// when closed, dropping ones when open.
	depends  []string
	problems []string
	where    []string // the files or chains it read
	// chain is the live base chain that dropped the packet (nftables
	// remediation inserts there).
	chain *chain
}

// combine joins the verdicts of the paths a client's packet may take
// (address families, interfaces, zones): closed on some and open on others
// is open to some clients only.
func combine(parts []portVerdict) portVerdict {
	out := stack(parts)
	if out.state == stateClosed && slices.ContainsFunc(parts, func(p portVerdict) bool { return p.state == stateOpen || p.state == statePartial }) {
		out.state = statePartial
	}
	return out
}

// stack joins the verdicts of filters every packet crosses (firewalls
// enabled together hook the same path): the weakest wins.
func stack(parts []portVerdict) portVerdict {
	if len(parts) == 0 {
		return portVerdict{state: stateUnknown}
	}
	rank := func(s portState) int {
		return map[portState]int{stateClosed: 0, stateUnknown: 1, statePartial: 2, stateOpen: 3}[s]
	}
	out := parts[0]
	out.depends = slices.Clone(out.depends)
	out.problems = slices.Clone(out.problems)
	out.where = slices.Clone(out.where)
	for _, p := range parts[1:] {
		if rank(p.state) < rank(out.state) {
			out.state, out.by, out.chain = p.state, p.by, p.chain
		}
		out.depends = appendNew(out.depends, p.depends...)
		out.problems = appendNew(out.problems, p.problems...)
		out.where = appendNew(out.where, p.where...)
	}
	return out
}

func appendNew(s []string, more ...string) []string {
	for _, m := range more {
		if !slices.Contains(s, m) {
			s = append(s, m)
		}
	}
	return s
}
