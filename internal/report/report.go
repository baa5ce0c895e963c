// Package report turns a run into the documents golive emits. The JSON
// form (schema golive/report/v1, published as docs/report.schema.json) is a
// contract: additive changes keep v1, anything else is v2.
package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// SchemaV1 identifies the JSON report format.
const SchemaV1 = "golive/report/v1"

// Verdicts.
const (
	VerdictPass    = "pass"    // every check passed, was skipped or waived
	VerdictWarn    = "warn"    // warnings, no failure
	VerdictFail    = "fail"    // a check failed or errored
	VerdictAborted = "aborted" // the run did not finish (--timeout, signal)
)

// Report is the whole result of one run.
type Report struct {
	Schema     string   `json:"schema"`
	Tool       Tool     `json:"tool"`
	Host       Host     `json:"host"`
	Profile    Profile  `json:"profile"`
	StartedAt  string   `json:"started_at"` // RFC 3339, UTC
	DurationMS float64  `json:"duration_ms"`
	Summary    Summary  `json:"summary"`
	Verdict    string   `json:"verdict"`
	Aborted    string   `json:"aborted,omitempty"` // why the run stopped early
	Notices    []string `json:"notices,omitempty"` // e.g. the generic-profile fallback
	Checks     []Check  `json:"checks"`
}

// Tool names the producer.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Host describes the checked machine.
type Host struct {
	Hostname  string `json:"hostname"`
	MachineID string `json:"machine_id"`
	Kernel    string `json:"kernel"`
	Arch      string `json:"arch"`
	Distro    Distro `json:"distro"`
	Root      string `json:"root"`
}

// Distro is the host's os-release.
type Distro struct {
	ID         string   `json:"id"`
	IDLike     []string `json:"id_like,omitempty"`
	VersionID  string   `json:"version_id"`
	PrettyName string   `json:"pretty_name"`
}

// Profile names the resolved profile and every file merged into it.
type Profile struct {
	Name     string   `json:"name"`
	Chain    []string `json:"chain"`
	Fallback bool     `json:"fallback,omitempty"`
}

// Summary counts results by status.
type Summary struct {
	Total  int `json:"total"`
	Pass   int `json:"pass"`
	Warn   int `json:"warn"`
	Fail   int `json:"fail"`
	Skip   int `json:"skip"`
	Error  int `json:"error"`
	Waived int `json:"waived"`
	// Interrupted counts the errors that are checks the run's end (its
	// --timeout, a signal) cut short: counted in Error too, so the status
	// counts still add up to Total, and left out when zero (additive to v1).
	Interrupted int `json:"interrupted,omitempty"`
}

// Check is one result as reported.
type Check struct {
	ID          string          `json:"id"`
	Category    string          `json:"category"`
	Title       string          `json:"title"`
	Status      engine.Status   `json:"status"`
	Severity    string          `json:"severity"`
	Expected    string          `json:"expected"`
	Observed    string          `json:"observed"`
	Message     string          `json:"message"`
	Why         string          `json:"why,omitempty"` // additive to v1: reports before it have none
	Details     map[string]any  `json:"details"`
	Remediation *remediate.Plan `json:"remediation"`
	Fingerprint string          `json:"fingerprint"`
	DurationMS  float64         `json:"duration_ms"`
}

// Input is what a report is made of.
type Input struct {
	Version  string
	Identity host.Identity
	Root     string
	Profile  Profile
	Notices  []string
	Outcome  engine.Outcome
}

// New builds the report of a run.
func New(in Input) *Report {
	r := &Report{
		Schema: SchemaV1,
		Tool:   Tool{Name: "golive", Version: in.Version},
		Host: Host{
			Hostname:  in.Identity.Hostname,
			MachineID: in.Identity.MachineID,
			Kernel:    in.Identity.Kernel,
			Arch:      in.Identity.Arch,
			Distro: Distro{
				ID:         in.Identity.OS.ID,
				IDLike:     in.Identity.OS.IDLike,
				VersionID:  in.Identity.OS.VersionID,
				PrettyName: in.Identity.OS.PrettyName,
			},
			Root: in.Root,
		},
		Profile:    in.Profile,
		StartedAt:  in.Outcome.Started.UTC().Format(time.RFC3339Nano),
		DurationMS: ms(in.Outcome.Duration),
		Notices:    in.Notices,
		Checks:     make([]Check, 0, len(in.Outcome.Results)),
	}
	if r.Profile.Chain == nil {
		r.Profile.Chain = []string{}
	}
	hostKey := in.Identity.MachineID
	if hostKey == "" {
		hostKey = in.Identity.Hostname
	}
	for _, res := range in.Outcome.Results {
		r.Checks = append(r.Checks, Check{
			ID:          res.ID,
			Category:    res.Category,
			Title:       res.Title,
			Status:      res.Status,
			Severity:    res.Severity,
			Expected:    res.Expected,
			Observed:    res.Observed,
			Message:     res.Message,
			Why:         res.Why,
			Details:     nonNil(res.Details),
			Remediation: res.Remediation,
			Fingerprint: Fingerprint(hostKey, res.ID),
			DurationMS:  ms(res.Duration),
		})
		r.Summary.add(r.Checks[len(r.Checks)-1])
	}
	r.Verdict = r.Summary.Verdict()
	if in.Outcome.Aborted {
		r.Verdict = VerdictAborted
		// The schema promises a reason with every aborted verdict (the
		// field is omitempty), so an outcome without one still gets one.
		r.Aborted = cmp.Or(in.Outcome.Reason, "run did not finish")
	}
	return r
}

// Fingerprint identifies one finding on one host across runs: a ticketing
// tool opens, updates and closes one ticket per fingerprint.
func Fingerprint(hostKey, checkID string) string {
	sum := sha256.Sum256([]byte(hostKey + "\x00" + checkID))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Interrupted reports whether c is a check the run's end cut short: an
// error that is not a finding about the host (engine.Interrupted).
func (c Check) Interrupted() bool {
	return c.Status == engine.Error && c.Details["cause"] == engine.CauseInterrupted
}

// Count counts checks by status, as a report's summary does.
func Count(checks []Check) Summary {
	var s Summary
	for _, c := range checks {
		s.add(c)
	}
	return s
}

func (s *Summary) add(c Check) {
	s.Total++
	if c.Interrupted() {
		s.Interrupted++
	}
	switch c.Status {
	case engine.Pass:
		s.Pass++
	case engine.Warn:
		s.Warn++
	case engine.Fail:
		s.Fail++
	case engine.Skip:
		s.Skip++
	case engine.Error:
		s.Error++
	case engine.Waived:
		s.Waived++
	}
}

// Verdict is fail when anything failed or errored, warn when anything
// warned, pass otherwise.
func (s Summary) Verdict() string {
	switch {
	case s.Fail > 0 || s.Error > 0:
		return VerdictFail
	case s.Warn > 0:
		return VerdictWarn
	}
	return VerdictPass
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
