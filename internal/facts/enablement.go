package facts

import (
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// bootTargets are the targets whose .wants links start a daemon at boot,
// searched even when [Install] does not name them.
var bootTargets = []string{"multi-user.target", "sysinit.target", "default.target", "graphical.target"}

// Enablement is the state `systemctl is-enabled` gives a daemon's unit from
// its files: "masked" (linked to /dev/null), "enabled" (a .wants link of a
// boot target or of one of its WantedBy= targets names it, links says
// which) or "disabled". It is unit.Enablement with the boot targets; the
// systemd family's own reader adds what only it reports (runtime links,
// RequiredBy=, static units).
func Enablement(h *host.Host, f *unit.File) (state string, links []string) {
	return unit.Enablement(h, f, bootTargets)
}
