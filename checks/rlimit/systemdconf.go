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
	Limit Limit
	Known bool
	// From says which setting decided: "LimitNOFILE=65536 in FILE",
	// "DefaultLimitNOFILE=... in FILE" or "systemd's default".
	From string
	// Level is unit, manager or default; File the file of the winning
	// assignment (unit and manager levels).
	Level string
	File  string
	// Ignored lists assignments systemd rejects (and so ignores).
	Ignored []string
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
				out.Ignored = append(out.Ignored, fmt.Sprintf("%s=%s in %s: %v; systemd ignores it", o.Name, o.Value, o.File, err))
				continue
			}
			out.Limit, out.Known, out.Level, out.File = l, true, "unit", o.File
			out.From = fmt.Sprintf("%s=%s in %s", o.Name, o.Value, o.File)
		}
		if out.Known {
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
			out.Ignored = append(out.Ignored, fmt.Sprintf("%s=%s in %s: %v; systemd ignores it", o.Name, o.Value, o.File, err))
			continue
		}
		out.Limit, out.Known, out.Level, out.File = l, true, "manager", o.File
		out.From = fmt.Sprintf("%s=%s in %s", o.Name, o.Value, o.File)
	}
	if out.Known {
		return out
	}
	if l, ok := sd.Defaults[r.name]; ok {
		out.Limit, out.Known, out.Level = l, true, "default"
		out.From = "systemd's default " + l.String() + " (no " + r.systemd + "= or " + key + "= anywhere)"
		if sd.Version > 0 {
			out.From = fmt.Sprintf("systemd %d's default %s (no %s= or %s= anywhere)", sd.Version, l, r.systemd, key)
		}
		return out
	}
	out.Level = "default"
	out.From = "no " + r.systemd + "= or " + key + "= anywhere, and the profile knows no systemd default for " + r.name
	return out
}
