package selinux

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

type labelCheck struct {
	engine.Base
	rule  pathRule
	facts facts
	state *shared
}

// policyView is what the policy's file_contexts says about the path.
type policyView struct {
	err   error // the file contexts could not be loaded or the lookup failed
	match match
	none  bool   // the entry says <<none>>: restorecon leaves the path alone
	typ   string // the type the entry gives
}

func (v policyView) where() string {
	if v.match.spec == nil {
		return ""
	}
	return fmt.Sprintf("%s at %s", v.match.spec.regex, v.match.spec.where())
}

func (c *labelCheck) Run(_ context.Context, h *host.Host) engine.Result {
	if why := macSkip(c.facts); why != "" {
		return engine.Result{Status: engine.Skip, Message: why}
	}
	p := c.rule.Path
	snap := c.state.get(h)
	res := engine.Result{Details: map[string]any{"path": p, "expected_from": "policy"}}
	if c.rule.Type != "" {
		res.Details["expected_from"] = "profile"
		res.Details["expected_type"] = c.rule.Type
	}
	if why := disabledForGood(snap); why != "" {
		return engine.Result{Status: engine.Skip, Details: res.Details,
			Message: why + ": labels are not used; selinux/mode reports it, and enabling SELinux relabels the file system"}
	}

	fi, err := h.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return c.missing(res, snap, h)
	case err != nil:
		return readFailure(h, "lstat "+p, err)
	}
	ft := fileTypeOf(fi.Mode())
	res.Details["file_type"] = ft.name()
	real, err := realParent(h, p)
	if err != nil {
		return readFailure(h, "resolve "+p, err)
	}
	if real != p {
		res.Details["real_path"] = real
	}

	view := c.policy(snap, real, ft, res.Details)
	raw, err := snap.getxattr(h, p, labelXattr)
	switch {
	case errors.Is(err, host.ErrNoXattr):
		res.Details["label"] = nil
		res.Observed = "unlabelled (no " + labelXattr + " attribute)"
		return c.judgeUnlabelled(res, view, snap)
	case errors.Is(err, host.ErrXattrUnsupported):
		res.Status = engine.Error
		res.Message = "the file system holding " + p + " keeps no SELinux labels (" + labelXattr + " is not supported)"
		return res
	case err != nil:
		return readFailure(h, "read the label of "+p, err)
	}
	label := labelValue(raw)
	res.Details["label"] = label
	res.Observed = label
	ctx, err := parseContext(label)
	if err != nil {
		res.Observed = shown(label) // outside input: quoted and bounded
		res.Details["label"] = res.Observed
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = fmt.Sprintf("the label of %s is %v", p, err)
		res.Remediation = c.plan(view, snap, "")
		return res
	}
	res.Details["user"], res.Details["role"], res.Details["type"], res.Details["level"] = ctx.User, ctx.Role, ctx.Type, ctx.Level
	if c.rule.Type != "" {
		return c.judgeProfileType(res, ctx.Type, view, snap)
	}
	return c.judgePolicyType(res, ctx.Type, view, snap)
}

// disabledForGood says why labels do not matter here, or "": SELinux is
// off now (or there is no running system) and the configuration keeps it
// off.
func disabledForGood(snap *snapshot) string {
	rt, err := snap.runtime()
	if err != nil {
		return ""
	}
	cfg, err := snap.config()
	if err != nil {
		return ""
	}
	if rt.mode == enforcing || rt.mode == permissive {
		return ""
	}
	if cfg != nil && (cfg.mode == enforcing || cfg.mode == permissive) {
		return ""
	}
	now := "disabled"
	if rt.image {
		now = "unknown (image)"
	}
	switch {
	case cfg == nil:
		return fmt.Sprintf("SELinux is off: runtime %s, and there is no %s", now, configPath)
	case cfg.mode == "":
		return fmt.Sprintf("SELinux is off: runtime %s, and %s sets no mode", now, configPath)
	}
	return fmt.Sprintf("SELinux is off: runtime %s, configured disabled", now)
}

// policy looks the path up in the policy's file contexts and records the
// answer in details.
func (c *labelCheck) policy(snap *snapshot, real string, ft fileType, details map[string]any) policyView {
	var v policyView
	fc, err := snap.fileContexts()
	if err != nil {
		v.err = err
		details["policy_error"] = err.Error()
		return v
	}
	v.match, v.err = fc.lookup(real, ft)
	if v.err != nil {
		details["policy_error"] = v.err.Error()
		return v
	}
	if v.match.key != real {
		details["lookup_path"] = v.match.key
	}
	s := v.match.spec
	if s == nil {
		details["policy_entry"] = nil
		return v
	}
	details["policy_entry"] = map[string]any{
		"file": s.file, "line": s.line, "regex": s.regex, "file_type": string(s.Type), "context": s.context,
	}
	if s.context == noContext {
		v.none = true
		return v
	}
	ctx, err := parseContext(s.context)
	if err != nil {
		v.err = fmt.Errorf("%s gives an invalid context: %w", s.where(), err)
		details["policy_error"] = v.err.Error()
		return v
	}
	v.typ = ctx.Type
	details["policy_type"] = ctx.Type
	return v
}

func (c *labelCheck) missing(res engine.Result, snap *snapshot, h *host.Host) engine.Result {
	res.Status = engine.MissStatus(c.rule.Level)
	res.Observed = "does not exist"
	res.Message = c.rule.Path + " does not exist: deploy the service before checking its labels"
	var actions []remediate.Action
	if c.rule.Type != "" {
		key := c.rule.Path
		if real, err := realParent(h, key); err == nil {
			key = real
		}
		if v := c.policy(snap, key, anyFile, res.Details); v.typ != c.rule.Type {
			actions = append(actions, c.semanage(snap))
		}
	}
	actions = append(actions, remediate.Tell(fmt.Sprintf("create %s (deploy the service), then run restorecon -Rv %s", c.rule.Path, c.rule.Path)))
	res.Remediation = &remediate.Plan{Summary: "create " + c.rule.Path + " and label it", Actions: actions}
	return res
}

func (c *labelCheck) judgeUnlabelled(res engine.Result, v policyView, snap *snapshot) engine.Result {
	why := "it was created while SELinux was disabled, or copied without its extended attributes (tar without --selinux, rsync without -X)"
	switch {
	case c.rule.Type != "":
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = fmt.Sprintf("%s has no SELinux label: %s; the profile expects %s", c.rule.Path, why, c.rule.Type)
	case v.err == nil && v.match.spec == nil:
		res.Status = engine.Skip
		res.Message = fmt.Sprintf("%s has no SELinux label, and no file_contexts entry matches it, so restorecon leaves it as it is", c.rule.Path)
		return res
	case v.none:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("%s has no SELinux label, and file_contexts says <<none>> (%s): restorecon never labels it", c.rule.Path, v.where())
		return res
	default:
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = fmt.Sprintf("%s has no SELinux label: %s", c.rule.Path, why)
		if v.typ != "" {
			res.Expected = "type " + v.typ + " (" + v.where() + ")"
		}
	}
	res.Remediation = c.plan(v, snap, "")
	return res
}

func (c *labelCheck) judgeProfileType(res engine.Result, got string, v policyView, snap *snapshot) engine.Result {
	want := c.rule.Type
	if got != want {
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = fmt.Sprintf("type %s, the profile expects %s", got, want)
		if v.typ != "" {
			res.Message += fmt.Sprintf(" (file_contexts gives %s: %s)", v.typ, v.where())
		}
		res.Remediation = c.plan(v, snap, got)
		return res
	}
	switch {
	case v.err != nil:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("type %s; could not check that a relabel keeps it: %v", got, v.err)
	case v.match.spec == nil:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("type %s; no file_contexts entry matches, so restorecon leaves it", got)
	case v.none:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("type %s; file_contexts says <<none>> (%s), so restorecon leaves it", got, v.where())
	case v.typ == want:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("type %s, as file_contexts gives it (%s)", got, v.where())
	case snap.customizable()[got]:
		res.Status = engine.Warn
		res.Details["customizable"] = true
		res.Message = fmt.Sprintf("type %s now, but file_contexts gives %s (%s): %s is customizable, so restorecon keeps it, but a forced relabel (restorecon -F, fixfiles -F onboot) changes it — make it persistent with semanage fcontext", got, v.typ, v.where(), got)
		res.Remediation = c.plan(v, snap, "")
	default:
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("type %s now, but file_contexts gives %s (%s): the next restorecon or relabel changes it — the type was set with chcon, not made persistent with semanage fcontext", got, v.typ, v.where())
		res.Remediation = c.plan(v, snap, "")
	}
	return res
}

func (c *labelCheck) judgePolicyType(res engine.Result, got string, v policyView, snap *snapshot) engine.Result {
	switch {
	case v.err != nil:
		res.Status = engine.Error
		res.Message = "cannot tell which type the policy gives: " + v.err.Error()
		return res
	case v.match.spec == nil:
		res.Status = engine.Skip
		res.Message = fmt.Sprintf("type %s; no file_contexts entry matches %s, so restorecon leaves it as it is and the profile names no type", got, c.rule.Path)
		return res
	case v.none:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("type %s; file_contexts says <<none>> (%s): restorecon never relabels it", got, v.where())
		return res
	}
	res.Expected = "type " + v.typ + " (" + v.where() + ")"
	if got == v.typ {
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("type %s, as file_contexts gives it (%s)", got, v.where())
		return res
	}
	if snap.customizable()[got] {
		res.Status = engine.Pass
		res.Details["customizable"] = true
		res.Message = fmt.Sprintf("type %s, which the policy's customizable_types lists: restorecon keeps it although file_contexts gives %s (%s); only a forced relabel (-F) resets it", got, v.typ, v.where())
		return res
	}
	res.Status = engine.MissStatus(c.rule.Level)
	res.Message = fmt.Sprintf("type %s, but file_contexts gives %s (%s): restorecon would relabel it", got, v.typ, v.where())
	res.Remediation = c.plan(v, snap, got)
	return res
}

// plan fixes the label: a persistent rule when the profile's type is not
// what the policy gives already, then restorecon.
func (c *labelCheck) plan(v policyView, snap *snapshot, current string) *remediate.Plan {
	p := c.rule.Path
	var actions []remediate.Action
	summary := "relabel " + p + " with restorecon"
	if c.rule.Type != "" && (v.err != nil || v.typ != c.rule.Type) {
		actions = append(actions, c.semanage(snap))
		summary = fmt.Sprintf("add a file-context rule giving %s to %s, then relabel", c.rule.Type, p)
	}
	actions = append(actions, restorecon(p, current != "" && snap.customizable()[current]))
	return &remediate.Plan{Summary: summary, Actions: actions}
}

// semanage adds (or, when the pattern is already defined, modifies) the
// persistent rule giving the profile's type to the path and below.
func (c *labelCheck) semanage(snap *snapshot) remediate.Action {
	spec := semanageSpec(c.rule.Path)
	op := "-a"
	if snap != nil {
		if fc, err := snap.fileContexts(); err == nil {
			for _, s := range fc.find(spec) {
				if s.Type == anyFile {
					op = "-m" // `semanage fcontext -a` refuses a pattern already defined
				}
			}
		}
	}
	return remediate.Run("make the type persistent: restorecon and relabels apply file_contexts rules", "semanage", "fcontext", op, "-t", c.rule.Type, spec)
}

// restorecon relabels p and below; force (-F) is needed when the current
// type is customizable, which restorecon otherwise keeps (-F also resets
// the user, role and level to the policy's).
func restorecon(p string, force bool) remediate.Action {
	if force {
		return remediate.Run("relabel "+p+" and everything below it from file_contexts, customizable types included", "restorecon", "-RFv", p)
	}
	return remediate.Run("relabel "+p+" and everything below it from file_contexts", "restorecon", "-Rv", p)
}
