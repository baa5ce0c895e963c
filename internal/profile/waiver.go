package profile

import (
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

// Waiver accepts a known finding for a while: a waived failure does not
// fail the gate, but it stays visible in every report with its reason and
// ticket, and it stops applying after Expires.
type Waiver struct {
	// Check is a check ID, a glob (* crosses /) or a category, as --only
	// takes them.
	Check   string `yaml:"check" doc:"The check ID, glob (* crosses /) or category waived, as --only takes them." example:"sysctl/vm.swappiness" required:"true"`
	Reason  string `yaml:"reason" doc:"Why the finding is accepted." example:"tuned manages swappiness on this fleet" required:"true"`
	Ticket  string `yaml:"ticket" doc:"The ticket that tracks the finding." example:"OPS-1234" required:"true"`
	Expires string `yaml:"expires" doc:"The last day (UTC) the waiver holds." example:"2027-01-31" format:"date" required:"true"` // YYYY-MM-DD; the waiver holds through that day (UTC)
	// Until is Expires parsed: the first instant the waiver no longer holds.
	Until time.Time `yaml:"-"`
	// Where is the file:line of the entry, for messages.
	Where string `yaml:"-"`
}

// decodeWaivers reads the waivers: list. Every field is required: a waiver
// without a reason, a ticket or an end date is how findings get forgotten.
func (r *resolver) decodeWaivers(n *yaml.Node) ([]Waiver, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, r.pos.errorf(n, "waivers: a list of {check, reason, ticket, expires}")
	}
	out := make([]Waiver, 0, len(n.Content))
	seen := map[string]string{}
	for _, item := range n.Content {
		var w Waiver
		if err := r.pos.decodeStrict(item, &w); err != nil {
			return nil, err
		}
		for _, f := range []struct{ name, value string }{
			{"check", w.Check}, {"reason", w.Reason}, {"ticket", w.Ticket}, {"expires", w.Expires},
		} {
			if f.value == "" {
				return nil, r.pos.errorf(item, "waiver: %s is required (every waiver needs check, reason, ticket and expires)", f.name)
			}
		}
		day, err := time.Parse(time.DateOnly, w.Expires)
		if err != nil {
			return nil, r.pos.errorf(item, "waiver for %q: expires %q is not a date (YYYY-MM-DD)", w.Check, w.Expires)
		}
		w.Until = day.AddDate(0, 0, 1)
		w.Where = r.pos[item] + ":" + strconv.Itoa(item.Line)
		if first, dup := seen[w.Check]; dup {
			return nil, r.pos.errorf(item, "a second waiver for %q (the first is at %s): keep one", w.Check, first)
		}
		seen[w.Check] = w.Where
		out = append(out, w)
	}
	return out, nil
}
