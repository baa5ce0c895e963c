package osinfo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/remediate"
)

type distroCheck struct {
	engine.Base
	profileName string
	fallback    bool
	matchedBy   string
}

func newDistro(p *profile.Profile) *distroCheck {
	return &distroCheck{Base: engine.Base{M: metaDistro()}, profileName: p.Name, fallback: p.Fallback, matchedBy: p.MatchedBy}
}

func (c *distroCheck) Run(_ context.Context, h *host.Host) engine.Result {
	rel, err := facts.OSRelease(h)
	switch {
	case h.NeedsRoot(err):
		// Like every file a non-root user may not read: not a finding.
		return engine.Result{Status: engine.Skip, Message: engine.NeedsRoot(err.Error() + "; " + c.matchedBy),
			Details: map[string]any{"profile": c.profileName, "matched_by": c.matchedBy}}
	case err != nil:
		return engine.Result{Status: engine.Error, Message: "cannot identify the distro: " + err.Error()}
	}
	res := engine.Result{
		Observed: fmt.Sprintf("%s (ID=%s VERSION_ID=%s)", rel.PrettyName, rel.ID, rel.VersionID),
		Details: map[string]any{
			"id": rel.ID, "id_like": rel.IDLike, "version_id": rel.VersionID, "pretty_name": rel.PrettyName,
			"source": rel.Source, "profile": c.profileName, "matched_by": c.matchedBy,
		},
	}
	detected, _, ok := profile.Detect(rel)
	var steps []remediate.Action
	switch {
	case c.fallback:
		res.Status = engine.Warn
		res.Message = c.matchedBy + "; distro-specific defaults, paths and end-of-life are unknown"
		steps = append(steps, remediate.Tell(noProfileStep(rel)))
	case ok && detected != c.profileName && isBuiltin(c.profileName):
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("checked against profile %s, but the host looks like %s", c.profileName, detected)
		steps = append(steps, remediate.Tell(fmt.Sprintf("run with --profile %s (or --profile auto, which detects it): profile %s is for another release", detected, c.profileName)))
	case !ok && isBuiltin(c.profileName) && c.profileName != profile.Generic:
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("checked against profile %s, which does not match this host's os-release", c.profileName)
		steps = append(steps, remediate.Tell(fmt.Sprintf("keep --profile %s only if this host really is compatible with it; otherwise %s", c.profileName, noProfileStep(rel))))
	default:
		res.Status = engine.Pass
		res.Message = "profile " + c.profileName + ": " + c.matchedBy
	}
	if rel.Malformed > 0 {
		res.Details["malformed_lines"] = rel.Malformed
		res.Message += fmt.Sprintf("; %s has %d malformed line(s)", rel.Source, rel.Malformed)
		if res.Status == engine.Pass {
			res.Status = engine.Warn
		}
		steps = append(steps, remediate.Tell(fmt.Sprintf("correct the malformed lines of %s (os-release(5): KEY=VALUE lines and comments only); it belongs to the distro's release package, so reinstalling that package restores it", rel.Source)))
	}
	if res.Status == engine.Warn {
		res.Remediation = &remediate.Plan{Summary: "check the host against the profile of its release", Actions: steps}
	}
	return res
}

// noProfileStep is what to do on a host no built-in profile matches: use
// the built-in of a compatible release, naming the closest one by
// os-release ID or ID_LIKE when there is one, or write a profile.
func noProfileStep(rel host.OSRelease) string {
	if rel.Unread != nil {
		return "make os-release readable (" + rel.Unread.Error() + "), or run with --profile NAME of the built-in profile for this release (golive profiles lists them)"
	}
	write := fmt.Sprintf("write a profile for ID=%s VERSION_ID=%s that extends linux, with its facts and match rules (docs/profiles.md), and run with --profile FILE", rel.ID, rel.VersionID)
	if name, why, ok := profile.Closest(rel); ok {
		return fmt.Sprintf("if this release is compatible with %s (the closest built-in profile, by os-release %s), run with --profile %s; otherwise %s", name, why, name, write)
	}
	return "run with --profile NAME if a built-in profile's release is compatible with this one (golive profiles lists them); otherwise " + write
}

func isBuiltin(name string) bool {
	for _, b := range profile.Builtins() {
		if b == name {
			return true
		}
	}
	return false
}

type eolCheck struct {
	engine.Base
	date     time.Time // end of standard support; zero: unknown
	note     string
	extended time.Time // end of extended support; zero: none known
	extNote  string
	entitled bool // facts.extended_support
	warnDays int
	profile  string
}

func newEOL(p *profile.Profile, warnDays int) (*eolCheck, error) {
	eol, extended := eolFact.Get(p), eolExtendedFact.Get(p)
	e := &eolCheck{Base: engine.Base{M: metaEOL()}, note: eolNoteFact.Get(p), extNote: eolExtendedNoteFact.Get(p),
		entitled: extendedSupportFact.Get(p), warnDays: warnDays, profile: p.Name}
	if e.note == "" {
		e.note = "end of life"
	}
	if e.extNote == "" {
		e.extNote = "extended support"
	}
	parse := func(field, v string) (time.Time, error) {
		if v == "" {
			return time.Time{}, nil
		}
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return d, fmt.Errorf("profile %s: facts.%s %q is not a date (YYYY-MM-DD)", p.Name, field, v)
		}
		return d, nil
	}
	var err error
	if e.date, err = parse("eol", eol); err != nil {
		return nil, err
	}
	if e.extended, err = parse("eol_extended", extended); err != nil {
		return nil, err
	}
	switch {
	case !e.extended.IsZero() && e.date.IsZero():
		return nil, fmt.Errorf("profile %s: facts.eol_extended needs facts.eol (the end of standard support)", p.Name)
	case !e.extended.IsZero() && e.extended.Before(e.date):
		return nil, fmt.Errorf("profile %s: facts.eol_extended %s is before facts.eol %s", p.Name, extended, eol)
	}
	switch {
	case e.date.IsZero():
	case e.entitled && !e.extended.IsZero():
		e.M.Expected = "supported (" + e.extNote + " until " + extended + ", entitled)"
	default:
		e.M.Expected = "supported (end of standard support " + eol + ")"
	}
	return e, nil
}

// Run judges today against the end of standard support, or — when the
// host is entitled to the vendor's extended support — against its end.
// An entitled host past the standard date passes while extended support
// lasts; a host that is not entitled fails the day standard support ends,
// and the message names the extended support it could buy.
func (c *eolCheck) Run(_ context.Context, h *host.Host) engine.Result {
	if c.date.IsZero() {
		return engine.Result{Status: engine.Skip, Message: "profile " + c.profile + " has no end-of-life date (facts.eol)"}
	}
	now := h.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	daysTo := func(d time.Time) int { return int(math.Round(d.Sub(today).Hours() / 24)) }
	date := c.date.Format(time.DateOnly)
	details := map[string]any{"eol": date, "days_left": daysTo(c.date), "phase": c.note, "extended_support": c.entitled}
	if !c.extended.IsZero() {
		details["eol_extended"] = c.extended.Format(time.DateOnly)
		details["days_left_extended"] = daysTo(c.extended)
	}
	res := engine.Result{Details: details}

	// The end that counts for this host, and what it is called.
	end, phase := c.date, c.note
	if c.entitled && !c.extended.IsZero() {
		end, phase = c.extended, c.extNote
	}
	days, endDate := daysTo(end), end.Format(time.DateOnly)
	standardOver := daysTo(c.date) <= 0
	switch {
	case days <= 0:
		res.Status = engine.Fail
		res.Observed = fmt.Sprintf("%s reached on %s (%d days ago)", phase, endDate, -days)
		res.Message = "the release no longer receives security updates"
		steps := []remediate.Action{remediate.Tell("move the service to a supported distro release; an end-of-life release cannot be fixed in place")}
		if !c.entitled && !c.extended.IsZero() && daysTo(c.extended) > 0 {
			ext := c.extended.Format(time.DateOnly)
			res.Message = fmt.Sprintf("the release no longer receives security updates without %s (until %s)", c.extNote, ext)
			steps = append(steps, remediate.Tell(fmt.Sprintf("or, if this host is covered by %s (until %s), set facts.extended_support: true in the service's profile", c.extNote, ext)))
		} else if c.entitled && c.extended.IsZero() {
			res.Message += fmt.Sprintf("; facts.extended_support is set but profile %s knows no end of extended support (facts.eol_extended)", c.profile)
		}
		res.Remediation = &remediate.Plan{Summary: "migrate to a supported release", Actions: steps}
	case days <= c.warnDays:
		res.Status = engine.Warn
		res.Observed = fmt.Sprintf("%s on %s (in %d days)", phase, endDate, days)
		res.Message = fmt.Sprintf("support ends within %d days; plan the migration", c.warnDays)
		res.Remediation = &remediate.Plan{Summary: "plan the move to a supported release",
			Actions: []remediate.Action{remediate.Tell(fmt.Sprintf("move the service to a supported distro release before %s", endDate))}}
	default:
		res.Status = engine.Pass
		res.Observed = fmt.Sprintf("%s on %s (in %d days)", phase, endDate, days)
		res.Message = "supported"
		if standardOver {
			res.Observed = fmt.Sprintf("%s reached on %s; %s until %s (in %d days)", c.note, date, phase, endDate, days)
			res.Message = "supported by the extended support this host is entitled to (facts.extended_support)"
		}
	}
	return res
}

type kernelCheck struct {
	engine.Base
	rule profile.Rule
	pkg  string
}

func (c *kernelCheck) Run(_ context.Context, h *host.Host) engine.Result {
	rel, err := facts.KernelRelease(h)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !h.Live() && !h.Exists("/proc/sys"):
		return engine.Result{Status: engine.Skip, Message: "image: no running kernel (the root has no /proc/sys)"}
	case err != nil:
		return engine.Result{Status: engine.Error, Message: "read kernel release: " + err.Error()}
	}
	res := engine.Result{Observed: rel, Details: map[string]any{"release": rel}}
	ok, err := c.rule.Expect.Eval(rel)
	switch {
	case err != nil:
		res.Status = engine.Error
		res.Message = fmt.Sprintf("cannot compare kernel release %q: %v", rel, err)
	case ok:
		res.Status = engine.Pass
		res.Message = "kernel release satisfies the profile"
	default:
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = "kernel older than the profile's minimum"
		res.Remediation = &remediate.Plan{Summary: "upgrade the kernel", Reboot: true, Actions: upgradeActions(c.pkg, aptKernelPackage(h))}
	}
	return res
}

// aptKernelPackage is the kernel metapackage of an apt distro, from the
// host's os-release and architecture: Ubuntu's linux-image-generic, Debian's
// linux-image-<dpkg architecture> (linux-image-amd64, linux-image-arm64);
// "" when unknown.
func aptKernelPackage(h *host.Host) string {
	rel, err := facts.OSRelease(h)
	if err != nil {
		return ""
	}
	like := func(id string) bool { return rel.ID == id || slices.Contains(rel.IDLike, id) }
	switch {
	case like("ubuntu"):
		return "linux-image-generic"
	case like("debian"):
		arch, _ := facts.Arch(h)
		if a, ok := map[string]string{"x86_64": "amd64", "aarch64": "arm64"}[arch]; ok {
			return "linux-image-" + a
		}
	}
	return ""
}

// upgradeActions names the package manager's command as advice, not as a
// runnable step: a kernel upgrade is a change window, not a script line.
func upgradeActions(pkg, aptKernel string) []remediate.Action {
	var cmd string
	switch {
	case pkg == "yum" || pkg == "dnf":
		cmd = pkg + " update kernel"
	case pkg == "apt" && aptKernel != "":
		cmd = "apt-get install --only-upgrade " + aptKernel
	}
	text := "install the distro's current kernel and reboot"
	if cmd != "" {
		text = strings.Join([]string{text, "(" + cmd + ")"}, " ")
	}
	return []remediate.Action{remediate.Tell(text)}
}
