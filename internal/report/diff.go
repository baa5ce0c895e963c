package report

import (
	"github.com/golive-sh/golive/internal/engine"
)

// DiffSchemaV1 identifies the JSON form of a diff.
const DiffSchemaV1 = "golive/diff/v1"

// Diff is what changed between two reports, keyed by check ID. Every check
// that differs lands in exactly one list, in this order of precedence:
// a new failure, a fix, a check that appeared, one that disappeared, any
// other change.
type Diff struct {
	Schema string   `json:"schema"`
	Old    DiffSide `json:"old"`
	New    DiffSide `json:"new"`
	// SameHost is false when the reports come from different machines
	// (machine-id, or hostname where there is none): a diff across hosts
	// is allowed but rarely what was meant.
	SameHost bool `json:"same_host"`
	// Regression is set when New has a failure Old did not: the exit code
	// of `golive diff` follows it.
	Regression bool `json:"regression"`
	// NewFailures: fail or error in New, and not fail or error in Old
	// (including checks that appeared failing).
	NewFailures []Change `json:"new_failures"`
	// Fixed: fail, error or warn in Old, pass in New.
	Fixed []Change `json:"fixed"`
	// Appeared and Disappeared: checks only in New or only in Old that are
	// neither of the above.
	Appeared    []Change `json:"appeared"`
	Disappeared []Change `json:"disappeared"`
	// Changed: every other difference of status or observed value.
	Changed []Change `json:"changed"`
	// Unchanged counts checks in both with the same status and observed value.
	Unchanged int `json:"unchanged"`
}

// DiffSide identifies one of the two reports.
type DiffSide struct {
	Hostname  string  `json:"hostname"`
	Distro    string  `json:"distro"`
	Profile   string  `json:"profile"`
	StartedAt string  `json:"started_at"`
	Verdict   string  `json:"verdict"`
	Summary   Summary `json:"summary"`
}

// Change is one check's before and after. The status of a side the check
// is missing from is empty.
type Change struct {
	ID          string        `json:"id"`
	Category    string        `json:"category"`
	Title       string        `json:"title"`
	OldStatus   engine.Status `json:"old_status,omitempty"`
	NewStatus   engine.Status `json:"new_status,omitempty"`
	Expected    string        `json:"expected"`
	OldObserved string        `json:"old_observed,omitempty"`
	NewObserved string        `json:"new_observed,omitempty"`
	// Message is the newest message the check has (New's, else Old's).
	Message string `json:"message"`
}

// Compare diffs two reports. Checks keep New's order, then those only in
// Old in Old's order, so the output follows the run's own order.
func Compare(old, new *Report) *Diff {
	d := &Diff{
		Schema:      DiffSchemaV1,
		Old:         side(old),
		New:         side(new),
		SameHost:    hostKey(old.Host) == hostKey(new.Host),
		NewFailures: []Change{}, Fixed: []Change{}, Appeared: []Change{},
		Disappeared: []Change{}, Changed: []Change{},
	}
	before := make(map[string]*Check, len(old.Checks))
	for i := range old.Checks {
		before[old.Checks[i].ID] = &old.Checks[i]
	}
	inNew := make(map[string]bool, len(new.Checks))
	for i := range new.Checks {
		n := &new.Checks[i]
		inNew[n.ID] = true
		o := before[n.ID]
		c := change(o, n)
		switch {
		case failing(n.Status) && (o == nil || !failing(o.Status)):
			d.NewFailures = append(d.NewFailures, c)
		case o != nil && (failing(o.Status) || o.Status == engine.Warn) && n.Status == engine.Pass:
			d.Fixed = append(d.Fixed, c)
		case o == nil:
			d.Appeared = append(d.Appeared, c)
		case o.Status != n.Status || o.Observed != n.Observed:
			d.Changed = append(d.Changed, c)
		default:
			d.Unchanged++
		}
	}
	for i := range old.Checks {
		if o := &old.Checks[i]; !inNew[o.ID] {
			d.Disappeared = append(d.Disappeared, change(o, nil))
		}
	}
	d.Regression = len(d.NewFailures) > 0
	return d
}

func failing(s engine.Status) bool { return s == engine.Fail || s == engine.Error }

func change(o, n *Check) Change {
	var c Change
	if o != nil {
		c = Change{ID: o.ID, Category: o.Category, Title: o.Title, OldStatus: o.Status,
			Expected: o.Expected, OldObserved: o.Observed, Message: o.Message}
	}
	if n != nil {
		c.ID, c.Category, c.Title = n.ID, n.Category, n.Title
		c.NewStatus, c.Expected, c.NewObserved, c.Message = n.Status, n.Expected, n.Observed, n.Message
	}
	return c
}

func side(r *Report) DiffSide {
	return DiffSide{
		Hostname:  r.Host.Hostname,
		Distro:    distroName(r.Host.Distro),
		Profile:   r.Profile.Name,
		StartedAt: r.StartedAt,
		Verdict:   r.Verdict,
		// The checks read, not the report's own summary: a report is
		// outside input, and its summary may not match its checks.
		Summary: Count(r.Checks),
	}
}

func hostKey(h Host) string {
	if h.MachineID != "" {
		return h.MachineID
	}
	return h.Hostname
}
