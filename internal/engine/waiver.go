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
//
// A waiver that matches and ends within ExpiringDays gets a warning too,
// so that its renewal (or the fix) is planned before the gate starts
// failing on the day it lapses.
func waiverChecks(waivers []profile.Waiver, planned []Check, now time.Time) []Check {
	var out []Check
	for _, w := range waivers {
		hit := false
		for _, c := range planned {
			if Matches(w.Check, c.Meta()) {
				hit = true
				break
			}
		}
		m := waiverMeta(w.Check)
		m.Where = w.Where
		switch {
		case !hit:
			out = append(out, &unmatchedWaiver{Base: Base{M: m}, w: w, now: now})
		case daysLeft(w, now) >= 0 && daysLeft(w, now) < ExpiringDays:
			out = append(out, &expiringWaiver{Base: Base{M: m}, w: w, now: now})
		}
	}
	return out
}

// ExpiringDays is how close to its last day a waiver in force is warned
// about: two weeks, time to renew it with a reason or fix the finding.
const ExpiringDays = 14

// daysLeft counts the days from now's date (UTC) to the waiver's last day:
// 0 on its last day, negative once it has expired.
func daysLeft(w profile.Waiver, now time.Time) int {
	last := w.Until.AddDate(0, 0, -1)
	today := time.Date(now.UTC().Year(), now.UTC().Month(), now.UTC().Day(), 0, 0, 0, 0, time.UTC)
	return int(last.Sub(today).Round(24*time.Hour) / (24 * time.Hour))
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
		Expected: "matches at least one check, and is not in its last " + fmt.Sprint(ExpiringDays) + " days",
		Level:    string(Warn),
		Severity: "low",
		Reads:    []string{"the profile's waivers: list and the checks the profile plans"},
		Why:      "a waiver that matches nothing is usually a typo or a renamed check, and the finding it meant to waive still counts; one about to lapse fails the gate on the day after its last",
		Fix:      "correct the waiver's check pattern (golive list shows the IDs) or remove it; renew one about to lapse with a new expires, reason and ticket, or fix the finding",
	}
}

type unmatchedWaiver struct {
	Base
	w   profile.Waiver
	now time.Time
}

type expiringWaiver struct {
	Base
	w   profile.Waiver
	now time.Time
}

func (c *expiringWaiver) Run(context.Context, *host.Host) Result {
	n := daysLeft(c.w, c.now)
	when := fmt.Sprintf("in %d days", n)
	switch n {
	case 0:
		when = "today is its last day"
	case 1:
		when = "tomorrow is its last day"
	}
	return Result{
		Status:   Warn,
		Observed: fmt.Sprintf("expires %s, %d days left", c.w.Expires, n),
		Message: fmt.Sprintf("the waiver for %q (%s, %s) holds through %s (%s): renew it with a new date, reason and ticket, or fix the finding before it lapses",
			c.w.Check, c.w.Ticket, c.w.Where, c.w.Expires, when),
		Details: map[string]any{"waiver": waiverDetails(c.w, "", c.now)},
	}
}

func (c *unmatchedWaiver) Run(context.Context, *host.Host) Result {
	return Result{
		Status:   Warn,
		Observed: "matches no check",
		Message: fmt.Sprintf("the waiver for %q (%s, %s) matches no check of this profile: a typo, or a check that no longer exists",
			c.w.Check, c.w.Ticket, c.w.Where),
		Details: map[string]any{"waiver": waiverDetails(c.w, "", c.now)},
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
			waive(r, *w, now)
			applied = true
			break
		}
		if !applied && expired != nil {
			r.Details = withDetail(r.Details, "waiver_expired", waiverDetails(*expired, "", now))
			r.Message = fmt.Sprintf("%s [the waiver %s (%s) expired on %s and no longer applies]",
				r.Message, expired.Ticket, expired.Where, expired.Expires)
		}
	}
}

func waive(r *Result, w profile.Waiver, now time.Time) {
	was := r.Status
	r.Details = withDetail(r.Details, "waiver", waiverDetails(w, was, now))
	r.Message = fmt.Sprintf("waived until %s (%s): %s; was %s: %s", w.Expires, w.Ticket, w.Reason, was, r.Message)
	r.Status = Waived
}

func waiverDetails(w profile.Waiver, was Status, now time.Time) map[string]any {
	d := map[string]any{
		"check":     w.Check,
		"reason":    w.Reason,
		"ticket":    w.Ticket,
		"expires":   w.Expires,
		"where":     w.Where,
		"days_left": daysLeft(w, now),
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
