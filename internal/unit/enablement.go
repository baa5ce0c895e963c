package unit

import (
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// linkDirs are where systemctl enable (/etc) and presets baked into an
// image (/usr/lib, /lib) put the .wants links.
var linkDirs = []string{"/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"}

// Enablement is the state systemctl is-enabled gives from files: masked,
// enabled (a .wants link of one of targets or of a WantedBy= target names
// the unit), or disabled, with the links found.
func Enablement(h *host.Host, f *File, targets []string) (string, []string) {
	if f.Masked {
		return "masked", nil
	}
	targets = append([]string{}, targets...)
	for _, v := range f.Values("Install", "WantedBy") {
		targets = append(targets, strings.Fields(v)...)
	}
	seen := map[string]bool{}
	var links []string
	for _, dir := range linkDirs {
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
