package systemd

import (
	"context"
	"fmt"
	"io/fs"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/unit"
)

// linkDirs are where `systemctl enable` and packages put the .wants and
// .requires links, with what a link there means.
var linkDirs = []struct{ dir, state string }{
	{"/etc/systemd/system", "enabled"},
	{"/run/systemd/system", "enabled-runtime"},
	{"/usr/local/lib/systemd/system", "vendor"},
	{"/usr/lib/systemd/system", "vendor"},
	{"/lib/systemd/system", "vendor"},
}

// bootTargets are searched for links even when [Install] does not name
// them: a link made by hand starts the unit at boot as well.
var bootTargets = []string{"multi-user.target", "default.target", "graphical.target"}

// enablement is what the files say about a unit starting at boot.
type enablement struct {
	state   string   // enabled, enabled-runtime, vendor, disabled, static
	links   []string // the links found
	targets []string // WantedBy= and RequiredBy= of [Install]
	install bool     // the unit has an [Install] section
}

// offlineEnablement finds the links systemctl enable makes: for each
// WantedBy= target <dir>/<target>.wants/<unit>, for RequiredBy= .requires.
func offlineEnablement(h *host.Host, f *unit.File) enablement {
	e := enablement{}
	for _, o := range f.Options {
		if o.Section == "Install" {
			e.install = true
			break
		}
	}
	wanted := words(f, "Install", "WantedBy")
	required := words(f, "Install", "RequiredBy")
	e.targets = append(append([]string{}, wanted...), required...)
	type cand struct{ target, sub string }
	var cands []cand
	seen := map[string]bool{}
	add := func(t, sub string) {
		if !seen[t+sub] && !strings.ContainsAny(t, "/\x00") && t != "" {
			seen[t+sub] = true
			cands = append(cands, cand{t, sub})
		}
	}
	for _, t := range wanted {
		add(t, ".wants")
	}
	for _, t := range required {
		add(t, ".requires")
	}
	for _, t := range bootTargets {
		add(t, ".wants")
	}
	states := map[string]bool{}
	for _, d := range linkDirs {
		for _, c := range cands {
			p := d.dir + "/" + c.target + c.sub + "/" + f.Name
			if fi, err := h.Lstat(p); err == nil && fi.Mode()&fs.ModeType != fs.ModeDir {
				e.links = append(e.links, p)
				states[d.state] = true
			}
		}
	}
	switch {
	case states["enabled"]:
		e.state = "enabled"
	case states["enabled-runtime"]:
		e.state = "enabled-runtime"
	case states["vendor"]:
		e.state = "vendor"
	case e.install:
		e.state = "disabled"
	default:
		e.state = "static"
	}
	return e
}

// --- systemd/enabled:<unit>

type enabledCheck struct {
	engine.Base
	st *shared
}

func (c *enabledCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	m, skip := c.st.prepare(h)
	if skip != nil {
		return *skip
	}
	f, bad := c.st.loadUnit(h)
	if bad != nil {
		if bad.Observed == "masked" {
			return *bad
		}
		return unusable(*bad)
	}
	e := offlineEnablement(h, f)
	res := engine.Result{Details: map[string]any{"unit": c.st.name, "files_state": e.state, "links": e.links, "install_targets": e.targets}}
	res.Observed = e.state
	switch e.state {
	case "enabled":
		res.Status = engine.Pass
		res.Message = "enabled: " + strings.Join(e.links, ", ")
	case "vendor":
		res.Status = engine.Pass
		res.Message = "started at boot through the package's link " + strings.Join(e.links, ", ")
	case "enabled-runtime":
		res.Status = engine.Warn
		res.Message = "enabled only under /run (" + strings.Join(e.links, ", ") + "): gone at the next reboot"
		res.Remediation = enablePlan(c.st.name)
	case "disabled":
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("disabled: no link for its [Install] targets (%s): it does not start at boot", strings.Join(e.targets, ", "))
		if len(e.targets) == 0 {
			res.Message = "disabled: its [Install] section names no WantedBy=/RequiredBy= target, so systemctl enable links it nowhere"
		}
		res.Remediation = enablePlan(c.st.name)
	default:
		res.Status = engine.Fail
		res.Message = "static: the unit has no [Install] section and nothing links it into a boot target: it starts at boot only if another unit wants it"
		res.Remediation = &remediate.Plan{Summary: "make " + c.st.name + " start at boot", Actions: []remediate.Action{remediate.Tell(
			"add an [Install] section with WantedBy=multi-user.target to the unit (a drop-in does not count for [Install]), then systemctl enable " + c.st.name)}}
	}
	if m == modeLive {
		lp, err := c.st.liveProps(ctx, h)
		if err != nil {
			res.Details["live_error"] = err.Error()
			res.Message += "; the running systemd could not be asked: " + err.Error()
			return res
		}
		return judgeLiveEnablement(res, e.state, unit.PropString(lp.unit, "UnitFileState"), c.st.name)
	}
	return res
}

// judgeLiveEnablement adds the running systemd's UnitFileState. systemd
// keeps that property as it was at the last daemon-reload, while
// `systemctl is-enabled` (GetUnitFileState) reads the links again: the
// files decide, as they do for is-enabled, and a cached state that
// disagrees means systemd has not reloaded. States the links alone cannot
// show (indirect, generated, linked, alias, transient, masked) come from
// systemd.
func judgeLiveEnablement(res engine.Result, files, live, name string) engine.Result {
	switch live {
	case "":
		return res
	case "enabled", "enabled-runtime", "disabled", "static":
	default:
		return judgeUnitFileState(res, live, name)
	}
	res.Details["unit_file_state"] = live
	if sameEnablement(files, live) {
		return res
	}
	res.Message += fmt.Sprintf("; daemon-reload needed: the running systemd still reports UnitFileState=%s from before the links changed (systemctl is-enabled reads the links and says %s)", live, isEnabledWord(files))
	if res.Status == engine.Pass {
		res.Status = engine.Warn
		res.Remediation = reloadPlan()
	}
	return res
}

// sameEnablement compares the files' state with UnitFileState: a
// package's link under /usr/lib is enabled to systemd.
func sameEnablement(files, live string) bool {
	return isEnabledWord(files) == live
}

func isEnabledWord(files string) string {
	if files == "vendor" {
		return "enabled"
	}
	return files
}

// judgeUnitFileState judges what systemctl is-enabled reports; the
// running systemd's answer replaces the files' one.
func judgeUnitFileState(res engine.Result, state, name string) engine.Result {
	if state == "" {
		return res
	}
	res.Details["unit_file_state"] = state
	res.Observed = state
	res.Remediation = nil
	switch state {
	case "enabled":
		res.Status = engine.Pass
		res.Message = "UnitFileState=enabled"
	case "enabled-runtime", "linked", "linked-runtime", "alias", "indirect", "generated", "transient":
		res.Status = engine.Warn
		res.Message = "UnitFileState=" + state + ": not a plain enabled unit; check that it starts at boot (" + stateMeaning(state) + ")"
		res.Remediation = enablePlan(name)
	case "static":
		res.Status = engine.Warn
		res.Message = "UnitFileState=static: no [Install] section; it starts at boot only if another unit wants it"
	default:
		res.Status = engine.Fail
		res.Message = "UnitFileState=" + state + ": it does not start at boot"
		res.Remediation = enablePlan(name)
	}
	return res
}

func stateMeaning(state string) string {
	switch state {
	case "enabled-runtime", "linked-runtime":
		return "enabled under /run, gone at reboot"
	case "linked":
		return "linked from outside the search path"
	case "indirect":
		return "enabled through another unit's Also="
	case "generated":
		return "made by a generator at boot"
	case "transient":
		return "created at runtime, gone at reboot"
	}
	return "an alias of another unit"
}

func enablePlan(name string) *remediate.Plan {
	return &remediate.Plan{Summary: "enable " + name + " at boot", Actions: []remediate.Action{
		remediate.Run("link the unit into its [Install] targets", "systemctl", "enable", name)}}
}
