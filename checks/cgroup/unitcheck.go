package cgroup

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/unit"
)

// unitCache names the service's unit; the unit (and what percentages
// refer to) is read once per run for all its knobs (facts.Memo).
type unitCache struct {
	name string
}

// unitInfo is what one host says about the unit; it is not changed once
// made, so checks share it without locking.
type unitInfo struct {
	f        *unit.File
	err      error
	env      *unit.Environment
	totals   *hostTotals
	cpus     int
	cpusFrom string
}

type unitInfoKey struct{ name string }

func (c *unitCache) get(h *host.Host) *unitInfo {
	return facts.Memo(h, unitInfoKey{c.name}, func(h *host.Host) *unitInfo {
		u := &unitInfo{totals: &hostTotals{}}
		u.f, u.err = facts.Unit(h, c.name)
		u.env = facts.UnitEnvironment(h, c.name)
		u.totals.load(h)
		u.cpus, u.cpusFrom = cpuCount(h)
		return u
	})
}

// typeSections is where each unit type keeps its resource-control
// settings (systemd.resource-control(5)); other types have no cgroup.
var typeSections = map[string]string{
	"service": "Service", "socket": "Socket", "mount": "Mount", "swap": "Swap", "slice": "Slice", "scope": "Scope",
}

type unitCheck struct {
	engine.Base
	unitName string
	knob     knob
	rule     profile.Rule
	want     knobExpect
	binaries []string
	state    *stateCache
	units    *unitCache
}

func (c *unitCheck) Run(_ context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"unit": c.unitName, "knob": c.knob.Name}}
	st := c.state.get(h)
	switch {
	case st.permErr != nil:
		return engine.SkipNeedsRoot(res, st.permErr)
	case st.err != nil:
		return fail(res, engine.Error, st.err.Error())
	}
	u := c.units.get(h)
	switch {
	case h.NeedsRoot(u.err):
		return engine.SkipNeedsRoot(res, u.err)
	case errors.Is(u.err, unit.ErrNotFound):
		return skip(res, fmt.Sprintf("unit %s not found: nothing to limit (the systemd checks report a missing unit)", c.unitName))
	case u.err != nil:
		return fail(res, engine.Error, "read unit: "+u.err.Error())
	case u.f.Masked:
		return skip(res, fmt.Sprintf("unit %s is masked (%s -> /dev/null): systemd refuses to start it", c.unitName, u.f.Path))
	}
	res.Details["unit_files"] = u.f.Paths()
	typ := c.unitName[strings.LastIndexByte(c.unitName, '.')+1:]
	section, ok := typeSections[typ]
	if !ok {
		return skip(res, "a ."+typ+" unit has no cgroup of its own")
	}
	mode := st.mode()
	if c.knob.V2Only && (mode == v1 || (st.runtime && st.layout.v1[c.knob.Controller].point != "")) {
		return skip(res, fmt.Sprintf("cgroup %s keeps the %s controller on v1, which has no %s (%s= needs the unified hierarchy)", mode, c.knob.Controller, c.knob.Name, c.knob.Directive))
	}

	cfg := configured(u.f, section, c.knob, mode, u.totals)
	res.Details["configured"] = cfg.details(c.knob.Q)
	cg, err := c.cgroup(u.f, section)
	if err != nil {
		return fail(res, engine.Error, err.Error())
	}
	res.Details["cgroup"] = cg
	lv, err := readLive(h, st, c.knob, cg)
	switch {
	case h.NeedsRoot(err):
		return engine.SkipNeedsRoot(res, err)
	case err != nil:
		return fail(res, engine.Error, "read live cgroup: "+err.Error())
	case lv.state == liveUnsupported:
		return skip(res, lv.note)
	}
	res.Details["live"] = lv.details(c.knob.Q)

	var g *goMaxProcs
	if c.knob.Q == coresQ {
		q := cfg.amount
		if lv.state == liveValue {
			q = lv.amount
		}
		gr := goRuntime(h, u.f, section, u.env, q, u.cpus, c.binaries)
		g = &gr
		res.Details["cores"] = q.text()
		res.Details["online_cpus"] = u.cpus
		res.Details["cpus_from"] = u.cpusFrom
		res.Details["gomaxprocs"] = gr.details()
	}
	return c.judge(res, st, u, cfg, lv, g)
}

// cgroup is the unit's cgroup path below the hierarchy root.
func (c *unitCheck) cgroup(f *unit.File, section string) (string, error) {
	if section == "Slice" {
		return slicePath(c.unitName)
	}
	slice, _ := f.Last(section, "Slice")
	return cgroupPath(c.unitName, slice)
}

func (c *unitCheck) judge(res engine.Result, st *state, u *unitInfo, cfg setting, lv live, g *goMaxProcs) engine.Result {
	q := c.knob.Q
	cfgOK := cfg.known && c.want.holds(cfg.amount)
	cfgText := cfg.where()
	if cfg.set && !cfg.known {
		cfgText += " (" + strings.Join(cfg.notes, "; ") + ")"
	}
	gm := ""
	if g != nil {
		gm = "; " + g.context()
	}
	running := lv.state == liveValue && st.runtime
	plan := func(apply, persist bool) { res.Remediation = c.plan(st, u, cfg, apply && running, persist, nil) }
	// keep persists what runs when it already satisfies the rule.
	keep := func() { res.Remediation = c.plan(st, u, cfg, false, true, &lv.amount) }

	// On v1, systemd before 231 ignores MemoryMax=: a live value that
	// misses while only MemoryMax= is set is that, and MemoryLimit= fixes it.
	legacyGap := c.knob.Legacy != "" && st.mode() == v1 && cfg.set && cfg.directive == c.knob.Directive

	switch lv.state {
	case liveValue:
		liveOK := c.want.holds(lv.amount)
		res.Observed = lv.amount.show(q) + " live; " + cfgText + gm
		switch {
		case liveOK && (cfgOK || !cfg.known):
			res.Status, res.Message = engine.Pass, "the running unit's cgroup satisfies the rule"
			if !cfg.known {
				res.Message += "; " + cfgText
			}
			if cfg.transient {
				res.Status = engine.Warn
				res.Message = fmt.Sprintf("%s is set only under /run (systemctl set-property --runtime): it is gone at the next boot", cfg.where())
				keep()
			}
		case liveOK:
			res.Status = engine.Warn
			res.Message = fmt.Sprintf("the running cgroup has %s, but the unit files give %s: the next daemon-reload or restart applies that", lv.amount.show(q), cfg.amount.show(q))
			keep()
		case lv.readOnly && !liveOK:
			// Neither a restart nor set-property can write a read-only
			// hierarchy: the limit is configured but cannot be enforced.
			res.Status = engine.MissStatus(c.rule.Level)
			res.Message = fmt.Sprintf("cannot be enforced: the unit files give %s, but the running cgroup has %s", c.cfgValue(cfg), lv.amount.show(q))
			if !cfgOK {
				res.Message = fmt.Sprintf("the unit files give %s and the running cgroup has %s; a value that satisfies the rule cannot be enforced here either", c.cfgValue(cfg), lv.amount.show(q))
			}
			res.Remediation = readOnlyPlan(c.knob)
		case cfgOK && !legacyGap:
			res.Status = engine.MissStatus(c.rule.Level)
			res.Message = fmt.Sprintf("configured but not applied: the unit files give %s, the running cgroup has %s (run systemctl daemon-reload and restart the unit, or apply it with systemctl set-property --runtime)", c.cfgValue(cfg), lv.amount.show(q))
			plan(true, false)
		default:
			res.Status = engine.MissStatus(c.rule.Level)
			res.Message = fmt.Sprintf("the running cgroup has %s and the unit files give %s", lv.amount.show(q), c.cfgValue(cfg))
			plan(true, true)
		}
		if lv.note != "" {
			res.Message += "; " + lv.note
		}
	default: // not running, or an image: the unit files decide
		where := "not running"
		if lv.state == liveNoView {
			where = lv.note
		}
		res.Observed = c.cfgValue(cfg) + " configured; " + where + gm
		switch {
		case !cfg.known:
			res.Status = engine.Warn
			res.Message = where + ", and the configured value cannot be worked out here: " + cfgText
			plan(false, true)
		case cfgOK:
			res.Status, res.Message = engine.Pass, where+": the unit files give "+cfgText
			if cfg.transient {
				res.Status = engine.Warn
				res.Message = fmt.Sprintf("%s is set only under /run: it is gone at the next boot", cfg.where())
				plan(false, true)
			}
		default:
			res.Status = engine.MissStatus(c.rule.Level)
			res.Message = where + ": the unit files give " + cfgText
			plan(false, true)
		}
	}
	for _, n := range cfg.notes {
		if cfg.known || !cfg.set {
			res.Message += "; " + n
		}
	}
	if len(cfg.ignored) > 0 {
		res.Message += "; ignored: " + strings.Join(cfg.ignored, ", ")
	}
	if g != nil {
		res = c.judgeGo(res, *g, lv, cfg)
	}
	return res
}

// cfgValue is the configured amount for a message.
func (c *unitCheck) cfgValue(cfg setting) string {
	if !cfg.known {
		return "unknown (" + cfg.where() + ")"
	}
	if !cfg.set {
		return cfg.amount.show(c.knob.Q) + " (" + cfg.Default + ")"
	}
	return cfg.amount.show(c.knob.Q) + " from " + cfg.where()
}

// judgeGo adds what the CPU quota means for the Go runtime: a service
// that runs more Ps than its quota is throttled every period.
func (c *unitCheck) judgeGo(res engine.Result, g goMaxProcs, lv live, cfg setting) engine.Result {
	q := cfg.amount
	if lv.state == liveValue {
		q = lv.amount
	}
	if !g.oversubscribed(q) {
		return res
	}
	n, known := g.procs()
	if !known {
		res.Message += fmt.Sprintf("; a Go binary before 1.25 (or built with a go.mod older than go 1.25) runs GOMAXPROCS=%d on %s and is throttled: set Environment=GOMAXPROCS=%d or build with Go 1.25+", n, q.show(coresQ), g.aware)
		return res
	}
	res.Message += fmt.Sprintf("; the service runs GOMAXPROCS=%d on %s: its threads use up the quota early in each period and the kernel throttles them (set GOMAXPROCS=%d)", n, q.show(coresQ), g.aware)
	if res.Status == engine.Pass {
		res.Status = engine.Warn
	}
	res.Remediation = addGoMaxProcs(res.Remediation, c.ID(), c.unitName, g.aware)
	return res
}

func skip(res engine.Result, msg string) engine.Result {
	res.Status, res.Message = engine.Skip, msg
	return res
}

func fail(res engine.Result, s engine.Status, msg string) engine.Result {
	res.Status, res.Message = s, msg
	return res
}

func (s setting) details(q quantity) map[string]any {
	d := map[string]any{"set": s.set, "value": nil}
	if s.known {
		d["value"] = s.amount.text()
	}
	if s.set {
		d["directive"], d["raw"], d["file"] = s.directive, s.raw, s.file
	} else {
		d["default"] = s.Default
	}
	if s.transient {
		d["transient"] = true
	}
	if len(s.notes) > 0 {
		d["notes"] = s.notes
	}
	if len(s.ignored) > 0 {
		d["ignored"] = s.ignored
	}
	return d
}

func (l live) details(q quantity) map[string]any {
	d := map[string]any{}
	switch l.state {
	case liveValue:
		d["state"], d["value"] = "running", l.amount.text()
	case liveNotRunning:
		d["state"] = "not running"
	default:
		d["state"] = "unknown"
	}
	if l.raw != "" {
		d["raw"] = l.raw
	}
	if l.file != "" {
		d["file"] = l.file
	}
	if l.note != "" {
		d["note"] = l.note
	}
	return d
}

func (g goMaxProcs) details() map[string]any {
	d := map[string]any{"cpus": g.cpus, "go1_25_default": g.aware, "before_go1_25": g.before}
	if g.env > 0 {
		d["env"], d["env_source"] = g.env, g.envSource
	}
	if len(g.binaries) > 0 {
		d["binaries"] = g.binaries
	}
	return d
}

// context is the CPU count and GOMAXPROCS for Observed.
func (g goMaxProcs) context() string {
	if g.cpus == 0 {
		return "CPU count unknown"
	}
	return fmt.Sprintf("%d CPUs; %s", g.cpus, g.summary())
}

// dropInPath is golive's drop-in for one directive; one file per directive
// so that fixing one knob never overwrites another's fix.
func dropInPath(unitName, directive string) string {
	return path.Join("/etc/systemd/system", unitName+".d", "90-golive-"+directive+".conf")
}
