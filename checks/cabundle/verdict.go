package cabundle

import (
	"fmt"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/remediate"
)

// verdict collects findings of several severities into one result: the
// worst status wins, every finding is said.
type verdict struct {
	fails, warns []string
	plan         *remediate.Plan
}

func (v *verdict) fail(format string, args ...any) {
	v.fails = append(v.fails, fmt.Sprintf(format, args...))
}
func (v *verdict) warn(format string, args ...any) {
	v.warns = append(v.warns, fmt.Sprintf(format, args...))
}

// fix keeps the first plan: the one for the worst finding, which is
// recorded first.
func (v *verdict) fix(p *remediate.Plan) {
	if v.plan == nil {
		v.plan = p
	}
}

func (v *verdict) apply(res *engine.Result, passMsg string) {
	switch {
	case len(v.fails) > 0:
		res.Status = engine.Fail
	case len(v.warns) > 0:
		res.Status = engine.Warn
	default:
		res.Status = engine.Pass
		res.Message = passMsg
		return
	}
	res.Message = strings.Join(append(v.fails, v.warns...), "; ")
	res.Remediation = v.plan
}

func problemList(ps []problem) string {
	const max = 3
	var parts []string
	for i, p := range ps {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(ps)-max))
			break
		}
		parts = append(parts, p.String())
	}
	return strings.Join(parts, "; ")
}

func nonNilProblems(p []problem) []problem {
	if p == nil {
		return []problem{}
	}
	return p
}

func isAre(n int) string { return agree(n, "is", "are") }

func orNone(s string) string {
	if s == "" {
		return "the system bundle"
	}
	return s
}
