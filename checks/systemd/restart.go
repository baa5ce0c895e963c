package systemd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/unit"
)

// --- systemd/restart:<unit>

type restartCheck struct {
	engine.Base
	st     *shared
	accept []string
}

// systemd's defaults (systemd-system.conf(5), systemd.unit(5)).
const (
	defaultRestartDelay  = 100 * time.Millisecond
	defaultStartInterval = 10 * time.Second
	defaultStartBurst    = 5
)

func (c *restartCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	m, skip := c.st.prepare(h)
	if skip != nil {
		return *skip
	}
	f, bad := c.st.loadUnit(h)
	if bad != nil {
		return unusable(*bad)
	}
	res := engine.Result{Details: map[string]any{"unit": c.st.name}}
	a := lastValid(f, "Service", "Restart", restartValid, false)
	restart := "no"
	from := "the default (no Restart= anywhere)"
	if a.set {
		restart, from = a.value, a.file
	}
	res.Details["restart"] = restart
	res.Details["restart_from"] = from
	res.Observed = "Restart=" + restart
	loop := crashLoop(f)
	res.Details["restart_sec"] = loop.restartDelay.String()
	res.Details["start_limit_interval"] = loop.interval.String()
	res.Details["start_limit_burst"] = loop.burst
	var notes []string
	notes = append(notes, a.ignored...)
	notes = append(notes, loop.ignored...)
	if !contains(c.accept, restart) {
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("Restart=%s in %s: %s", restart, from, restartMisses[restart])
		if !a.set {
			res.Message = "no Restart= (the default is no): " + restartMisses["no"]
		}
		res.Remediation = c.plan(f, a, true)
	} else {
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("Restart=%s in %s; RestartSec=%s", restart, from, loop.restartDelay)
		if loop.givesUp {
			res.Status = engine.Warn
			res.Message = fmt.Sprintf("Restart=%s, but RestartSec=%s: %d crashes within %s exhaust the start limit (StartLimitBurst=%d, StartLimitIntervalSec=%s) and systemd stops restarting it",
				restart, loop.restartDelay, loop.burst, loop.interval, loop.burst, loop.interval)
			res.Remediation = c.plan(f, a, false)
		}
	}
	if len(notes) > 0 {
		res.Message += "; " + strings.Join(notes, "; ")
	}
	if m == modeLive {
		res = c.compareLive(ctx, h, res, restart)
	}
	return res
}

func (c *restartCheck) compareLive(ctx context.Context, h *host.Host, res engine.Result, restart string) engine.Result {
	lp, err := c.st.liveProps(ctx, h)
	if err != nil {
		res.Details["live_error"] = err.Error()
		return res
	}
	if d := liveDiff("Restart", restart, unit.PropString(lp.service, "Restart")); d != "" {
		res.Message += "; " + d
		if res.Status == engine.Pass {
			res.Status = engine.Warn
			res.Remediation = reloadPlan()
		}
	}
	return res
}

// restartMisses says what each Restart= value leaves down (the table in
// systemd.service(5)). A Go panic exits with status 2 and log.Fatal with 1:
// "unclean exit codes".
var restartMisses = map[string]string{
	"no":          "systemd never restarts the service: a panic, an OOM kill or a crash leaves it down",
	"on-success":  "systemd restarts it only after a clean exit, not after a panic (exit status 2), an OOM kill or a crash",
	"on-abnormal": "systemd restarts it after a signal, timeout or watchdog, but not after an unclean exit: a Go panic (exit status 2) or log.Fatal (1) leaves it down",
	"on-abort":    "systemd restarts it only after an uncaught signal: a Go panic (exit status 2), log.Fatal or a timeout leaves it down",
	"on-watchdog": "systemd restarts it only after a watchdog timeout: a panic, an OOM kill or a crash leaves it down",
	"on-failure":  "systemd restarts it after any failure, but the profile does not accept it",
	"always":      "systemd always restarts it, but the profile does not accept it",
}

// loopLimits are the settings that decide whether systemd gives up
// restarting a crashing service.
type loopLimits struct {
	restartDelay time.Duration
	interval     time.Duration
	burst        int
	givesUp      bool
	ignored      []string
}

// crashLoop reads RestartSec=, StartLimitIntervalSec= and StartLimitBurst=
// ([Unit]; systemd before 230 read StartLimitInterval= and
// StartLimitBurst= in [Service], which later releases still accept). A
// service that crashes at once is restarted every RestartSec; when burst
// starts fit in the interval, systemd stops (start-limit-hit).
func crashLoop(f *unit.File) loopLimits {
	l := loopLimits{restartDelay: defaultRestartDelay, interval: defaultStartInterval, burst: defaultStartBurst}
	if a := lastValid(f, "Service", "RestartSec", timespanValid, false); a.set {
		l.restartDelay, _ = parseTimespan(a.value)
	} else {
		l.ignored = append(l.ignored, a.ignored...)
	}
	for _, key := range [][2]string{{"Service", "StartLimitInterval"}, {"Unit", "StartLimitInterval"}, {"Unit", "StartLimitIntervalSec"}} {
		if a := lastValid(f, key[0], key[1], timespanValid, false); a.set {
			l.interval, _ = parseTimespan(a.value)
		}
	}
	for _, sec := range []string{"Service", "Unit"} {
		if a := lastValid(f, sec, "StartLimitBurst", uintValid, false); a.set {
			fmt.Sscan(a.value, &l.burst)
		}
	}
	l.givesUp = l.interval > 0 && l.burst > 0 && l.restartDelay < l.interval/time.Duration(l.burst)
	return l
}

func uintValid(v string) error {
	var n uint
	if _, err := fmt.Sscan(v, &n); err != nil || fmt.Sprint(n) != v {
		return fmt.Errorf("%q is not a number", v)
	}
	return nil
}

func (c *restartCheck) plan(f *unit.File, a assignment, setRestart bool) *remediate.Plan {
	ours := dropIn(c.st.name, "restart")
	if later := overriddenBy(f, a.file, ours); later != "" && setRestart {
		return &remediate.Plan{Summary: "fix Restart= of " + c.st.name, Actions: []remediate.Action{
			remediate.Tell(later + " sets Restart= after " + ours + ": set Restart=" + c.accept[0] + " there")}}
	}
	value := c.accept[0]
	if t, _ := f.Last("Service", "Type"); t == "oneshot" && value == "always" && contains(c.accept, "on-failure") {
		value = "on-failure" // systemd refuses Restart=always for Type=oneshot
	}
	body := "[Service]\n"
	summary := "set RestartSec=5s for " + c.st.name
	if setRestart {
		body += "Restart=" + value + "\n"
		summary = fmt.Sprintf("set Restart=%s and RestartSec=5s for %s", value, c.st.name)
	}
	body += "RestartSec=5s\n"
	content := "# Written by golive for check " + engine.CheckID(kind, "restart", c.st.name) + ": restart policy for " + c.st.name + ".\n" + body
	return &remediate.Plan{
		Summary: summary,
		Actions: []remediate.Action{
			{Kind: remediate.DropIn, Path: ours, Content: content},
			remediate.Run("make systemd load the new drop-in", "systemctl", "daemon-reload"),
		},
	}
}
