package engine

import (
	"context"
	_ "embed"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

// WaiverCategory is the category of the warnings about waivers that match
// no check.
const WaiverCategory = "waiver"

// waiverDoc is the waiver checks' section of docs/checks.md.
//
//go:embed waiver.md
var waiverDoc string

// waiverFamily describes the engine's own waiver checks the way a family
// describes its checks, for explain and docs/checks.md; it builds nothing
// from a profile section (Prepare adds the checks), so it is not
// registered and no profile has a waiver: section.
var waiverFamily = Family{
	Name:    WaiverCategory,
	Explain: explainWaiver,
	Doc:     waiverDoc,
	Checks:  []CheckDoc{{Heading: "`" + WaiverCategory + "/<check>`", Example: WaiverCategory + "/sysctl/vm.swappiness"}},
}

// waiverChecks returns one warning check for every waiver that matches
// none of the planned checks: a waiver with a typo in its pattern would
// otherwise sit in the profile while the finding it meant to waive still
// fails the gate. Prepare passes the checks before --only/--skip, so that
// a filtered run does not call every other waiver a typo.
func waiverChecks(waivers []profile.Waiver, planned []Check) []Check {
	var out []Check
	for _, w := range waivers {
		hit := false
		for _, c := range planned {
			if Matches(w.Check, c.Meta()) {
				hit = true
				break
			}
		}
		if hit {
			continue
		}
		m := waiverMeta(w.Check)
		m.Where = w.Where
		out = append(out, &unmatchedWaiver{Base: Base{M: m}, w: w})
	}
	return out
}

// explainWaiver describes waiver/<pattern> for `golive explain`.
func explainWaiver(id string) (Meta, bool) {
	pattern, ok := strings.CutPrefix(id, WaiverCategory+"/")
	if !ok || pattern == "" {
		return Meta{}, false
	}
	return waiverMeta(pattern), true
}

// waiverMeta describes the warning about the waiver for pattern.
func waiverMeta(pattern string) Meta {
	return Meta{
		ID:       WaiverCategory + "/" + pattern,
		Category: WaiverCategory,
		Title:    "Waiver matches a check",
		Expected: "matches at least one check",
		Level:    string(Warn),
		Severity: "low",
		Reads:    []string{"the profile's waivers: list and the checks the profile plans"},
		Why:      "a waiver that matches nothing is usually a typo or a renamed check; the finding it meant to waive still counts",
		Fix:      "correct the waiver's check pattern (golive list shows the IDs), or remove the waiver",
	}
}

type unmatchedWaiver struct {
	Base
	w profile.Waiver
}

func (c *unmatchedWaiver) Run(context.Context, *host.Host) Result {
	return Result{
		Status:   Warn,
		Observed: "matches no check",
		Message: fmt.Sprintf("the waiver for %q (%s, %s) matches no check of this profile: a typo, or a check that no longer exists",
			c.w.Check, c.w.Ticket, c.w.Where),
		Details: map[string]any{"waiver": waiverDetails(c.w, "")},
	}
}

// applyWaivers marks the failures, errors (not interrupted ones) and warnings that a waiver in
// force covers as waived, keeping what was found; a matching waiver that
// has expired leaves the result as it is and says so. now decides expiry
// (the host's clock, so golden runs are reproducible).
func applyWaivers(out *Outcome, waivers []profile.Waiver, now time.Time) {
	if len(waivers) == 0 {
		return
	}
	for i := range out.Results {
		r := &out.Results[i]
		// An interrupted check found nothing: there is nothing to waive.
		if r.Status != Fail && r.Status != Error && r.Status != Warn || Interrupted(*r) {
			continue
		}
		m := Meta{ID: r.ID, Category: r.Category}
		var expired *profile.Waiver
		applied := false
		for j := range waivers {
			w := &waivers[j]
			if !Matches(w.Check, m) {
				continue
			}
			if !now.Before(w.Until) {
				if expired == nil {
					expired = w
				}
				continue
			}
			waive(r, *w)
			applied = true
			break
		}
		if !applied && expired != nil {
			r.Details = withDetail(r.Details, "waiver_expired", waiverDetails(*expired, ""))
			r.Message = fmt.Sprintf("%s [the waiver %s (%s) expired on %s and no longer applies]",
				r.Message, expired.Ticket, expired.Where, expired.Expires)
		}
	}
}

func waive(r *Result, w profile.Waiver) {
	was := r.Status
	r.Details = withDetail(r.Details, "waiver", waiverDetails(w, was))
	r.Message = fmt.Sprintf("waived until %s (%s): %s; was %s: %s", w.Expires, w.Ticket, w.Reason, was, r.Message)
	r.Status = Waived
}

func waiverDetails(w profile.Waiver, was Status) map[string]any {
	d := map[string]any{
		"check":   w.Check,
		"reason":  w.Reason,
		"ticket":  w.Ticket,
		"expires": w.Expires,
		"where":   w.Where,
	}
	if was != "" {
		d["status"] = string(was)
	}
	return d
}

// withDetail adds a key without touching a map the check may share.
func withDetail(d map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(d)+1)
	maps.Copy(out, d)
	out[k] = v
	return out
}
