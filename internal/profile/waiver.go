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

// waiverDrop removes the waiver an extended file has for Check.
type waiverDrop struct {
	Check string `yaml:"check" doc:"The check pattern of the inherited waiver to remove, as that file writes it." example:"sysctl/vm.swappiness" required:"true"`
	Drop  bool   `yaml:"drop" doc:"true: remove the inherited waiver for check." example:"true" required:"true"`
}

// layerWaivers applies one file's waivers: list to the waivers inherited
// from what it extends. Waivers add up along extends: an entry for a check
// an earlier file waived replaces that waiver (a new date, a new ticket),
// {check, drop: true} removes it, and an explicit null removes them all.
// Within one file a check is waived once.
func (r *resolver) layerWaivers(inherited []Waiver, n *yaml.Node) ([]Waiver, error) {
	switch {
	case n == nil || isEmpty(n):
		return inherited, nil
	case isRemoval(n):
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, r.pos.errorf(n, "waivers: a list of {check, reason, ticket, expires} (or {check, drop: true})")
	}
	out := append([]Waiver(nil), inherited...)
	var own []*yaml.Node
	for _, item := range n.Content {
		if !hasKey(item, "drop") {
			own = append(own, item)
			continue
		}
		var d waiverDrop
		if err := r.pos.decodeStrict(item, &d); err != nil {
			return nil, err
		}
		if !d.Drop {
			return nil, r.pos.errorf(item, "waiver for %q: drop: false removes nothing; leave the entry out", d.Check)
		}
		i := indexWaiver(out, d.Check)
		if i < 0 {
			return nil, r.pos.errorf(item, "waiver for %q: drop: true, but no file this one extends waives %q", d.Check, d.Check)
		}
		out = append(out[:i], out[i+1:]...)
	}
	mine, err := r.decodeWaivers(&yaml.Node{Kind: yaml.SequenceNode, Content: own, Line: n.Line})
	if err != nil {
		return nil, err
	}
	for _, w := range mine {
		if i := indexWaiver(out, w.Check); i >= 0 {
			out[i] = w // the later file decides: a renewed date, a new ticket
			continue
		}
		out = append(out, w)
	}
	return out, nil
}

func indexWaiver(ws []Waiver, check string) int {
	for i, w := range ws {
		if w.Check == check {
			return i
		}
	}
	return -1
}

func hasKey(m *yaml.Node, key string) bool {
	if m.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
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

// valueOf is the value of key in the mapping m, or nil.
func valueOf(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
