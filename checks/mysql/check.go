package mysql

import (
	"context"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// reserve is how long before the check's deadline the login gives up, so
// that its own answer ("no greeting before the deadline") arrives before
// the runner's generic "timed out".
const reserve = 50 * time.Millisecond

// judge decides one check from an open session; res already carries the
// server's details.
type judge func(ctx context.Context, s *session, res engine.Result) engine.Result

// serverCheck is one mysql/<aspect>:<name> check. Each opens its own
// connection: checks run in parallel under their own deadlines, and one
// that is skipped or filtered out costs nothing.
type serverCheck struct {
	engine.Base
	srv   *server
	judge judge
	// connect is set for mysql/connect, whose verdict a failed login is;
	// the other checks cannot decide without a session (status error).
	connect bool
}

func (c *serverCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"server": c.srv.name, "role": c.srv.role}}
	t, f := c.srv.resolve(h)
	if f != nil {
		return c.failed(res, f, nil)
	}
	res.Details["dsn"] = t.shown
	res.Details["address"] = depcheck.Redact(t.cfg.Addr, t.secrets...)
	res.Details["tls"] = t.tlsMode
	if dl, ok := ctx.Deadline(); ok {
		r := min(time.Until(dl)/10, reserve)
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-r))
		defer cancel()
	}
	s, f := t.open(ctx)
	if f != nil {
		return c.failed(res, f, t.secrets)
	}
	defer s.close()
	res.Details["version"] = s.version.raw
	res.Details["flavor"] = s.version.flavor
	return redactResult(c.judge(ctx, s, res), t.secrets)
}

// failed reports a step that failed. Configuration problems and, for all
// but mysql/connect, a failed login mean the check could not decide.
func (c *serverCheck) failed(res engine.Result, f *failure, secrets []string) engine.Result {
	res.Details["cause"] = f.Cause
	if f.TLSReason != "" {
		res.Details["tls_reason"] = f.TLSReason
	}
	if f.errno != 0 {
		res.Details["mysql_errno"] = int(f.errno)
	}
	res.Observed = f.Cause
	res.Message = f.String()
	switch {
	case f.Cause == causeConfig:
		res.Status = engine.Error
	case c.connect:
		res.Status = engine.Fail
		res.Remediation = loginPlan(c.srv, f)
	default:
		res.Status = engine.Error
		res.Message = "could not log in, see mysql/connect:" + c.srv.name + ": " + res.Message
	}
	return redactResult(res, secrets)
}

// redactResult is the last line of defence: no text of a result carries a
// secret, whatever a server or driver put into an error.
func redactResult(r engine.Result, secrets []string) engine.Result {
	red := func(s string) string { return depcheck.Redact(s, secrets...) }
	r.Message, r.Observed, r.Expected = red(r.Message), red(r.Observed), red(r.Expected)
	for k, v := range r.Details {
		r.Details[k] = redactValue(v, red)
	}
	if r.Remediation != nil {
		r.Remediation.Summary = red(r.Remediation.Summary)
		for i := range r.Remediation.Actions {
			a := &r.Remediation.Actions[i]
			a.Text, a.Why = red(a.Text), red(a.Why)
		}
	}
	return r
}

func redactValue(v any, red func(string) string) any {
	switch v := v.(type) {
	case string:
		return red(v)
	case map[string]any:
		for k, e := range v {
			v[k] = redactValue(e, red)
		}
	case []map[string]any:
		for _, e := range v {
			redactValue(e, red)
		}
	case []string:
		for i, e := range v {
			v[i] = red(e)
		}
	}
	return v
}

// tell is a plan of manual steps.
func tell(summary string, steps ...string) *remediate.Plan {
	p := &remediate.Plan{Summary: summary}
	for _, s := range steps {
		p.Actions = append(p.Actions, remediate.Tell(s))
	}
	return p
}
