package osinfo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"time"

	"github.com/golive-sh/golive/internal/engine"
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
	rel, err := h.OSRelease()
	switch {
	case errors.Is(err, fs.ErrPermission) && !h.Privileged():
		// Like every file a non-root user may not read: not a finding.
		return engine.Result{Status: engine.Skip, Message: "needs root: " + err.Error() + "; " + c.matchedBy,
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
	switch {
	case c.fallback:
		res.Status = engine.Warn
		res.Message = c.matchedBy + "; distro-specific defaults, paths and end-of-life are unknown"
	case ok && detected != c.profileName && isBuiltin(c.profileName):
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("checked against profile %s, but the host looks like %s", c.profileName, detected)
	case !ok && isBuiltin(c.profileName) && c.profileName != profile.Generic:
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("checked against profile %s, which does not match this host's os-release", c.profileName)
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
	}
	return res
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
	date     time.Time // zero: unknown
	note     string
	warnDays int
	profile  string
}

func (c *eolCheck) Run(_ context.Context, h *host.Host) engine.Result {
	if c.date.IsZero() {
		return engine.Result{Status: engine.Skip, Message: "profile " + c.profile + " has no end-of-life date (facts.eol)"}
	}
	now := h.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	days := int(math.Round(c.date.Sub(today).Hours() / 24))
	date := c.date.Format(time.DateOnly)
	phase := c.note
	if phase == "" {
		phase = "end of life"
	}
	res := engine.Result{Details: map[string]any{"eol": date, "days_left": days, "phase": phase}}
	switch {
	case days <= 0:
		res.Status = engine.Fail
		res.Observed = fmt.Sprintf("%s reached on %s (%d days ago)", phase, date, -days)
		res.Message = "the release no longer receives security updates"
		res.Remediation = &remediate.Plan{
			Summary: "migrate to a supported release",
			Actions: []remediate.Action{remediate.Tell("move the service to a supported distro release; an end-of-life release cannot be fixed in place")},
		}
	case days <= c.warnDays:
		res.Status = engine.Warn
		res.Observed = fmt.Sprintf("%s on %s (in %d days)", phase, date, days)
		res.Message = fmt.Sprintf("support ends within %d days; plan the migration", c.warnDays)
	default:
		res.Status = engine.Pass
		res.Observed = fmt.Sprintf("%s on %s (in %d days)", phase, date, days)
		res.Message = "supported"
	}
	return res
}

type kernelCheck struct {
	engine.Base
	rule profile.Rule
	pkg  string
}

func (c *kernelCheck) Run(_ context.Context, h *host.Host) engine.Result {
	rel, err := h.KernelRelease()
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
		res.Status = engine.Fail
		if c.rule.Level == profile.LevelWarn {
			res.Status = engine.Warn
		}
		res.Message = "kernel older than the profile's minimum"
		res.Remediation = &remediate.Plan{Summary: "upgrade the kernel", Reboot: true, Actions: upgradeActions(c.pkg)}
	}
	return res
}

// upgradeActions names the package manager's command as advice, not as a
// runnable step: a kernel upgrade is a change window, not a script line.
func upgradeActions(pkg string) []remediate.Action {
	var cmd string
	switch pkg {
	case "yum", "dnf":
		cmd = pkg + " update kernel"
	case "apt":
		cmd = "apt-get install --only-upgrade linux-image-generic"
	}
	text := "install the distro's current kernel and reboot"
	if cmd != "" {
		text = strings.Join([]string{text, "(" + cmd + ")"}, " ")
	}
	return []remediate.Action{remediate.Tell(text)}
}
