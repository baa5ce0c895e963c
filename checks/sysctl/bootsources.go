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
	release     string
	kernel      kernelVersion
	kernelKnown bool
	arch        string
	cmdline     cmdline
	cmdSysctl   map[string]cmdlineSysctl
	systemd     systemdInit
	tuned       *tuned
	problems    []string

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
		b.release = rel
		b.kernel, b.kernelKnown = parseKernelVersion(rel)
	}
	b.arch, _ = facts.Arch(h)
	c, problems := loadCmdline(h)
	for _, p := range problems {
		b.problems = append(b.problems, "kernel command line: "+p)
	}
	b.cmdline = c
	b.cmdSysctl = cmdlineSysctls(c.params, c.from)
	b.systemd = detectSystemd(h, c.init())
	t, err := loadTuned(h)
	if err != nil {
		b.problems = append(b.problems, "tuned: "+err.Error())
	}
	if t != nil {
		b.problems = append(b.problems, t.problems...)
	}
	b.tuned = t
	return b
}

func memTotalKiB(h *host.Host) uint64 {
	m, _ := facts.Meminfo(h)
	return m["MemTotal"]
}

// bootValue is the value a key has after the next boot.
type bootValue struct {
	value string
	known bool
	// source is one of the Source* constants; From says where, for people.
	source string
	from   string
	// ref cites the source code or document behind a default or a bump.
	ref string
	// persisted is the sysctl.d line, when Source is sourceSysctlD.
	persisted *persisted
	// tuned is the tuned profile line, when Source is sourceTuned.
	tuned *tunedSysctl
	// tunedAfterFiles is set when tuned does not reapply the sysctl.d files
	// after its profile, so no sysctl.d file can override it.
	tunedAfterFiles bool
	// dropped is the "-key" line that drops the key at boot, when one does:
	// nothing in sysctl.d sets it then, golive's drop-in included.
	dropped *assignment
	// Range is set for a computed default known only within [Lo, Hi].
	Range  bool
	lo, hi uint64
}

// isDefault reports a value nothing sets at boot.
func (b bootValue) isDefault() bool {
	return b.known && (b.source == sourceKernelDefault || b.source == sourceDistroDefault)
}

// cmdlineSysctlSince is the first kernel that applies sysctl.* from its
// command line (fs/proc/proc_sysctl.c process_sysctl_arg, Linux 5.8).
var cmdlineSysctlSince = kv(5, 8)

// resolve returns the value key gets at the next boot. runtime (when
// hasRuntime) only serves to recognise the computed fs.file-max default.
func (b *bootSources) resolve(key string, cfg *config, distroDefault string, hasDistro bool, runtime string, hasRuntime bool) bootValue {
	cur := b.defaultValue(key, distroDefault, hasDistro, runtime, hasRuntime)

	if c, ok := b.cmdSysctl[key]; ok && (!b.kernelKnown || !b.kernel.less(cmdlineSysctlSince)) {
		from := c.from
		if !b.kernelKnown {
			from += " (applied by Linux >= 5.8; the kernel version is unknown)"
		}
		cur = bootValue{value: c.value, known: true, source: sourceCmdline, from: from}
	}

	if key == "fs.file-max" || key == "fs.nr_open" {
		before, err := strconv.ParseUint(strings.TrimSpace(cur.value), 10, 64)
		beforeKnown := cur.known && !cur.Range && err == nil
		if v, ok, why := systemdBump(key, b.systemd, b.kernel, b.kernelKnown, b.arch, before, beforeKnown); ok {
			cur = bootValue{value: strconv.FormatUint(v, 10), known: true, source: sourceSystemd, from: why, ref: "src/core/main.c bump_file_max_and_nr_open(); " + b.systemd.why}
		} else if key == "fs.nr_open" && b.systemd.pid1 && b.systemd.version >= 240 && !b.systemd.noNrOpenBump && !beforeKnown {
			cur = bootValue{} // systemd raises it from a value golive does not know
		}
	}

	if cfg != nil {
		if p, ok := cfg.resolve(key); ok {
			cur = bootValue{value: p.value, known: true, source: sourceSysctlD, from: fmt.Sprintf("%s:%d", p.file, p.line), persisted: &p}
		} else if d, ok := cfg.dropped(key); ok {
			cur.dropped = &d
		}
	}

	if t := b.tuned; t != nil && t.enabled {
		if ts, ok := t.sysctl[key]; ok {
			v, sets, known := tunedApply(ts.value, cur.value, cur.known && !cur.Range)
			switch {
			case !known:
				cur = bootValue{}
			case sets:
				ts := ts
				cur = bootValue{value: v, known: true, source: sourceTuned,
					from: fmt.Sprintf("tuned profile %s (%s:%d)", ts.profile, ts.file, ts.line), tuned: &ts, tunedAfterFiles: !t.reapply}
			}
			if t.reapply && cfg != nil {
				if p, ok := reappliedBy(cfg, key); ok {
					cur = bootValue{value: p.value, known: true, source: sourceSysctlD, from: fmt.Sprintf("%s:%d", p.file, p.line), persisted: &p}
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
	all := append(append([]assignment(nil), cfg.assignments...), cfg.unread...)
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
	return persisted{value: last.Value, file: last.File, line: last.Line}, true
}

// defaultValue is the value before any boot-time setter: the distro
// profile's default, else the kernel's.
func (b *bootSources) defaultValue(key, distroDefault string, hasDistro bool, runtime string, hasRuntime bool) bootValue {
	if hasDistro {
		return bootValue{value: distroDefault, known: true, source: sourceDistroDefault, from: "the profile's facts.sysctl_defaults"}
	}
	if v, src, ok := kernelDefaultFor(key, b.kernel, b.kernelKnown, b.arch); ok {
		from := "the same on every kernel version"
		if b.kernelKnown {
			from = "the default of Linux " + b.kernel.String()
		}
		return bootValue{value: v, known: true, source: sourceKernelDefault, from: from, ref: src}
	}
	if mem := b.memTotalKiB(); key == "fs.file-max" && mem > 0 {
		lo, hi := fileMaxDefault(mem)
		from := fmt.Sprintf("computed by the kernel at boot: about 10%% of MemTotal %d KiB", mem)
		ref := "fs/file_table.c files_maxfiles_init(); docs/truth.md gives the tolerance"
		if hasRuntime {
			// MemTotal may shrink after boot (a balloon driver): allow 2%.
			if n, err := strconv.ParseUint(strings.TrimSpace(runtime), 10, 64); err == nil && n >= lo && n <= hi+hi/50 {
				return bootValue{value: strings.TrimSpace(runtime), known: true, source: sourceKernelDefault, from: from, ref: ref}
			}
		}
		return bootValue{value: strconv.FormatUint(hi, 10), known: true, source: sourceKernelDefault, from: from, ref: ref, Range: true, lo: lo, hi: hi}
	}
	return bootValue{}
}
