package disk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
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
			return facts.Mount{}, "", &engine.Result{Status: engine.Skip,
				Message: "the root has no " + facts.MountInfoPath + " (an image is not mounted anywhere yet): its mount options are set by its /etc/fstab when it boots"}
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

func (c *mountCheck) Run(_ context.Context, h *host.Host) engine.Result {
	m, at, bad := mountOf(h, c.rule)
	if bad != nil {
		return *bad
	}
	res := engine.Result{Observed: describeMount(m),
		Details: map[string]any{"path": at, "mount_point": m.Point, "fstype": m.FSType, "source": m.Source,
			"mount_options": m.Options, "super_options": m.Super, "mountinfo_line": m.Line}}
	problems, warnings := judgeMount(m, c.rule)
	switch {
	case len(problems) > 0:
		res.Status = engine.Fail
		res.Message = strings.Join(append(problems, warnings...), "; ")
	case len(warnings) > 0:
		res.Status = engine.Warn
		res.Message = strings.Join(warnings, "; ")
	default:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("%s is on %s, mounted %s", at, m.Point, strings.Join(m.Options, ","))
		return res
	}
	res.Remediation = &remediate.Plan{Summary: "change the mount options of " + m.Point, Actions: []remediate.Action{remediate.Tell(fmt.Sprintf(
		"edit the line of %s in /etc/fstab (its fourth field, the options: %s) and remount it (mount -o remount %s), or move the path to another filesystem; "+
			"an fstab mistake can stop the next boot: run findmnt --verify after the edit", m.Point, fixOptions(m, c.rule), m.Point))}}
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
