package mount

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

type mountedCheck struct {
	engine.Base
	spec *spec
}

// mountAt is the mount at the mount point p: the last line of the table
// with that point (a mount stacked over another hides it), as findmnt
// --mountpoint reports it.
func mountAt(t *facts.MountTable, p string) (facts.Mount, bool) {
	var m facts.Mount
	found := false
	for _, x := range t.Mounts {
		if x.Point == p {
			m, found = x, true
		}
	}
	return m, found
}

// options is the mount's per-mount and filesystem options, findmnt's
// OPTIONS column.
func options(m facts.Mount) []string {
	return append(append([]string{}, m.Options...), m.Super...)
}

func (c *mountedCheck) Run(_ context.Context, h *host.Host) engine.Result {
	s := c.spec
	res := engine.Result{Details: map[string]any{"path": s.path}}
	t, err := facts.Mounts(h)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !h.Live():
		res.Status = engine.Skip
		res.Message = "the root has no " + facts.MountInfoPath + " (an image is not mounted anywhere yet); " +
			engine.CheckID(kind, string(aspBoot), s.path) + " says what its next boot mounts"
		return res
	case err != nil && h.NeedsRoot(err):
		return engine.SkipNeedsRoot(res, err)
	case err != nil:
		res.Status, res.Message = engine.Error, "cannot read the mount table: "+err.Error()
		return res
	}
	m, ok := mountAt(t, s.path)
	if !ok {
		// A symlink to a mount point is that mount (findmnt
		// --mountpoint resolves the path too).
		if real, err := h.Resolve(s.path); err == nil && real != s.path {
			if m, ok = mountAt(t, real); ok {
				res.Details["resolved"] = real
			}
		}
	}
	if !ok {
		res.Observed = "not mounted"
		res.Details["mounted"] = false
		if !s.mounted {
			res.Status, res.Message = engine.Pass, "nothing is mounted at "+s.path
			return res
		}
		res.Status = engine.MissStatus(c.M.Level)
		res.Message = "nothing is mounted at " + s.path
		if held, ok := t.Holding(s.path); ok {
			res.Message += " (it is a directory of the " + held.FSType + " mount at " + held.Point + ")"
		}
		if len(t.Problems) > 0 {
			res.Message += fmt.Sprintf("; %d lines of %s were not understood", len(t.Problems)+t.Skipped, facts.MountInfoPath)
		}
		res.Remediation = manualPlan("mount "+s.path+" (by hand)", mountFix(h, s))
		return res
	}
	res.Observed = describe(m)
	res.Details["mounted"] = true
	res.Details["fstype"], res.Details["source"], res.Details["options"] = m.FSType, m.Source, options(m)
	res.Details["mountinfo_line"] = m.Line
	if !s.mounted {
		res.Status = engine.MissStatus(c.M.Level)
		res.Message = s.path + " is mounted (" + res.Observed + ") and must not be"
		res.Remediation = manualPlan("unmount "+s.path+" (by hand)", "unmount "+s.path+" (umount "+s.path+", once nothing uses it) and remove what mounts it at boot ("+
			engine.CheckID(kind, string(aspBoot), s.path)+")")
		return res
	}
	diffs := differences(h, s, m.FSType, m.Source, options(m), nil)
	if len(diffs) == 0 {
		res.Status, res.Message = engine.Pass, s.path+" is mounted: "+res.Observed+sourceNote(h, s.source, m.Source)
		return res
	}
	res.Status = engine.MissStatus(c.M.Level)
	res.Message = s.path + " is mounted, but " + strings.Join(diffs, "; ")
	res.Remediation = manualPlan("remount "+s.path+" as the profile says (by hand)", "remount "+s.path+" as the profile says ("+s.expected()+"): change its /etc/fstab line or .mount unit ("+
		engine.CheckID(kind, string(aspBoot), s.path)+" names it), then umount and mount it, or reboot; a mistake in /etc/fstab can stop the next boot (findmnt --verify)")
	return res
}

func describe(m facts.Mount) string {
	return fmt.Sprintf("%s %s (%s)", m.FSType, m.Source, strings.Join(options(m), ","))
}

// differences words how the filesystem type, source and options differ
// from the spec's; defaults are options that hold without being written
// (at boot: the kernel's defaults).
func differences(h *host.Host, s *spec, fstype, source string, opts []string, defaults func(string, []string) bool) []string {
	var out []string
	if s.fstype != "" && fstype != s.fstype {
		out = append(out, fmt.Sprintf("the filesystem is %s, not %s", fstype, s.fstype))
	}
	if s.source != "" && source != "" {
		if same, known := sameSource(h, s.source, source); known && !same {
			out = append(out, fmt.Sprintf("the source is %s, not %s", source, s.source))
		}
	}
	var missing []string
	for _, o := range s.options {
		if hasOption(opts, o) || defaults != nil && defaults(o, opts) {
			continue
		}
		missing = append(missing, o)
	}
	if len(missing) > 0 {
		out = append(out, "options lack "+strings.Join(missing, ","))
	}
	return out
}

func hasOption(opts []string, o string) bool {
	for _, x := range opts {
		if x == o {
			return true
		}
	}
	return false
}

// tagDirs are where udev links a source named by a tag.
var tagDirs = map[string]string{"UUID": "/dev/disk/by-uuid/", "LABEL": "/dev/disk/by-label/", "PARTUUID": "/dev/disk/by-partuuid/", "PARTLABEL": "/dev/disk/by-partlabel/"}

// sameSource reports whether two ways of naming a source name the same
// device: equal text, or the same device once tags (UUID=...) and
// symlinks (/dev/mapper/x, /dev/disk/by-uuid/...) are resolved under the
// root. known is false when they differ in text and cannot both be
// resolved (an image has no /dev/disk/by-*): golive cannot tell.
func sameSource(h *host.Host, want, got string) (same, known bool) {
	if want == got {
		return true, true
	}
	a, okA := devicePath(h, want)
	b, okB := devicePath(h, got)
	if okA && okB {
		return a == b, true
	}
	// Two device names that do not both resolve: on the running system
	// one names no device, so they differ; in an image without /dev
	// nothing resolves, and golive cannot tell. Anything else (a
	// network source, tmpfs) is compared as text.
	if isDeviceName(want) && isDeviceName(got) {
		return false, h.Live()
	}
	return false, true
}

// isDeviceName reports whether a source names a block device (a /dev
// path or a tag), which only the root's /dev can resolve.
func isDeviceName(s string) bool {
	if strings.HasPrefix(s, "/dev/") {
		return true
	}
	k, _, ok := strings.Cut(s, "=")
	_, tag := tagDirs[k]
	return ok && tag
}

// sourceNote says when a source could not be compared.
func sourceNote(h *host.Host, want, got string) string {
	if want == "" {
		return ""
	}
	if _, known := sameSource(h, want, got); known {
		return ""
	}
	return fmt.Sprintf(" (source %s not compared with %s: the root cannot resolve device names, no /dev/disk/by-*)", got, want)
}

// devicePath resolves a source to the device path it names.
func devicePath(h *host.Host, src string) (string, bool) {
	if k, v, ok := strings.Cut(src, "="); ok {
		dir, known := tagDirs[k]
		if !known || v == "" || strings.Contains(v, "/") {
			return "", false
		}
		src = dir + v
	}
	if !strings.HasPrefix(src, "/dev/") {
		return "", false
	}
	r, err := h.Resolve(src)
	if err != nil {
		return "", false
	}
	return path.Clean(r), true
}

// manualPlan is a manual fix: summary in one line, text the whole step.
func manualPlan(summary, text string) *remediate.Plan {
	return &remediate.Plan{Summary: summary, Actions: []remediate.Action{remediate.Tell(text)}}
}
