package rlimit

import (
	"context"
	"fmt"
	"strconv"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/unit"
)

// liveUnit is what a running systemd says about a unit's limit: the value
// it has loaded (what the next start gets; it differs from the files until
// `systemctl daemon-reload`) and what the running main process has.
type liveUnit struct {
	Loaded     Limit
	HasLoaded  bool
	NeedReload bool
	MainPID    uint64
	Running    Limit
	HasRunning bool
	Err        string
}

func (lv liveUnit) details() map[string]any {
	d := map[string]any{"need_daemon_reload": lv.NeedReload}
	if lv.HasLoaded {
		d["loaded"] = lv.Loaded.String()
	}
	if lv.MainPID > 0 {
		d["main_pid"] = lv.MainPID
	}
	if lv.HasRunning {
		d["running"] = lv.Running.String()
	}
	if lv.Err != "" {
		d["error"] = lv.Err
	}
	return d
}

// readLive asks systemd over D-Bus for the unit's loaded limit (LimitX is
// the hard limit, LimitXSoft the soft one since systemd 229) and reads the
// main process's /proc/<pid>/limits.
func readLive(ctx context.Context, h *host.Host, name string, r resource) liveUnit {
	var lv liveUnit
	bus, err := unit.DialBus(ctx)
	if err != nil {
		lv.Err = err.Error()
		return lv
	}
	defer bus.Close()
	if up, err := bus.UnitProperties(ctx, name); err == nil {
		lv.NeedReload, _ = unit.PropBool(up, "NeedDaemonReload")
	}
	sp, err := bus.ServiceProperties(ctx, name)
	if err != nil {
		lv.Err = fmt.Sprintf("read %s over D-Bus: %v", name, err)
		return lv
	}
	lv.Loaded, lv.HasLoaded = loadedLimit(sp, r)
	if pid, ok := unit.PropUint64(sp, "MainPID"); ok && pid > 0 {
		lv.MainPID = pid
		if data, err := h.ReadFileLimit("/proc/"+strconv.FormatUint(pid, 10)+"/limits", maxProcLimits); err == nil {
			rows, _ := ParseProcLimits(data)
			lv.Running, lv.HasRunning = rows[r.proc]
		}
	}
	return lv
}

// loadedLimit reads LimitX / LimitXSoft from D-Bus properties. systemd
// before 229 has no Soft property: its single value is both.
func loadedLimit(props map[string]any, r resource) (Limit, bool) {
	hard, ok := unit.PropUint64(props, r.systemd)
	if !ok {
		return Limit{}, false
	}
	soft, ok := unit.PropUint64(props, r.systemd+"Soft")
	if !ok {
		soft = hard
	}
	return Limit{Soft: soft, Hard: hard}, true
}

// liveFindings compares what the files configure with what systemd has
// loaded and what the running process has. Each finding is one sentence;
// none means the running system matches the files. compareLoaded is false
// when the configured value is only systemd's built-in default, which old
// releases do not report over D-Bus the same way.
func liveFindings(configured Limit, compareLoaded bool, lv liveUnit, res string, rule profile.Rule) []string {
	var out []string
	if lv.Err != "" {
		return []string{"live values unknown: " + lv.Err}
	}
	if compareLoaded && lv.HasLoaded && lv.Loaded != configured {
		out = append(out, fmt.Sprintf("daemon-reload needed: the files say %s but the running systemd has %s loaded", configured, lv.Loaded))
	} else if lv.NeedReload {
		out = append(out, "daemon-reload needed: the unit's files changed since systemd loaded them")
	}
	if lv.HasRunning {
		v := lv.Running.Soft
		// A running Go process has already raised its soft limit; judge
		// what it has now.
		if ok, err := satisfies(rule.Expect, v); err == nil && !ok {
			out = append(out, fmt.Sprintf("restart needed: the running process (pid %d) has %s %s, which misses %s", lv.MainPID, res, lv.Running, rule.Expect))
		} else if lv.HasLoaded && lv.Running.Hard != lv.Loaded.Hard {
			out = append(out, fmt.Sprintf("the running process (pid %d) has %s %s, not the loaded %s: it starts with the new value at its next restart", lv.MainPID, res, lv.Running, lv.Loaded))
		}
	}
	return out
}

// reloadPlan makes the running system pick up files that are already right.
func reloadPlan(name string) *remediate.Plan {
	p := &remediate.Plan{Summary: "reload systemd's unit files and restart " + name}
	p.Actions = append(p.Actions, remediate.Run("load the changed unit files", "systemctl", "daemon-reload"))
	p.Actions = append(p.Actions, remediate.Tell(fmt.Sprintf("restart %s when convenient (systemctl restart %s): a running process keeps the limits it started with", name, name)))
	return p
}
