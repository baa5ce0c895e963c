package clock

import (
	"context"
	"fmt"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

type syncCheck struct {
	engine.Base
	set settings
}

func (c *syncCheck) Run(_ context.Context, h *host.Host) engine.Result {
	ds := daemons(h)
	res := c.judge(h, ds)
	var problems []string
	for _, d := range ds {
		for _, p := range d.Problems {
			problems = append(problems, d.Name+": "+p)
		}
	}
	if len(problems) > 0 && res.Status != engine.Error {
		// A line golive could not read may be a server it does not list.
		res.Message += "; configuration problems: " + strings.Join(problems, "; ")
	}
	return res
}

func (c *syncCheck) judge(h *host.Host, ds []daemon) engine.Result {
	res := engine.Result{Details: map[string]any{}}
	var enabled []daemon
	list := []any{}
	for _, d := range ds {
		list = append(list, d.details())
		if d.enabled() {
			enabled = append(enabled, d)
		}
	}
	res.Details["daemons"] = list
	res.Details["enabled"] = names(enabled)
	config := configured(ds, enabled)

	if !h.Live() {
		// An image has no kernel clock, and this machine's is not the
		// image's: say what will run, not whether it will succeed.
		res.Observed = config
		if len(enabled) > 1 {
			// The files alone say this much: both start at boot.
			res.Status = engine.Warn
			res.Message = strings.Join(names(enabled), " and ") + " are " + all(enabled) + " enabled: two daemons steering one clock fight each other"
			res.Remediation = c.plan(enabled)
			return res
		}
		res.Status = engine.Skip
		res.Message = "the sync state needs the running system: a root directory has no kernel clock"
		return res
	}
	k, err := h.Clock()
	if err != nil {
		res.Status, res.Message = engine.Error, "adjtimex: "+err.Error()
		return res
	}
	return c.verdict(res, k, enabled, config)
}

// verdict judges the kernel clock and the enabled daemons.
func (c *syncCheck) verdict(res engine.Result, k host.KernelClock, enabled []daemon, config string) engine.Result {
	res.Details["unsynchronised"] = k.Unsynchronised()
	res.Details["status"] = fmt.Sprintf("0x%04x", k.Status)
	res.Details["maxerror_us"] = k.MaxError.Microseconds()
	res.Details["esterror_us"] = k.EstError.Microseconds()
	res.Details["offset_ns"] = k.Offset.Nanoseconds()
	res.Observed = fmt.Sprintf("synchronised, maxerror %s, esterror %s; %s", k.MaxError, k.EstError, config)

	switch {
	case k.Unsynchronised():
		res.Status = engine.Warn
		why := ""
		if c.set.critical {
			res.Status = engine.Fail
			why = " (fail: the profile checks etcd or MySQL, which need agreeing clocks)"
		}
		res.Observed = fmt.Sprintf("unsynchronised (STA_UNSYNC), maxerror %s; %s", k.MaxError, config)
		res.Message = "the kernel clock is not synchronised" + why + ": " + unsyncCause(enabled)
		res.Remediation = c.plan(enabled)
	case k.MaxError > c.set.maxError:
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("the kernel's maximum clock error is %s, above %s: the daemon has not reached its servers lately", k.MaxError, c.set.maxError)
		res.Remediation = c.plan(enabled)
	case len(enabled) > 1:
		res.Status = engine.Warn
		res.Message = "synchronised, but " + strings.Join(names(enabled), " and ") + " are " + all(enabled) + " enabled: two daemons steering one clock fight each other"
		res.Remediation = c.plan(enabled)
	default:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("the kernel clock is synchronised (maxerror %s, within %s)", k.MaxError, c.set.maxError)
		if len(enabled) == 0 {
			// A container shares its host's kernel clock, which the host's
			// daemon keeps: nothing under this root needs to.
			res.Message += "; no time daemon is enabled under this root (a container's clock is its host's)"
		}
	}
	return res
}

// unsyncCause says what to look at first.
func unsyncCause(enabled []daemon) string {
	switch len(enabled) {
	case 0:
		return "no time daemon (chronyd, ntpd, systemd-timesyncd) is enabled"
	case 1:
		d := enabled[0]
		if len(d.Servers) == 0 && !d.Fallback && len(d.Dirs) == 0 {
			return d.Name + " is enabled but names no server in " + d.Config
		}
		return d.Name + " is enabled but has not synchronised the clock: is it running, and can it reach " + reachWhat(d) + "?"
	}
	return strings.Join(names(enabled), " and ") + " are " + all(enabled) + " enabled and may fight over the clock"
}

func reachWhat(d daemon) string {
	if len(d.Servers) > 0 {
		return strings.Join(d.Servers, ", ")
	}
	return "its servers"
}

// plan starts the enabled daemon, or enables the distro's own.
func (c *syncCheck) plan(enabled []daemon) *remediate.Plan {
	if len(enabled) == 1 {
		d := enabled[0]
		return &remediate.Plan{Summary: "get " + d.Name + " synchronising", Actions: []remediate.Action{
			remediate.Run("start the daemon if it is stopped", "systemctl", "restart", d.Unit),
			remediate.Tell(fmt.Sprintf("check that %s reaches %s (UDP 123 outbound); chronyc sources or timedatectl timesync-status shows its view", d.Name, reachWhat(d))),
		}}
	}
	if len(enabled) > 1 {
		return &remediate.Plan{Summary: "keep one time daemon", Actions: []remediate.Action{
			remediate.Tell("disable all but one of " + strings.Join(unitNames(enabled), ", ") + " (systemctl disable --now UNIT)"),
		}}
	}
	spec, ok := daemonByName(c.set.daemon)
	if !ok {
		return &remediate.Plan{Summary: "run a time daemon", Actions: []remediate.Action{
			remediate.Tell("install and enable a time daemon (chrony on RHEL, systemd-timesyncd on Debian and Ubuntu) pointing at your NTP servers"),
		}}
	}
	return &remediate.Plan{Summary: "enable " + spec.name, Actions: []remediate.Action{
		remediate.Tell(fmt.Sprintf("install %s if it is missing, and point it at your NTP servers", spec.pkg)),
		remediate.Run("start it now and at every boot", "systemctl", "enable", "--now", spec.units[0]),
	}}
}

// configured is one line: what is enabled, else what is installed.
func configured(all, enabled []daemon) string {
	pick := enabled
	if len(pick) == 0 {
		pick = all
	}
	if len(pick) == 0 {
		return "no time daemon installed or configured"
	}
	var parts []string
	for _, d := range pick {
		parts = append(parts, d.describe())
	}
	if len(enabled) == 0 {
		return "none enabled: " + strings.Join(parts, "; ")
	}
	return strings.Join(parts, "; ")
}

// all is "both" or "all".
func all(ds []daemon) string {
	if len(ds) == 2 {
		return "both"
	}
	return "all"
}

func names(ds []daemon) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

func unitNames(ds []daemon) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Unit)
	}
	return out
}

// details is the daemon as report details (plain values, as the JSON
// schema wants).
func (d daemon) details() map[string]any {
	m := map[string]any{"name": d.Name, "state": d.State, "servers": strings.Join(d.Servers, " ")}
	if d.Unit != "" {
		m["unit"] = d.Unit
	}
	if d.Config != "" {
		m["config"] = d.Config
	}
	if len(d.Links) > 0 {
		m["links"] = strings.Join(d.Links, " ")
	}
	if d.Fallback {
		m["fallback"] = true
	}
	if len(d.Dirs) > 0 {
		m["source_dirs"] = strings.Join(d.Dirs, " ")
	}
	if len(d.Problems) > 0 {
		m["problems"] = strings.Join(d.Problems, "; ")
	}
	return m
}
