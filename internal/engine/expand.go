package engine

import (
	"fmt"

	"github.com/golive-sh/golive/internal/host"
)

// Expander is a planned check that becomes several once the host is known:
// which dns/nameserver:<ip> checks exist depends on the host's resolv.conf,
// which a Builder (given only the profile) cannot read. An Expander that
// returns nothing is replaced by nothing; one that returns itself stays.
type Expander interface {
	Check
	Expand(h *host.Host) []Check
}

// Expand replaces every Expander in checks by what it expands to, in
// place, keeping plan order. IDs must stay unique.
func Expand(h *host.Host, checks []Check) ([]Check, error) {
	out := make([]Check, 0, len(checks))
	seen := make(map[string]bool, len(checks))
	for _, c := range checks {
		expanded := []Check{c}
		if e, ok := c.(Expander); ok {
			expanded = e.Expand(h)
		}
		for _, x := range expanded {
			if seen[x.ID()] {
				return nil, fmt.Errorf("two checks have the ID %q", x.ID())
			}
			seen[x.ID()] = true
			out = append(out, x)
		}
	}
	return out, nil
}
