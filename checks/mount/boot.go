package mount

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

type bootCheck struct {
	engine.Base
	spec *spec
}

// overFstab are the unit directories whose units win over the units
// systemd-fstab-generator writes to /run/systemd/generator (systemd.unit(5),
// "Unit File Load Path"); /usr/local/lib and /usr/lib units lose to it.
var overFstab = []string{"/etc/systemd/system.control/", "/run/systemd/system.control/", "/run/systemd/transient/", "/etc/systemd/system/", "/run/systemd/system/"}

// bootMount is what the next boot mounts at a path, and from where.
type bootMount struct {
	from                 string // "/etc/fstab:3" or the unit's path
	fstype, source, opts string
	auto                 bool // mounted at boot (not noauto, or an automount)
	note                 string
}

// describe words the boot mount: "xfs /dev/vdb1 (noatime) from /etc/fstab:3".
func (b bootMount) describe() string {
	fstype, source, opts := b.fstype, b.source, b.opts
	if fstype == "" {
		fstype = "(type found at mount time)"
	}
	if source == "" {
		source = "(source not named)"
	}
	if opts == "" {
		opts = "defaults"
	}
	return fmt.Sprintf("%s %s (%s) from %s", fstype, source, opts, b.from)
}

// fstabEntry is the first /etc/fstab line for p (systemd-fstab-generator
// refuses the later duplicates), swap lines left out.
func fstabEntry(entries []facts.FstabEntry, p string) (facts.FstabEntry, bool) {
	for _, e := range entries {
		if e.Type == "swap" || cleanOr(e.File) != p {
			continue
		}
		return e, true
	}
	return facts.FstabEntry{}, false
}

func cleanOr(p string) string {
	if c, err := cleanPath(p); err == nil {
		return c
	}
	return p
}

// fromFstab is what an fstab line mounts.
func fromFstab(e facts.FstabEntry) bootMount {
	opts := strings.Split(e.Options, ",")
	b := bootMount{from: fmt.Sprintf("%s:%d", facts.FstabPath, e.Line), fstype: e.Type, source: e.Spec, opts: e.Options, auto: true}
	if hasOption(opts, "noauto") {
		b.auto = false
		b.note = "noauto: nothing mounts it at boot"
		if hasOption(opts, "x-systemd.automount") {
			b.auto, b.note = true, "noauto with x-systemd.automount: mounted on first access"
		}
	}
	return b
}

// fromUnit is what a .mount unit mounts: [Mount] What=, Type=, Options=,
// at boot when a target's .wants (or WantedBy=) enables it.
func fromUnit(h *host.Host, f *unit.File) bootMount {
	b := bootMount{from: f.Path}
	b.source, _ = f.Last("Mount", "What")
	b.fstype, _ = f.Last("Mount", "Type")
	b.opts, _ = f.Last("Mount", "Options")
	if f.Masked {
		b.note = "the unit is masked"
		return b
	}
	state, links := facts.Enablement(h, f)
	b.auto = state == "enabled"
	if b.auto {
		b.note = "enabled by " + strings.Join(links, ", ")
	} else {
		b.note = "the unit is not enabled (no .wants link of a boot target)"
	}
	return b
}

// nextBoot finds what the next boot mounts at p: a .mount unit in
// /etc or /run (which beats fstab), else the fstab line, else a unit in
// /usr/lib. ok is false when nothing names p.
func nextBoot(h *host.Host, p string) (b bootMount, ok bool, err error) {
	name := UnitName(p)
	f, uerr := facts.Unit(h, name)
	if uerr != nil && !errors.Is(uerr, fs.ErrNotExist) {
		return b, false, uerr
	}
	hasUnit := uerr == nil
	if hasUnit && hasPrefix(f.Path, overFstab) {
		return fromUnit(h, f), true, nil
	}
	entries, ferr := facts.Fstab(h)
	if ferr != nil && !errors.Is(ferr, fs.ErrNotExist) {
		return b, false, ferr
	}
	if e, found := fstabEntry(entries, p); found {
		return fromFstab(e), true, nil
	}
	if hasUnit {
		return fromUnit(h, f), true, nil
	}
	if p == "/" {
		return fromKernel(h), true, nil
	}
	if api, ok := apiMounts[p]; ok {
		return bootMount{from: "systemd itself (an API file system, mounted by PID 1 before any unit)", fstype: api[0], source: api[0], opts: api[1], auto: true}, true, nil
	}
	return b, false, nil
}

// apiMounts are the file systems systemd mounts itself at boot
// (mount-setup.c), with their type and options; an empty type differs
// between hosts (cgroup2, or a tmpfs of v1 hierarchies).
var apiMounts = map[string][2]string{
	"/proc":                     {"proc", "nosuid,noexec,nodev"},
	"/sys":                      {"sysfs", "nosuid,noexec,nodev"},
	"/dev":                      {"devtmpfs", "nosuid,strictatime,mode=755"},
	"/dev/shm":                  {"tmpfs", "nosuid,nodev,strictatime,mode=1777"},
	"/dev/pts":                  {"devpts", "nosuid,noexec,mode=620,gid=5"},
	"/run":                      {"tmpfs", "nosuid,nodev,strictatime,mode=755"},
	"/sys/kernel/security":      {"securityfs", "nosuid,noexec,nodev"},
	"/sys/fs/cgroup":            {"", "nosuid,noexec,nodev"},
	"/sys/fs/pstore":            {"pstore", "nosuid,noexec,nodev"},
	"/sys/fs/bpf":               {"bpf", "nosuid,noexec,nodev,mode=700"},
	"/sys/firmware/efi/efivars": {"efivarfs", "nosuid,noexec,nodev"},
}

// fromKernel is how the next boot mounts the root file system without an
// /etc/fstab line for it: the kernel (or the initrd) mounts root= with
// rootfstype= and rootflags=, read-only or read-write as ro and rw say,
// from the next boot's command line.
func fromKernel(h *host.Host) bootMount {
	cl := facts.NextBoot(h)
	b := bootMount{from: "the kernel command line", auto: true, note: "the kernel or the initrd mounts the root file system"}
	if cl.Source != "" {
		b.from += " (" + cl.Source + ")"
	}
	var opts []string
	for _, w := range strings.Fields(cl.Line) {
		k, v, _ := strings.Cut(w, "=")
		switch k {
		case "root":
			b.source = v
		case "rootfstype":
			b.fstype = v
		case "rootflags":
			opts = append(opts, strings.Split(v, ",")...)
		case "ro", "rw":
			if v == "" {
				opts = append(opts, k)
			}
		}
	}
	b.opts = strings.Join(opts, ",")
	if b.source == "" {
		b.note += "; the command line names no root=, so golive cannot say from where"
	}
	return b
}

func hasPrefix(p string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// kernelDefault reports whether option o holds at mount time without
// being written: rw, suid, dev, exec, async and relatime are the kernel's
// (and mount(8)'s "defaults") unless an option says otherwise.
func kernelDefault(o string, opts []string) bool {
	against := map[string][]string{
		"rw": {"ro"}, "suid": {"nosuid"}, "dev": {"nodev"}, "exec": {"noexec", "user", "users"},
		"async": {"sync"}, "relatime": {"noatime", "strictatime", "norelatime"},
	}
	neg, ok := against[o]
	if !ok {
		return false
	}
	for _, n := range neg {
		if hasOption(opts, n) {
			return false
		}
	}
	return true
}

func (c *bootCheck) Run(_ context.Context, h *host.Host) engine.Result {
	s := c.spec
	name := UnitName(s.path)
	res := engine.Result{Details: map[string]any{"path": s.path, "unit": name}}
	b, ok, err := nextBoot(h, s.path)
	if err != nil {
		if h.NeedsRoot(err) {
			return engine.SkipNeedsRoot(res, err)
		}
		res.Status, res.Message = engine.Error, err.Error()
		return res
	}
	if !ok {
		res.Observed = "not in " + facts.FstabPath + ", no " + name
		res.Details["at_boot"] = false
		if !s.atBoot {
			res.Status, res.Message = engine.Pass, "nothing mounts "+s.path+" at boot ("+res.Observed+")"
			return res
		}
		res.Status = engine.MissStatus(c.M.Level)
		res.Message = "nothing mounts " + s.path + " at the next boot: " + res.Observed
		res.Remediation = manualPlan("add "+s.path+" to /etc/fstab (by hand)", fstabAdvice(s))
		return res
	}
	res.Details["from"], res.Details["at_boot"] = b.from, b.auto
	res.Details["fstype"], res.Details["source"], res.Details["options"] = b.fstype, b.source, b.opts
	res.Observed = b.describe()
	if b.note != "" {
		res.Observed += "; " + b.note
	}
	if !s.atBoot {
		if !b.auto {
			res.Status, res.Message = engine.Pass, s.path+" is not mounted at boot: "+res.Observed
			return res
		}
		res.Status = engine.MissStatus(c.M.Level)
		res.Message = s.path + " is mounted at boot (" + res.Observed + ") and must not be"
		res.Remediation = manualPlan("stop the next boot mounting "+s.path+" (by hand)", "remove or comment out "+b.from+" (or disable the unit), so that the next boot does not mount "+s.path)
		return res
	}
	if !b.auto {
		res.Status = engine.MissStatus(c.M.Level)
		res.Message = s.path + " is named by " + b.from + " but not mounted at boot: " + b.note
		res.Remediation = manualPlan("mount "+s.path+" at boot (by hand)", "make "+b.from+" mount at boot (drop noauto, or enable the unit: systemctl enable "+name+")")
		return res
	}
	fstype := b.fstype
	diffs := differences(h, s, fstype, b.source, strings.Split(b.opts, ","), kernelDefault)
	if len(diffs) > 0 && s.fstype != "" && (fstype == "auto" || fstype == "") {
		// The type is detected when mounted: not a difference golive
		// can judge from the files.
		var keep []string
		for _, d := range diffs {
			if !strings.HasPrefix(d, "the filesystem is ") {
				keep = append(keep, d)
			}
		}
		diffs = keep
	}
	if len(diffs) == 0 {
		res.Status, res.Message = engine.Pass, s.path+" is mounted at boot: "+res.Observed+sourceNote(h, s.source, b.source)
		return res
	}
	res.Status = engine.MissStatus(c.M.Level)
	res.Message = s.path + " is mounted at boot, but " + strings.Join(diffs, "; ") + " (" + b.from + ")"
	res.Remediation = manualPlan("change how the next boot mounts "+s.path+" (by hand)", "change "+b.from+" to mount "+s.expected()+"; "+fstabAdvice(s))
	return res
}

// fstabLine is the /etc/fstab line that mounts the spec, as far as the
// profile says.
func fstabLine(s *spec) string {
	src, fstype, opts := s.source, s.fstype, "defaults"
	if src == "" {
		src = "SOURCE"
	}
	if fstype == "" {
		fstype = "auto"
	}
	if len(s.options) > 0 {
		opts = strings.Join(s.options, ",")
	}
	pass := "2"
	switch fstype {
	case "xfs", "tmpfs", "nfs", "nfs4", "cifs", "auto", "overlay":
		pass = "0" // fsck does nothing for these at boot
	}
	return fmt.Sprintf("%s %s %s %s 0 %s", escapeField(src), escapeField(s.path), fstype, opts, pass)
}

// escapeField writes blanks and backslashes as fstab(5)'s octal escapes.
func escapeField(s string) string {
	r := strings.NewReplacer(" ", `\040`, "\t", `\011`, `\`, `\134`)
	return r.Replace(s)
}

// fstabAdvice says what to add, manual on purpose: a wrong /etc/fstab
// line stops the boot in emergency mode.
func fstabAdvice(s *spec) string {
	return "add to /etc/fstab the line\n  " + fstabLine(s) + "\n(add nofail if the service can start without it), check it with findmnt --verify, then mount " + s.path +
		"; golive does not edit /etc/fstab itself: a wrong line there stops the next boot in emergency mode"
}

// mountFix is the manual fix for a mount missing now.
func mountFix(h *host.Host, s *spec) string {
	if b, ok, err := nextBoot(h, s.path); err == nil && ok && b.auto {
		return "mount " + s.path + " (" + b.from + " names it; mount reads it), and find out why it is not mounted (journalctl -u " + UnitName(s.path) + ")"
	}
	return fstabAdvice(s)
}
