package cli

import (
	"github.com/spf13/pflag"

	"github.com/golive-sh/golive/internal/engine"
)

// selection is what check, remediate, list and explain take from a
// profile's checks: --only, --skip and --no-waivers (engine.Selection).
// All four bind it the same way (flags, GOLIVE_*, options: only/skip), so
// they plan the same checks.
type selection struct {
	Only, Skip []string
	NoWaivers  bool
}

// bind adds the selection flags; verb says what the command does with a
// check ("run", "list").
func (s *selection) bind(f *pflag.FlagSet, verb string) {
	stringsFlag(f, &s.Only, "only", "", verb+" only these checks: IDs, globs (sysctl/*) or categories")
	stringsFlag(f, &s.Skip, "skip", "", "do not "+verb+" these checks: IDs, globs or categories")
	f.BoolVar(&s.NoWaivers, "no-waivers", false, "ignore the profile's waivers: report every finding as it is")
}

// settle reads the selection through v (flags, GOLIVE_*, then whatever
// config options the caller merged into v).
func (s *selection) settle(v *settings) {
	s.Only = splitList(v.list("only"))
	s.Skip = splitList(v.list("skip"))
	s.NoWaivers = v.boolean("no-waivers")
}

func (s *selection) engine() engine.Selection {
	return engine.Selection{Only: s.Only, Skip: s.Skip, NoWaivers: s.NoWaivers}
}

// planObserver, when set, is given the check IDs of the plan each command
// prepares. Tests set it (export_test.go) to hold check, remediate, list
// and explain to one plan; it is nil in golive.
var planObserver func(ids []string)

// observe hands plan to planObserver.
func observe(plan *engine.Plan) {
	if planObserver != nil {
		planObserver(plan.IDs())
	}
}
