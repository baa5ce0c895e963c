package engine

import (
	"context"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

// Selection is what a command asks of a profile's checks beyond the
// profile itself: --only, --skip and --no-waivers.
type Selection struct {
	Only, Skip []string
	// NoWaivers ignores the profile's waivers: no finding is waived and
	// no waiver is reported as matching nothing.
	NoWaivers bool
}

// Plan is the checks one run of a profile on a host would run, in run
// (and report) order, with the waivers in force. check, remediate, list
// and explain all get theirs from Prepare, so they agree on which checks
// exist.
type Plan struct {
	Checks  []Check
	Waivers []profile.Waiver
	host    *host.Host
}

// Prepare plans a run of profile p on host h. The order of the steps is
// the contract:
//
//  1. Build: the families turn the profile into checks.
//  2. Expand: checks that depend on the host become what they stand for
//     (one dns/nameserver:<ip> per nameserver of the host).
//  3. Waivers: one waiver/<pattern> warning per waiver that matches none
//     of those checks. Before the selection, so that --only does not make
//     every waiver outside it look like a typo.
//  4. Select: --only and --skip, over every check above, waiver warnings
//     included; a pattern that selects nothing is an error.
//
// Every error is about the profile or the selection.
func Prepare(p *profile.Profile, h *host.Host, sel Selection) (*Plan, error) {
	checks, err := Build(p)
	if err != nil {
		return nil, err
	}
	if checks, err = Expand(h, checks); err != nil {
		return nil, err
	}
	var waivers []profile.Waiver
	if !sel.NoWaivers {
		waivers = p.Waivers
	}
	checks = append(checks, waiverChecks(waivers, checks, h.Now())...)
	if checks, err = (Filter{Only: sel.Only, Skip: sel.Skip}).Apply(checks); err != nil {
		return nil, err
	}
	return &Plan{Checks: checks, Waivers: waivers, host: h}, nil
}

// Run runs the plan's checks on its host and applies its waivers; the
// host's clock decides which waivers have expired (so golden runs are
// reproducible).
func (pl *Plan) Run(ctx context.Context, opt RunOptions) Outcome {
	out := Run(ctx, pl.host, pl.Checks, opt)
	applyWaivers(&out, pl.Waivers, pl.host.Now())
	return out
}

// IDs lists the plan's check IDs in order.
func (pl *Plan) IDs() []string {
	ids := make([]string, len(pl.Checks))
	for i, c := range pl.Checks {
		ids[i] = c.ID()
	}
	return ids
}
