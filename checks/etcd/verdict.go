package etcd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/remediate"
)

// verdict gathers a check's findings: the worst level wins, every finding
// is told, and each brings the manual steps that fix it.
type verdict struct {
	status  engine.Status
	msgs    []string
	summary string
	steps   []string
}

func (v *verdict) add(s engine.Status, format string, args ...any) {
	if rank(s) > rank(v.status) {
		v.status = s
	}
	v.msgs = append(v.msgs, fmt.Sprintf(format, args...))
}

func (v *verdict) fail(format string, args ...any) { v.add(engine.Fail, format, args...) }
func (v *verdict) warn(format string, args ...any) { v.add(engine.Warn, format, args...) }

// fix adds manual steps; the first summary given names the plan.
func (v *verdict) fix(summary string, steps ...string) {
	if v.summary == "" {
		v.summary = summary
	}
	for _, s := range steps {
		if !slices.Contains(v.steps, s) {
			v.steps = append(v.steps, s)
		}
	}
}

func rank(s engine.Status) int {
	switch s {
	case engine.Warn:
		return 1
	case engine.Fail:
		return 2
	}
	return 0
}

// apply writes the verdict into res; pass is the message when nothing was
// found.
func (v *verdict) apply(res *engine.Result, pass string) {
	if v.status == "" {
		res.Status, res.Message = engine.Pass, pass
		return
	}
	res.Status = v.status
	res.Message = strings.Join(v.msgs, "; ")
	if len(v.steps) > 0 {
		p := &remediate.Plan{Summary: v.summary}
		for _, s := range v.steps {
			p.Actions = append(p.Actions, remediate.Tell(s))
		}
		res.Remediation = p
	}
}

// failed is the result of a step that could not be done at all.
func failed(res *engine.Result, f depcheck.Failure) {
	res.Status = engine.Fail
	res.Details["cause"] = f.Cause
	if f.TLSReason != "" {
		res.Details["tls_reason"] = f.TLSReason
	}
	if res.Observed == "" {
		res.Observed = f.Cause
	}
	res.Message = f.String()
}
