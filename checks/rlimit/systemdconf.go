package rlimit

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"syscall"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// SystemConf is systemd's manager configuration; its drop-ins live in the
// system.conf.d directories below, merged by file name (the earlier
// directory wins, a link to /dev/null masks) and applied in name order
// after it (systemd-system.conf(5)).
const SystemConf = "/etc/systemd/system.conf"

var systemConfDirs = []string{
	"/etc/systemd/system.conf.d",
	"/run/systemd/system.conf.d",
	"/usr/local/lib/systemd/system.conf.d",
	"/usr/lib/systemd/system.conf.d",
	"/lib/systemd/system.conf.d",
}

// managerConfig is the [Manager] section of system.conf and its drop-ins:
// every assignment in the order systemd applies them.
type managerConfig struct {
	Files    []string
	Options  []unit.Option
	Problems []string
}

func loadManagerConfig(h *host.Host) *managerConfig {
	mc := &managerConfig{}
	mc.read(h, SystemConf)
	chosen := map[string]string{}
	masked := map[string]bool{}
	for _, dir := range systemConfDirs {
		entries, err := h.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				mc.Problems = append(mc.Problems, err.Error())
			}
			continue
		}
		for _, e := range entries {
			n := e.Name()
			if !strings.HasSuffix(n, ".conf") || chosen[n] != "" || masked[n] {
				continue
			}
			p := dir + "/" + n
			if e.Type()&fs.ModeSymlink != 0 {
				if t, err := h.Readlink(p); err == nil && path.Clean(t) == "/dev/null" {
					masked[n] = true
					continue
				}
			}
			chosen[n] = p
		}
	}
	names := make([]string, 0, len(chosen))
	for n := range chosen {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		mc.read(h, chosen[n])
	}
	return mc
}

func (mc *managerConfig) read(h *host.Host, p string) {
	data, err := h.ReadFileLimit(p, unit.MaxFileSize)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			mc.Problems = append(mc.Problems, err.Error())
		}
		return
	}
	opts, err := unit.Parse(data)
	if err != nil {
		mc.Problems = append(mc.Problems, fmt.Sprintf("parse %s: %v (golive cannot read it; systemd skips only the bad lines)", p, err))
		return
	}
	mc.Files = append(mc.Files, p)
	for _, o := range opts {
		if o.Section == "Manager" {
			o.File = p
			mc.Options = append(mc.Options, o)
		}
	}
}

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
