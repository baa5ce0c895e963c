package facts

import (
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// bootTargets are the targets whose .wants links start a daemon at boot,
// searched even when [Install] does not name them.
var bootTargets = []string{"multi-user.target", "sysinit.target", "default.target", "graphical.target"}

// enablementDirs are where systemctl enable (/etc) and presets baked into
// an image (/usr/lib, /lib) put the .wants links.
var enablementDirs = []string{"/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"}

// Enablement is the state `systemctl is-enabled` gives a daemon's unit from
// its files: "masked" (linked to /dev/null), "enabled" (a .wants link of a
// boot target or of one of its WantedBy= targets names it, links says
// which) or "disabled".
func Enablement(h *host.Host, f *unit.File) (state string, links []string) {
	if f.Masked {
		return "masked", nil
	}
	targets := append([]string{}, bootTargets...)
	for _, v := range f.Values("Install", "WantedBy") {
		targets = append(targets, strings.Fields(v)...)
	}
	seen := map[string]bool{}
	for _, dir := range enablementDirs {
		for _, t := range targets {
			p := dir + "/" + t + ".wants/" + f.Name
			if seen[p] || strings.ContainsAny(t, "/\x00") {
				continue
			}
			seen[p] = true
			if fi, err := h.Lstat(p); err == nil && !fi.IsDir() {
				links = append(links, p)
			}
		}
	}
	if len(links) == 0 {
		return "disabled", nil
	}
	sort.Strings(links)
	return "enabled", links
}
