package disk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

type mountCheck struct {
	engine.Base
	rule rule
}

// mountOf finds the mount holding the rule's path in the root's mount
// table, the path resolved inside the root first (a symlinked data
// directory lives where its link points).
func mountOf(h *host.Host, r rule) (facts.Mount, string, *engine.Result) {
	t, err := facts.Mounts(h)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist) && !h.Live():
			return fstabMount(h, r)
		case h.NeedsRoot(err):
			res := engine.SkipNeedsRoot(engine.Result{}, err)
			return facts.Mount{}, "", &res
		}
		return facts.Mount{}, "", &engine.Result{Status: engine.Error, Message: "cannot read the mount table: " + err.Error()}
	}
	at, err := existing(h, r.Path)
	if err == nil {
		at, err = h.Resolve(at)
	}
	if err != nil {
		if h.NeedsRoot(err) {
			res := engine.SkipNeedsRoot(engine.Result{}, err)
			return facts.Mount{}, "", &res
		}
		return facts.Mount{}, "", &engine.Result{Status: engine.Error, Message: err.Error()}
	}
	m, ok := t.Holding(at)
	if !ok {
		return facts.Mount{}, at, &engine.Result{Status: engine.Error,
			Message: fmt.Sprintf("no mount of %s holds %s (no line for /)", facts.MountInfoPath, at)}
	}
	return m, at, nil
}

// describeMount is the mount as one line: what, where, both option sets.
func describeMount(m facts.Mount) string {
	return fmt.Sprintf("%s %s on %s (%s; %s)", m.FSType, m.Source, m.Point, strings.Join(m.Options, ","), strings.Join(m.Super, ","))
}

// fstabMount is the mount an image gets at boot, from its /etc/fstab: the
// line whose mount point holds the path (the longest), noauto and swap
// lines left out. Line < 0 marks it (Line is the fstab line, negated).
func fstabMount(h *host.Host, r rule) (facts.Mount, string, *engine.Result) {
	skip := &engine.Result{Status: engine.Skip,
		Message: "the root has no " + facts.MountInfoPath + " (an image is not mounted anywhere yet) and no /etc/fstab line mounts a filesystem holding " + r.Path + " at boot"}
	es, err := facts.Fstab(h)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return facts.Mount{}, "", &engine.Result{Status: engine.Error, Message: "cannot read /etc/fstab: " + err.Error()}
		}
		return facts.Mount{}, "", skip
	}
	at, err := existing(h, r.Path)
	if err == nil {
		at, err = h.Resolve(at)
	}
	if err != nil {
		return facts.Mount{}, "", &engine.Result{Status: engine.Error, Message: err.Error()}
	}
	var best *facts.FstabEntry
	for i := range es {
		e := &es[i]
		opts := strings.Split(e.Options, ",")
		if e.Type == "swap" || !strings.HasPrefix(e.File, "/") || slices.Contains(opts, "noauto") {
			continue
		}
		if under(at, e.File) && (best == nil || len(e.File) >= len(best.File)) {
			best = e
		}
	}
	if best == nil {
		return facts.Mount{}, at, skip
	}
	return facts.Mount{Point: best.File, Source: best.Spec, FSType: best.Type, Options: strings.Split(best.Options, ","), Line: -best.Line}, at, nil
}

// bootPrefix says when a mount read from /etc/fstab applies.
func bootPrefix(m facts.Mount) string {
	if m.Line < 0 {
		return fmt.Sprintf("at the next boot (/etc/fstab line %d; the image is not mounted): ", -m.Line)
	}
	return ""
}

// under reports whether p is dir or inside it.
func under(p, dir string) bool {
	return dir == "/" || p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

func (c *mountCheck) Run(_ context.Context, h *host.Host) engine.Result {
	m, at, bad := mountOf(h, c.rule)
	if bad != nil {
		return *bad
	}
	res := engine.Result{Observed: describeMount(m),
		Details: map[string]any{"path": at, "mount_point": m.Point, "fstype": m.FSType, "source": m.Source,
			"mount_options": m.Options, "super_options": m.Super, "mountinfo_line": m.Line}}
	if m.Line < 0 {
		// An image: the options its /etc/fstab gives at the next boot.
		delete(res.Details, "mountinfo_line")
		delete(res.Details, "super_options")
		res.Details["fstab_line"] = -m.Line
		res.Observed = fmt.Sprintf("%s %s on %s (%s; /etc/fstab line %d, at the next boot)", m.FSType, m.Source, m.Point, strings.Join(m.Options, ","), -m.Line)
	}
	problems, warnings := judgeMount(m, c.rule)
	switch {
	case len(problems) > 0:
		res.Status = engine.Fail
		res.Message = bootPrefix(m) + strings.Join(append(problems, warnings...), "; ")
	case len(warnings) > 0:
		res.Status = engine.Warn
		res.Message = bootPrefix(m) + strings.Join(warnings, "; ")
	default:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("%s is on %s, mounted %s", at, m.Point, strings.Join(m.Options, ","))
		if m.Line < 0 {
			res.Message = fmt.Sprintf("%s is on %s, which /etc/fstab line %d mounts %s at boot (the image is not mounted: no %s)", at, m.Point, -m.Line, strings.Join(m.Options, ","), facts.MountInfoPath)
		}
		return res
	}
	res.Remediation = &remediate.Plan{Summary: "change the mount options of " + m.Point, Actions: []remediate.Action{remediate.Tell(fstabFix(h, m, c.rule))}}
	return res
}

// judgeMount lists what makes the mount wrong for the rule (fail) and what
// is risky (warn).
func judgeMount(m facts.Mount, r rule) (problems, warnings []string) {
	if r.Execs && m.Has("noexec") {
		what := "files"
		if len(r.BinaryNamesSeen) > 0 {
			what = strings.Join(r.BinaryNamesSeen, ", ")
		}
		problems = append(problems, fmt.Sprintf("%s is mounted noexec: execve of %s fails with EACCES", m.Point, what))
	}
	if r.Writes && m.Has("ro") {
		problems = append(problems, fmt.Sprintf("%s is mounted read-only: the service's writes under %s fail with EROFS", m.Point, r.Path))
	}
	if m.Has("nobarrier") || m.Has("barrier=0") {
		warnings = append(warnings, fmt.Sprintf("%s is mounted without write barriers (nobarrier): a power loss can lose or corrupt data the service was told was on disk (fsync)", m.Point))
	}
	return problems, warnings
}

// fixOptions says which options to remove or add.
func fixOptions(m facts.Mount, r rule) string {
	var s []string
	if r.Execs && m.Has("noexec") {
		s = append(s, "remove noexec")
	}
	if r.Writes && m.Has("ro") {
		s = append(s, "ro -> rw")
	}
	if m.Has("nobarrier") || m.Has("barrier=0") {
		s = append(s, "remove nobarrier/barrier=0")
	}
	return strings.Join(s, ", ")
}

// fstabFix says what to change, naming the exact /etc/fstab line when the
// root has one for the mount point. It stays manual: a wrong fstab line can
// stop the next boot.
func fstabFix(h *host.Host, m facts.Mount, r rule) string {
	after := "; then findmnt --verify, and mount -o remount " + m.Point + " (or reboot); a mistake in /etc/fstab can stop the next boot"
	if r.Writes && m.Has("ro") && !slices.Contains(m.Options, "ro") {
		after += "; the superblock is read-only while the mount is not: the kernel remounted it after an error (errors=remount-ro): read dmesg and fsck before anything else"
	}
	entries, err := facts.Fstab(h)
	var e *facts.FstabEntry
	for i := range entries {
		if entries[i].File == m.Point {
			e = &entries[i]
		}
	}
	if err != nil || e == nil {
		return fmt.Sprintf("/etc/fstab has no line for %s (it is mounted by a unit, the initrd or by hand): change its options there (%s)%s",
			m.Point, fixOptions(m, r), after)
	}
	opts := fixedOptions(e.Options, r)
	fields := strings.Fields(e.Text)
	if len(fields) < 4 {
		fields = append(fields, opts)
	} else {
		fields[3] = opts
	}
	return fmt.Sprintf("in /etc/fstab line %d, change\n  %s\nto\n  %s\n(%s)%s", e.Line, e.Text, strings.Join(fields, " "), fixOptions(m, r), after)
}

// fixedOptions is an fstab options field with the rule's problems removed.
func fixedOptions(field string, r rule) string {
	var out []string
	for _, o := range strings.Split(field, ",") {
		switch {
		case o == "noexec" && r.Execs, o == "nobarrier", o == "barrier=0":
			continue
		case o == "ro" && r.Writes:
			o = "rw"
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		return "defaults"
	}
	return strings.Join(out, ",")
}
