package cli

import (
	"fmt"
	"regexp"
	"sync"

	"github.com/spf13/pflag"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/report"
)

// Remediation levels: which results' fixes are written.
const (
	levelWarn = "warn" // fail and warn (the default)
	levelFail = "fail" // fail only
)

// pick is what remediate chooses among a report's fixes, and where an
// Ansible playbook may apply them.
type pick struct {
	Level string
	Hosts string
}

func (p *pick) bind(f *pflag.FlagSet) {
	f.StringVar(&p.Level, "level", levelWarn, "fix what is at least this bad: warn (failed and warned checks) or fail (failed checks only)")
	f.StringVar(&p.Hosts, "hosts", "", "ansible: the play's hosts: pattern (default: the checked host's name from the report)")
}

func (p *pick) settle(format string) error {
	if !oneOf(p.Level, levelWarn, levelFail) {
		return invalid(fmt.Errorf("--level %q: use warn or fail", p.Level))
	}
	if p.Hosts != "" {
		if format != "ansible" {
			return invalid(fmt.Errorf("--hosts is the Ansible play's hosts: pattern: use it with --format ansible"))
		}
		if err := remediate.CheckHostPattern(p.Hosts); err != nil {
			return invalid(fmt.Errorf("--hosts: %w", err))
		}
	}
	return nil
}

// checkPatterns refuses an --only or --skip that matches no check of a
// finished report, as the planner refuses one that matches no check.
func (p *pick) checkPatterns(rep *report.Report, sel selection) error {
	for _, set := range []struct {
		flag     string
		patterns []string
	}{{"--only", sel.Only}, {"--skip", sel.Skip}} {
		for _, pat := range set.patterns {
			hit := false
			for _, c := range rep.Checks {
				hit = hit || engine.Matches(pat, engine.Meta{ID: c.ID, Category: c.Category})
			}
			if !hit {
				return invalid(fmt.Errorf("%s %q matches no check of the report", set.flag, pat))
			}
		}
	}
	return nil
}

// hostName is what a report's hostname must look like to be a play's
// hosts: pattern: a DNS name or an address, nothing Ansible would template.
var hostName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*$`) })

// apply narrows in to the fixes --level, --only and --skip pick (with
// --from: a run has already planned only the selected checks) and sets
// the play's hosts.
func (p *pick) apply(in remediate.Input, rep *report.Report, sel selection, format string) (remediate.Input, error) {
	category := map[string]string{}
	for _, c := range rep.Checks {
		category[c.ID] = c.Category
	}
	fixes := in.Fixes[:0:0]
	for _, f := range in.Fixes {
		m := engine.Meta{ID: f.CheckID, Category: category[f.CheckID]}
		switch {
		case p.Level == levelFail && f.Status != string(engine.Fail):
		case len(sel.Only) > 0 && !matchesSome(sel.Only, m):
		case matchesSome(sel.Skip, m):
		default:
			fixes = append(fixes, f)
		}
	}
	in.Fixes = fixes
	in.Hosts = p.Hosts
	if in.Hosts == "" && format == "ansible" {
		if !hostName().MatchString(rep.Host.Hostname) {
			return in, invalid(fmt.Errorf("the report's hostname %q cannot be the play's hosts: pattern: name the inventory hosts with --hosts", rep.Host.Hostname))
		}
		in.Hosts = rep.Host.Hostname
	}
	return in, nil
}

func matchesSome(patterns []string, m engine.Meta) bool {
	for _, p := range patterns {
		if engine.Matches(p, m) {
			return true
		}
	}
	return false
}
