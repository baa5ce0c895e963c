package systemd

import (
	"context"
	"fmt"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/unit"
)

// --- systemd/active:<unit>

type activeCheck struct {
	engine.Base
	st *shared
}

func (c *activeCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	if !h.Live() {
		return engine.Result{Status: engine.Skip, Message: "a mounted image runs nothing (--root): checked on the running system only"}
	}
	if _, skip := c.st.prepare(h); skip != nil {
		return *skip
	}
	lp, err := c.st.liveProps(ctx, h)
	if err != nil {
		if !h.Privileged() {
			return engine.Result{Status: engine.Skip, Message: "needs root (or a system D-Bus): " + err.Error()}
		}
		return engine.Result{Status: engine.Error, Message: "cannot ask the running systemd: " + err.Error()}
	}
	return judgeActive(lp, c.st.name)
}

// judgeActive judges the live state of a unit from its D-Bus properties.
func judgeActive(lp *liveProps, name string) engine.Result {
	active := unit.PropString(lp.unit, "ActiveState")
	sub := unit.PropString(lp.unit, "SubState")
	load := unit.PropString(lp.unit, "LoadState")
	res := engine.Result{Details: map[string]any{"active_state": active, "sub_state": sub, "load_state": load}}
	res.Observed = active
	if sub != "" {
		res.Observed += " (" + sub + ")"
	}
	result := unit.PropString(lp.service, "Result")
	if result != "" {
		res.Details["result"] = result
	}
	restarts, hasRestarts := unit.PropUint64(lp.service, "NRestarts")
	if hasRestarts {
		res.Details["restarts"] = restarts
	}
	if pid, ok := unit.PropUint64(lp.service, "MainPID"); ok && pid > 0 {
		res.Details["main_pid"] = pid
	}
	switch active {
	case "active", "reloading":
		res.Status = engine.Pass
		res.Message = "running"
		if sub == "exited" {
			res.Message = "active (exited): the main process has finished (RemainAfterExit=)"
		}
		if hasRestarts && restarts > 0 {
			res.Status = engine.Warn
			res.Message = fmt.Sprintf("running, but systemd has restarted it %d time(s) since it was started: a crash loop (journalctl -u %s)", restarts, name)
		}
	case "activating", "deactivating":
		res.Status = engine.Warn
		res.Message = active + " (" + sub + "): not settled; an auto-restart loop shows as activating (auto-restart)"
	default:
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("%s: the service is not running", res.Observed)
		if result != "" && result != "success" {
			res.Message += " (Result=" + result + ")"
		}
		res.Remediation = &remediate.Plan{Summary: "start " + name, Actions: []remediate.Action{
			remediate.Run("start the service", "systemctl", "start", name),
			remediate.Tell("if it does not stay up, read why: journalctl -u " + name + " -b"),
		}}
	}
	return res
}
