package cli

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

// builtinPlan is a built-in profile planned on the host explain reads.
type builtinPlan struct {
	name string
	plan *engine.Plan
}

// builtinPlans prepares every built-in profile on h with no selection, as
// explain's per-profile rows show them.
func builtinPlans(h *host.Host) ([]builtinPlan, error) {
	var out []builtinPlan
	for _, name := range profile.Builtins() {
		bp, err := profile.Resolve(profile.Request{Profile: name})
		if err != nil {
			return nil, fmt.Errorf("built-in profile %s: %w", name, err)
		}
		plan, err := engine.Prepare(bp, h, engine.Selection{})
		if err != nil {
			return nil, fmt.Errorf("built-in profile %s: %w", name, err)
		}
		out = append(out, builtinPlan{name, plan})
	}
	return out, nil
}

// knownIDs are the IDs of this host's plan, then those only a built-in
// profile plans: what explain can suggest for a mistyped ID.
func knownIDs(here *engine.Plan, builtins []builtinPlan) []string {
	ids := slices.Clone(here.IDs())
	for _, bp := range builtins {
		for _, id := range bp.plan.IDs() {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// notPlannedNote says that an ID explain knows is not one golive check
// would run here, and names the nearest that it would run: a family
// explains any sysctl key, so sysctl/net.core.somaxcon is explained, but
// the user most likely meant the planned sysctl/net.core.somaxconn.
func notPlannedNote(id string, p *profile.Profile, plan *engine.Plan) string {
	note := fmt.Sprintf("Not planned here: golive check with these flags (profile %s) does not run %s", strings.Join(p.Chain, " -> "), id)
	if s := didYouMean("", nearest(id, plan.IDs())); s != "" {
		return note + s
	}
	return note + "."
}

// explainGlob lists the checks a pattern such as sysctl/* matches, in
// this host's plan first, then in the built-in profiles' plans. A pattern
// that matches nothing is a usage error, as it is for --only.
func explainGlob(io IO, pattern string, here *engine.Plan, builtins []builtinPlan) error {
	inPlan := map[string]bool{}
	for _, id := range here.IDs() {
		inPlan[id] = true
	}
	var ids []string
	for _, id := range knownIDs(here, builtins) {
		if engine.Glob(pattern, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return invalid(fmt.Errorf("%q matches no check of this host's plan or of a built-in profile (golive list shows the checks of a profile)", pattern))
	}
	fmt.Fprintf(io.Out, "%d checks match %s; golive explain ID describes one:\n\n", len(ids), pattern)
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	for _, id := range ids {
		where := "planned here"
		if !inPlan[id] {
			where = "only in a built-in profile: " + strings.Join(profilesPlanning(id, builtins), ", ")
		}
		fmt.Fprintf(tw, "  %s\t%s\n", id, where)
	}
	return tw.Flush()
}

func profilesPlanning(id string, builtins []builtinPlan) []string {
	var names []string
	for _, bp := range builtins {
		if slices.Contains(bp.plan.IDs(), id) {
			names = append(names, bp.name)
		}
	}
	return names
}
