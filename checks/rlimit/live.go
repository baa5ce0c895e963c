package rlimit

import (
	"context"
	"fmt"
	"strconv"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/unit"
)

// liveUnit is what a running systemd says about a unit's limit: the value
// it has loaded (what the next start gets; it differs from the files until
// `systemctl daemon-reload`) and what the running main process has.
type liveUnit struct {
	loaded     Limit
	hasLoaded  bool
	needReload bool
	mainPID    uint64
	running    Limit
	hasRunning bool
	err        string
}

func (lv liveUnit) details() map[string]any {
	d := map[string]any{"need_daemon_reload": lv.needReload}
	if lv.hasLoaded {
		d["loaded"] = lv.loaded.String()
	}
	if lv.mainPID > 0 {
		d["main_pid"] = lv.mainPID
	}
	if lv.hasRunning {
		d["running"] = lv.running.String()
	}
	if lv.err != "" {
		d["error"] = lv.err
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
		lv.err = err.Error()
		return lv
	}
	defer bus.Close()
	if up, err := bus.UnitProperties(ctx, name); err == nil {
		lv.needReload, _ = unit.PropBool(up, "NeedDaemonReload")
	}
	sp, err := bus.ServiceProperties(ctx, name)
	if err != nil {
		lv.err = fmt.Sprintf("read %s over D-Bus: %v", name, err)
		return lv
	}
	lv.loaded, lv.hasLoaded = loadedLimit(sp, r)
	if pid, ok := unit.PropUint64(sp, "MainPID"); ok && pid > 0 {
		lv.mainPID = pid
		if data, err := h.ReadFileLimit("/proc/"+strconv.FormatUint(pid, 10)+"/limits", maxProcLimits); err == nil {
			rows, _ := ParseProcLimits(data)
			lv.running, lv.hasRunning = rows[r.proc]
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
// releases do not report over D-Bus the same way. expectRunning says what
// a process started with a loaded limit runs with (systemd's cap, the Go
// runtime's raise). A restart is advised only when it would change
// something: when the running process differs from what systemd gives it
// now. reload is true when systemd must reload its files first.
func liveFindings(configured Limit, compareLoaded bool, lv liveUnit, res string, expectRunning func(Limit) ([]Limit, string)) (out []string, reload bool) {
	if lv.err != "" {
		return []string{"live values unknown: " + lv.err}, false
	}
	if compareLoaded && lv.hasLoaded && lv.loaded != configured {
		out = append(out, fmt.Sprintf("daemon-reload needed: the files say %s but the running systemd has %s loaded", configured, lv.loaded))
		reload = true
	} else if lv.needReload {
		out = append(out, "daemon-reload needed: the unit's files changed since systemd loaded them")
		reload = true
	}
	if lv.hasRunning && lv.hasLoaded {
		want, how := expectRunning(lv.loaded)
		if !containsLimit(want, lv.running) {
			msg := fmt.Sprintf("restart needed: the running process (pid %d) has %s %s, but a restart gives it %s (systemd has %s loaded", lv.mainPID, res, lv.running, want[0], lv.loaded)
			if how != "" {
				msg += "; " + how
			}
			out = append(out, msg+")")
		}
	}
	return out, reload
}

func containsLimit(ls []Limit, l Limit) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

// restartPlan makes the running system pick up files that are already
// right: a daemon-reload when systemd holds old files, then a restart.
func restartPlan(name string, reload bool) *remediate.Plan {
	p := &remediate.Plan{Summary: "restart " + name}
	if reload {
		p.Summary = "reload systemd's unit files and restart " + name
		p.Actions = append(p.Actions, remediate.Run("load the changed unit files", "systemctl", "daemon-reload"))
	}
	p.Actions = append(p.Actions, remediate.Tell(fmt.Sprintf("restart %s when convenient (systemctl restart %s): a running process keeps the limits it started with", name, name)))
	return p
}
