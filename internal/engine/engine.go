// Package engine turns a profile into checks and runs them: a registry of
// check families (each registers from init), one planner (Prepare: build,
// expand, waivers, selection) that every command uses, and a parallel
// runner with per-check timeouts, a global deadline and panic isolation.
// The engine never names a family. docs/ARCHITECTURE.md describes the
// pipeline.
package engine

import (
	"context"
	"time"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/remediate"
)

// Status is a check's verdict.
type Status string

// The statuses. skip: not applicable or not permitted here (says why).
// error: the check could not decide; never a pass.
const (
	Pass   Status = "pass"
	Warn   Status = "warn"
	Fail   Status = "fail"
	Skip   Status = "skip"
	Error  Status = "error"
	Waived Status = "waived"
)

// Statuses in report order.
var Statuses = []Status{Pass, Warn, Fail, Skip, Error, Waived}

// Result is what one check found.
type Result struct {
	ID       string
	Category string
	Title    string
	Status   Status
	Severity string // critical | high | medium | low | info
	Expected string // one line
	Observed string // one line
	Message  string // what was found, why it was skipped, or what went wrong
	// Why is why the rule matters, whatever this host gave: the rule's
	// why: in the profile, or the family's own (Meta.Why).
	Why string
	// Details are structured facts for machines, e.g. {"runtime": "4096",
	// "persisted": "65535", "file": "/etc/sysctl.d/90-golive.conf"}.
	Details     map[string]any
	Remediation *remediate.Plan
	Duration    time.Duration
}

// Meta describes a check before it runs: for `golive list`, `explain`,
// filtering and the fields of its Result.
type Meta struct {
	ID       string
	Category string
	Title    string
	Expected string
	Level    string // fail or warn: what a miss gives
	Severity string
	// Network is set for checks that talk to other machines; --offline
	// skips them.
	Network bool
	// Reads lists what the check reads, Why why it matters, Fix how a miss
	// is fixed, Where the profile line that asked for it.
	Reads []string
	Why   string
	Fix   string
	Where string
}

// WithRule returns m with what a profile rule says: the expectation, the
// level a miss gives, where it was written, and the rule's own severity and
// why when it has them (the family's defaults otherwise).
func (m Meta) WithRule(r profile.Rule) Meta {
	m.Expected = r.Expect.String()
	m.Level = r.Level
	m.Where = r.Where
	if r.Severity != "" {
		m.Severity = r.Severity
	}
	if r.Why != "" {
		m.Why = r.Why
	}
	return m
}

// Check is one runnable check. Run honours ctx: the runner abandons a check
// whose context is done, but a check that stops early frees its resources.
type Check interface {
	ID() string
	Meta() Meta
	Run(ctx context.Context, h *host.Host) Result
}

// Base carries a check's Meta; families embed it.
type Base struct{ M Meta }

// ID is the stable check ID.
func (b Base) ID() string { return b.M.ID }

// Meta describes the check.
func (b Base) Meta() Meta { return b.M }
