package logs

import (
	"errors"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/unit"
)

// cronDaily is where logrotate's package puts its daily job on
// distributions that run it from cron (RHEL 7 and 8, Amazon Linux 2).
const cronDaily = "/etc/cron.daily/logrotate"

// runner is how logrotate runs on this root: its systemd timer
// (logrotate.timer, WantedBy=timers.target) and its cron.daily job.
type runner struct {
	Timer    string // enabled, disabled, masked, not-installed
	Links    []string
	Cron     bool // /etc/cron.daily/logrotate is an executable file
	Problems []string
}

func (r runner) runs() bool { return r.Timer == "enabled" || r.Cron }

func (r runner) describe() string {
	s := "logrotate.timer " + r.Timer
	if r.Cron {
		s += ", " + cronDaily + " present"
	} else {
		s += ", no " + cronDaily
	}
	return s
}

// fix enables what the distro uses.
func (r runner) fix(distro string) remediate.Action {
	if distro == "timer" && r.Timer != "not-installed" {
		return remediate.Run("logrotate runs from its systemd timer on this distribution", "systemctl", "enable", "--now", "logrotate.timer")
	}
	return remediate.Tell("make logrotate run daily: reinstall the logrotate package, which ships " + cronDaily + " or logrotate.timer")
}

type runnerKey struct{}

func logrotateRuns(h *host.Host) runner {
	return facts.Memo(h, runnerKey{}, func(h *host.Host) runner {
		r := runner{Timer: "not-installed"}
		f, err := facts.Unit(h, "logrotate.timer")
		switch {
		case err == nil:
			r.Timer, r.Links = unit.Enablement(h, f, []string{"timers.target"})
		case !errors.Is(err, unit.ErrNotFound):
			r.Problems = append(r.Problems, err.Error())
		}
		if st, err := h.Stat(cronDaily); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0 {
			r.Cron = true
		}
		return r
	})
}
