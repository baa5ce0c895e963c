package sysctl

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// Boot sources: where a key's value after the next boot comes from. In the
// order a boot applies them (docs/truth.md "Boot values from other
// sources"):
//
//  1. the kernel's default (fixed, or computed at boot: fs.file-max), or the
//     distro profile's facts.sysctl_defaults for a distro kernel;
//  2. the kernel command line's sysctl.*= (Linux >= 5.8, at kernel init);
//  3. systemd as PID 1 raising fs.file-max and fs.nr_open (systemd >= 240);
//  4. systemd-sysctl: the sysctl.d files (persisted.go);
//  5. tuned's [sysctl] unit, then, with reapply_sysctl, /etc/sysctl.d and
//     /etc/sysctl.conf once more.
const (
	sourceSysctlD       = "sysctl.d"
	sourceTuned         = "tuned"
	sourceCmdline       = "kernel command line"
	sourceSystemd       = "systemd"
	sourceDistroDefault = "distro default"
	sourceKernelDefault = "kernel default"
)

// bootSources are the boot-time setters other than the sysctl.d files,
// read once per run.
type bootSources struct {
	Release     string
	Kernel      kernelVersion
	KernelKnown bool
	Arch        string
	Cmdline     cmdline
	CmdSysctl   map[string]cmdlineSysctl
	Systemd     systemdInit
	Tuned       *tuned
	Problems    []string

	h        *host.Host
	memOnce  sync.Once
	memTotal uint64
}

// memTotalKiB is /proc/meminfo's MemTotal (0: unknown), read on first use:
// only the computed fs.file-max default needs it, and the kernel builds
// that file on every read.
func (b *bootSources) memTotalKiB() uint64 {
	b.memOnce.Do(func() {
		if b.h != nil {
			b.memTotal = memTotalKiB(b.h)
		}
	})
	return b.memTotal
}

// loadBootSources reads the kernel release, memory size, command line,
// systemd and tuned under the host's root. It never fails: what cannot be
// read is named in Problems and left out of the model.
func loadBootSources(h *host.Host) *bootSources {
	b := &bootSources{h: h}
	if rel, err := facts.KernelRelease(h); err == nil {
		b.Release = rel
		b.Kernel, b.KernelKnown = parseKernelVersion(rel)
	}
	b.Arch, _ = facts.Arch(h)
	c, err := loadCmdline(h, b.Release)
	if err != nil {
		b.Problems = append(b.Problems, "kernel command line: "+err.Error())
	}
	b.Cmdline = c
	if c.Ambiguous != "" {
		b.Problems = append(b.Problems, "kernel command line: "+c.Ambiguous)
	}
	b.CmdSysctl = cmdlineSysctls(c.Params, c.From)
	b.Systemd = detectSystemd(h, c.init())
	t, err := loadTuned(h)
	if err != nil {
		b.Problems = append(b.Problems, "tuned: "+err.Error())
	}
	if t != nil {
		b.Problems = append(b.Problems, t.Problems...)
	}
	b.Tuned = t
	return b
}

func memTotalKiB(h *host.Host) uint64 {
	m, _ := facts.Meminfo(h)
	return m["MemTotal"]
}

// bootValue is the value a key has after the next boot.
type bootValue struct {
	Value string
	Known bool
	// Source is one of the Source* constants; From says where, for people.
	Source string
	From   string
	// Ref cites the source code or document behind a default or a bump.
	Ref string
	// Persisted is the sysctl.d line, when Source is sourceSysctlD.
	Persisted *persisted
	// Tuned is the tuned profile line, when Source is sourceTuned.
	Tuned *tunedSysctl
	// TunedAfterFiles is set when tuned does not reapply the sysctl.d files
	// after its profile, so no sysctl.d file can override it.
	TunedAfterFiles bool
	// Dropped is the "-key" line that drops the key at boot, when one does:
	// nothing in sysctl.d sets it then, golive's drop-in included.
	Dropped *assignment
	// Range is set for a computed default known only within [Lo, Hi].
	Range  bool
	Lo, Hi uint64
}

// isDefault reports a value nothing sets at boot.
func (b bootValue) isDefault() bool {
	return b.Known && (b.Source == sourceKernelDefault || b.Source == sourceDistroDefault)
}

// cmdlineSysctlSince is the first kernel that applies sysctl.* from its
// command line (fs/proc/proc_sysctl.c process_sysctl_arg, Linux 5.8).
var cmdlineSysctlSince = kv(5, 8)

// resolve returns the value key gets at the next boot. runtime (when
// hasRuntime) only serves to recognise the computed fs.file-max default.
func (b *bootSources) resolve(key string, cfg *config, distroDefault string, hasDistro bool, runtime string, hasRuntime bool) bootValue {
	cur := b.defaultValue(key, distroDefault, hasDistro, runtime, hasRuntime)

	if c, ok := b.CmdSysctl[key]; ok && (!b.KernelKnown || !b.Kernel.less(cmdlineSysctlSince)) {
		from := c.From
		if !b.KernelKnown {
			from += " (applied by Linux >= 5.8; the kernel version is unknown)"
		}
		cur = bootValue{Value: c.Value, Known: true, Source: sourceCmdline, From: from}
	}

	if key == "fs.file-max" || key == "fs.nr_open" {
		before, err := strconv.ParseUint(strings.TrimSpace(cur.Value), 10, 64)
		beforeKnown := cur.Known && !cur.Range && err == nil
		if v, ok, why := systemdBump(key, b.Systemd, b.Kernel, b.KernelKnown, b.Arch, before, beforeKnown); ok {
			cur = bootValue{Value: strconv.FormatUint(v, 10), Known: true, Source: sourceSystemd, From: why, Ref: "src/core/main.c bump_file_max_and_nr_open(); " + b.Systemd.Why}
		} else if key == "fs.nr_open" && b.Systemd.PID1 && b.Systemd.Version >= 240 && !b.Systemd.NoNrOpenBump && !beforeKnown {
			cur = bootValue{} // systemd raises it from a value golive does not know
		}
	}

	if cfg != nil {
		if p, ok := cfg.resolve(key); ok {
			cur = bootValue{Value: p.Value, Known: true, Source: sourceSysctlD, From: fmt.Sprintf("%s:%d", p.File, p.Line), Persisted: &p}
		} else if d, ok := cfg.dropped(key); ok {
			cur.Dropped = &d
		}
	}

	if t := b.Tuned; t != nil && t.Enabled {
		if ts, ok := t.Sysctl[key]; ok {
			v, sets, known := tunedApply(ts.Value, cur.Value, cur.Known && !cur.Range)
			switch {
			case !known:
				cur = bootValue{}
			case sets:
				ts := ts
				cur = bootValue{Value: v, Known: true, Source: sourceTuned,
					From: fmt.Sprintf("tuned profile %s (%s:%d)", ts.Profile, ts.File, ts.Line), Tuned: &ts, TunedAfterFiles: !t.Reapply}
			}
			if t.Reapply && cfg != nil {
				if p, ok := reappliedBy(cfg, key); ok {
					cur = bootValue{Value: p.Value, Known: true, Source: sourceSysctlD, From: fmt.Sprintf("%s:%d", p.File, p.Line), Persisted: &p}
				}
			}
		}
	}
	return cur
}

// reappliedBy is the value tuned's reapply_sysctl writes last for key: the
// explicit (non-glob) assignments of the /etc/sysctl.d files in file-name
// order, then /etc/sysctl.conf.
func reappliedBy(cfg *config, key string) (persisted, bool) {
	var last, conf *assignment
	// tuned opens /etc/sysctl.conf itself, whether or not a sysctl.d link
	// makes systemd-sysctl read it (Unread holds it when none does).
	all := append(append([]assignment(nil), cfg.Assignments...), cfg.Unread...)
	for i := range all {
		a := &all[i]
		if a.Key != key || a.Exclude {
			continue
		}
		switch {
		case a.File == sysctlConf:
			conf = a
		case path.Dir(a.File) == "/etc/sysctl.d":
			last = a
		}
	}
	if conf != nil {
		last = conf
	}
	if last == nil {
		return persisted{}, false
	}
	return persisted{Value: last.Value, File: last.File, Line: last.Line}, true
}

// defaultValue is the value before any boot-time setter: the distro
// profile's default, else the kernel's.
func (b *bootSources) defaultValue(key, distroDefault string, hasDistro bool, runtime string, hasRuntime bool) bootValue {
	if hasDistro {
		return bootValue{Value: distroDefault, Known: true, Source: sourceDistroDefault, From: "the profile's facts.sysctl_defaults"}
	}
	if v, src, ok := kernelDefaultFor(key, b.Kernel, b.KernelKnown, b.Arch); ok {
		from := "the same on every kernel version"
		if b.KernelKnown {
			from = "the default of Linux " + b.Kernel.String()
		}
		return bootValue{Value: v, Known: true, Source: sourceKernelDefault, From: from, Ref: src}
	}
	if mem := b.memTotalKiB(); key == "fs.file-max" && mem > 0 {
		lo, hi := fileMaxDefault(mem)
		from := fmt.Sprintf("computed by the kernel at boot: about 10%% of MemTotal %d KiB", mem)
		ref := "fs/file_table.c files_maxfiles_init(); docs/truth.md gives the tolerance"
		if hasRuntime {
			// MemTotal may shrink after boot (a balloon driver): allow 2%.
			if n, err := strconv.ParseUint(strings.TrimSpace(runtime), 10, 64); err == nil && n >= lo && n <= hi+hi/50 {
				return bootValue{Value: strings.TrimSpace(runtime), Known: true, Source: sourceKernelDefault, From: from, Ref: ref}
			}
		}
		return bootValue{Value: strconv.FormatUint(hi, 10), Known: true, Source: sourceKernelDefault, From: from, Ref: ref, Range: true, Lo: lo, Hi: hi}
	}
	return bootValue{}
}
