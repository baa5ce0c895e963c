package rlimit

import (
	"fmt"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/unit"
)

// systemConf is systemd's manager configuration (facts.ManagerConfig reads
// it with its drop-ins).
const systemConf = facts.SystemConf

// managerConfig is the [Manager] section of system.conf and its drop-ins.
type managerConfig = facts.ManagerConfig

// unitLimit is a limit as systemd would give it to a unit, with where it
// comes from.
type unitLimit struct {
	limit Limit
	known bool
	// from says which setting decided: "LimitNOFILE=65536 in FILE",
	// "DefaultLimitNOFILE=... in FILE" or "systemd's default".
	from string
	// level is unit, manager or default; File the file of the winning
	// assignment (unit and manager levels).
	level string
	file  string
	// ignored lists assignments systemd rejects (and so ignores).
	ignored []string
}

// resolveUnitLimit finds what systemd gives the unit for a resource: the
// last valid Limit*= of the unit and its drop-ins; else the last valid
// DefaultLimit*= of system.conf and system.conf.d; else systemd's own
// default for the distro (the profile's rlimits.systemd.defaults). Invalid
// assignments are ignored, as systemd ignores them.
func resolveUnitLimit(f *unit.File, mc *managerConfig, r resource, sd systemdInfo) unitLimit {
	var out unitLimit
	if f != nil {
		for _, o := range f.Options {
			if o.Section != "Service" || o.Name != r.systemd {
				continue
			}
			l, err := parseSystemdLimit(r, o.Value, sd.Version)
			if err != nil {
				out.ignored = append(out.ignored, fmt.Sprintf("%s=%s in %s: %v; systemd ignores it", o.Name, o.Value, o.File, err))
				continue
			}
			out.limit, out.known, out.level, out.file = l, true, "unit", o.File
			out.from = fmt.Sprintf("%s=%s in %s", o.Name, o.Value, o.File)
		}
		if out.known {
			return out
		}
	}
	key := "Default" + r.systemd
	for _, o := range mc.Options {
		if o.Name != key {
			continue
		}
		l, err := parseSystemdLimit(r, o.Value, sd.Version)
		if err != nil {
			out.ignored = append(out.ignored, fmt.Sprintf("%s=%s in %s: %v; systemd ignores it", o.Name, o.Value, o.File, err))
			continue
		}
		out.limit, out.known, out.level, out.file = l, true, "manager", o.File
		out.from = fmt.Sprintf("%s=%s in %s", o.Name, o.Value, o.File)
	}
	if out.known {
		return out
	}
	if l, ok := sd.Defaults[r.name]; ok {
		out.limit, out.known, out.level = l, true, "default"
		out.from = "systemd's default " + l.String() + " (no " + r.systemd + "= or " + key + "= anywhere)"
		if sd.Version > 0 {
			out.from = fmt.Sprintf("systemd %d's default %s (no %s= or %s= anywhere)", sd.Version, l, r.systemd, key)
		}
		return out
	}
	out.level = "default"
	out.from = "no " + r.systemd + "= or " + key + "= anywhere, and the profile knows no systemd default for " + r.name
	return out
}
