package rlimit

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/unit"
)

// unitCheck is rlimit/unit:<unit>/<res>.
type unitCheck struct {
	engine.Base
	unit string
	res  resource
	rule profile.Rule
	st   *shared
}

// unitVerdict is what the files say a unit gets for one resource.
type unitVerdict struct {
	ul        unitLimit
	effective Limit // after systemd caps NOFILE at fs.nr_open
	capped    string
	cappedBy  string // nr_open or pid1
	goBin     goBinary
	goRaised  []Limit  // what a Go service runs with after start (nofile)
	mainBin   goBinary // the running main process's executable (live)
	judged    uint64
	side      string // soft or hard
	ok        bool
	err       error
}

func (c *unitCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"unit": c.unit, "resource": c.res.name, "setting": c.res.systemd}}
	live := false
	if h.Live() {
		ok, why := c.st.booted(h)
		if !ok {
			res.Status = engine.Skip
			res.Message = "systemd does not run this system (" + why + "): units do not run here"
			return res
		}
		live = true
	}
	u := c.st.unit(h, c.unit)
	if r, done := unitProblem(h, res, c.unit, u); done {
		return r
	}
	res.Details["unit_files"] = u.file.Paths()
	if pam, ok := u.file.Last("Service", "PAMName"); ok {
		res.Details["pam_name"] = pam
	}
	mc := c.st.manager(h)
	v := c.st.unitVerdict(h, c.unit, u.file, mc, c.res, c.rule, live)
	var lv liveUnit
	if live {
		lv = readLive(ctx, h, c.unit, c.res)
		// No Limit*= anywhere: the running systemd knows what it gives
		// (its own limit, inherited from the kernel or its parent).
		if !v.ul.known && lv.hasLoaded {
			v.ul = unitLimit{limit: lv.loaded, known: true, level: "live",
				from: fmt.Sprintf("the running systemd's %s %s (D-Bus): no %s= or Default%s= in the files, so the unit gets what systemd itself runs with",
					c.res.systemd, lv.loaded, c.res.systemd, c.res.systemd)}
			c.st.judge(h, &v, c.res, c.rule, live)
		}
	}
	c.describe(&res, u.file, mc, v)
	if !v.ul.known {
		res.Status = engine.Warn
		res.Observed = "unknown"
		res.Message = "cannot tell what systemd gives the unit: " + v.ul.from
		if live && lv.err != "" {
			res.Message += "; the running systemd could not be asked: " + lv.err
		}
		return res
	}
	if v.err != nil {
		res.Status = engine.Error
		res.Message = v.err.Error()
		return res
	}
	res.Observed = v.effective.String() + " (" + shortFrom(v.ul) + ")"
	if v.ok {
		res.Status = engine.Pass
		res.Message = c.passMessage(v)
	} else {
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = c.failMessage(v)
		res.Remediation = c.st.unitPlan(h, c.unit, u.file, mc)
	}
	if len(v.ul.ignored) > 0 {
		res.Message += "; ignored by systemd: " + strings.Join(v.ul.ignored, "; ")
	}
	if pam, ok := res.Details["pam_name"]; ok {
		res.Message += fmt.Sprintf("; PAMName=%s: pam_limits (limits.conf) also applies to the service and can change this", pam)
	}
	if live {
		if v.goRaised != nil && lv.mainPID > 0 {
			v.mainBin = goBinaryAt(h, "/proc/"+strconv.FormatUint(lv.mainPID, 10)+"/exe")
		}
		res.Details["live"] = lv.details()
		compare := v.ul.level == "unit" || v.ul.level == "manager" ||
			v.ul.level == "default" && (c.st.set.sd.Version == 0 || c.st.set.sd.Version >= 240)
		expectRunning := func(loaded Limit) ([]Limit, string) { return c.st.running(h, v, c.res, loaded) }
		findings, reload := liveFindings(v.ul.limit, compare, lv, c.res.name, expectRunning)
		if len(findings) > 0 {
			res.Message += "; " + strings.Join(findings, "; ")
		}
		// An unreachable D-Bus leaves the files' verdict as it is.
		if len(findings) > 0 && lv.err == "" && res.Status == engine.Pass {
			res.Status = engine.Warn
			res.Remediation = restartPlan(c.unit, reload)
		}
	}
	return res
}

// unitProblem turns a unit that cannot be judged into a result.
func unitProblem(h *host.Host, res engine.Result, name string, u *loadedUnit) (engine.Result, bool) {
	switch {
	case u.err != nil && errors.Is(u.err, unit.ErrNotFound) && !h.Live() &&
		!h.Exists("/etc/systemd") && !h.Exists("/usr/lib/systemd") && !h.Exists("/lib/systemd"):
		res.Status = engine.Skip
		res.Message = "no systemd in this root (no /etc/systemd, /usr/lib/systemd or /lib/systemd): units do not run here"
	case u.err != nil && errors.Is(u.err, unit.ErrNotFound):
		res.Status = engine.Error
		res.Message = "cannot judge the limits of " + name + ": " + u.err.Error()
	case h.NeedsRoot(u.err):
		res = engine.SkipNeedsRoot(res, u.err)
	case u.err != nil:
		res.Status = engine.Error
		res.Message = u.err.Error()
	case u.file.Masked:
		res.Status = engine.Error
		res.Message = fmt.Sprintf("cannot judge the limits of %s: it is masked (%s -> /dev/null) and systemd refuses to start it", name, u.file.Path)
	default:
		return res, false
	}
	return res, true
}

// unitVerdict resolves and judges one resource of the unit.
func (s *shared) unitVerdict(h *host.Host, name string, f *unit.File, mc *managerConfig, r resource, rule profile.Rule, live bool) unitVerdict {
	v := unitVerdict{ul: resolveUnitLimit(f, mc, r, s.set.sd)}
	if r.name == "nofile" && s.set.goService {
		v.goBin = s.goBinary(h, name, f)
	}
	if v.ul.known {
		s.judge(h, &v, r, rule, live)
	}
	return v
}

// judge caps the resolved limit at what systemd can give and judges the
// side the service runs with.
func (s *shared) judge(h *host.Host, v *unitVerdict, r resource, rule profile.Rule, live bool) {
	v.effective, v.capped, v.cappedBy = s.systemdCap(h, r, v.ul.limit, live)
	v.side = "soft"
	v.judged = v.effective.Soft
	v.goRaised = nil
	if r.name == "nofile" && s.set.goService && goRaisesNofile(v.goBin.version) {
		v.side, v.judged = "hard", v.effective.Hard
		v.goRaised = goRaise(v.effective, v.goBin.version)
	}
	v.ok, v.err = satisfies(rule.Expect, v.judged)
}

// systemdCap is what systemd really sets for a limit: NOFILE above
// fs.nr_open is refused by the kernel, and on a running system a hard
// limit above PID 1's own cannot be raised without CAP_SYS_RESOURCE; in
// both cases setrlimit_closest() sets the closest it can.
func (s *shared) systemdCap(h *host.Host, r resource, l Limit, live bool) (Limit, string, string) {
	n := nrOpen{}
	if r.name == "nofile" {
		n = s.nrOpenOf(h)
	}
	if live {
		if c, why := s.pid1Of(h).cap(r, l, n); why != "" {
			return c, why, "pid1"
		}
	}
	if n.known {
		if c, why := capAt(l, n); why != "" {
			return c, why, "nr_open"
		}
	}
	return l, "", ""
}

// running is what the service's main process runs with when systemd
// starts it with the loaded limit: capped as systemd caps it, then raised
// by the Go runtime for a Go service's NOFILE. how explains a difference
// from the loaded value.
func (s *shared) running(h *host.Host, v unitVerdict, r resource, loaded Limit) ([]Limit, string) {
	c, why, _ := s.systemdCap(h, r, loaded, true)
	var how []string
	if why != "" {
		how = append(how, why)
	}
	out := []Limit{c}
	if v.goRaised != nil {
		b := v.goBin
		if v.mainBin.path != "" && (v.mainBin.version != "" || v.mainBin.notGo) {
			b = v.mainBin // what really runs: the main process's executable
		}
		out = goRunning(c, b)
		if len(out) > 1 || out[0] != c {
			how = append(how, goRaiseText(c, b))
		}
	}
	return out, strings.Join(how, "; ")
}

// capAt lowers a NOFILE limit above fs.nr_open: the kernel refuses it, and
// systemd then sets the closest value it can (setrlimit_closest).
func capAt(l Limit, n nrOpen) (Limit, string) {
	if l.Hard <= n.value && l.Soft <= n.value {
		return l, ""
	}
	capped := Limit{Soft: min(l.Soft, n.value), Hard: min(l.Hard, n.value)}
	return capped, fmt.Sprintf("%s is above fs.nr_open (%d, %s): the kernel refuses it and systemd sets %s", l, n.value, n.from, capped)
}

func (c *unitCheck) describe(res *engine.Result, f *unit.File, mc *managerConfig, v unitVerdict) {
	d := res.Details
	d["from"] = v.ul.from
	d["level"] = v.ul.level
	d["configured"] = nil
	if v.ul.known {
		d["configured"] = v.ul.limit.String()
		d["soft"] = formatValue(v.effective.Soft)
		d["hard"] = formatValue(v.effective.Hard)
		d["judged"] = v.side
	}
	if v.capped != "" {
		d["capped"] = v.capped
	}
	if len(v.ul.ignored) > 0 {
		d["ignored"] = v.ul.ignored
	}
	if c.st.set.sd.Version > 0 {
		d["systemd_version"] = c.st.set.sd.Version
	}
	d["manager_files"] = mc.Files
	var problems []string
	problems = append(problems, f.Problems...)
	problems = append(problems, mc.Problems...)
	if len(problems) > 0 {
		d["problems"] = problems
	}
	if len(f.MaskedDropIns) > 0 {
		d["masked_drop_ins"] = f.MaskedDropIns
	}
}

func (c *unitCheck) passMessage(v unitVerdict) string {
	msg := v.ul.from
	if v.side == "hard" && v.effective.Soft < v.effective.Hard {
		msg += fmt.Sprintf("; judged by the hard limit %s: %s", formatValue(v.effective.Hard), goRaiseText(v.effective, v.goBin))
	}
	if v.capped != "" {
		msg += "; " + v.capped
	}
	return msg
}

func (c *unitCheck) failMessage(v unitVerdict) string {
	var b strings.Builder
	fmt.Fprintf(&b, "the service gets %s %s", v.side, formatValue(v.judged))
	if v.side == "hard" {
		b.WriteString(" (the hard limit: " + goRaiseText(v.effective, v.goBin) + ", and no further)")
	} else if v.goBin.version != "" && !goRaisesNofile(v.goBin.version) && c.res.name == "nofile" {
		b.WriteString(" (the soft limit: " + goRaiseText(v.effective, v.goBin) + ")")
	}
	b.WriteString(" from " + v.ul.from)
	if v.capped != "" {
		b.WriteString("; " + v.capped)
	}
	return b.String()
}

// shortFrom names the source in a few words for Observed.
func shortFrom(ul unitLimit) string {
	switch ul.level {
	case "unit", "manager":
		return path.Base(ul.file)
	case "live":
		return "the running systemd"
	}
	return "systemd default"
}
