package selinux

import (
	"context"
	"fmt"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/expect"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/remediate"
)

// autorelabelPath makes the next boot relabel every file system
// (selinux-autorelabel reads the file's content as fixfiles options).
const autorelabelPath = "/.autorelabel"

// autorelabelForce is what `fixfiles -F onboot` writes when SELinux is not
// enabled: a forced full relabel, since nothing was labelled meanwhile.
const autorelabelForce = "-F\n"

type modeCheck struct {
	engine.Base
	rule  *profile.Rule // nil: the profile names no mode
	facts facts
	state *shared
}

// modeState is what selinux/mode found.
type modeState struct {
	rt       runtime
	cfg      *config // nil: no configuration file
	policy   string  // SELINUXTYPE, "" when unusable
	binaries []string
	policyOK bool // a policy the next boot can load is installed (or none is needed)
}

func (c *modeCheck) Run(_ context.Context, h *host.Host) engine.Result {
	if why := macSkip(c.facts); why != "" {
		return engine.Result{Status: engine.Skip, Message: why}
	}
	snap := c.state.get(h)
	rt, err := snap.runtime()
	if err != nil {
		return readFailure(h, "read the running mode", err)
	}
	cfg, err := snap.config()
	if err != nil {
		return readFailure(h, "read "+configPath, err)
	}
	st := modeState{rt: rt, cfg: cfg, policyOK: true}
	if c.facts.mac == "" && c.rule == nil && cfg == nil && rt.mode != enforcing && rt.mode != permissive {
		return engine.Result{Status: engine.Skip, Observed: "no SELinux",
			Message: fmt.Sprintf("no SELinux on this host (no %s, %s) and profile %s does not ask for it", configPath, rt.why, c.facts.profile)}
	}
	// A configuration file with SELinux off in the kernel, on a profile that
	// does not ask for SELinux: Debian's selinux-policy-* packages write
	// /etc/selinux/config, but only a kernel booted with SELinux
	// (security=selinux, selinux-activate) reads it, so the two disagreeing
	// is the stock state there, not a finding.
	if c.facts.mac == "" && c.rule == nil && cfg != nil && len(cfg.problems) == 0 && rt.mode == disabled && !rt.image {
		return engine.Result{Status: engine.Skip, Observed: fmt.Sprintf("runtime disabled (%s); %s says %s", rt.why, configPath, cfg.mode),
			Message: fmt.Sprintf("SELinux is not enabled in the running kernel, so %s has no effect until a boot enables it, and profile %s does not ask for SELinux", configPath, c.facts.profile)}
	}
	res := engine.Result{Details: map[string]any{
		"runtime": nil, "runtime_source": rt.why, "image": rt.image,
		"configured": nil, "config_file": nil, "policy": nil,
	}}
	if rt.mode != "" {
		res.Details["runtime"] = string(rt.mode)
	}
	if cfg != nil {
		res.Details["config_file"] = configPath
		if cfg.mode != "" {
			res.Details["configured"] = string(cfg.mode)
			res.Details["config_line"] = cfg.modeLine
		}
		if len(cfg.problems) > 0 {
			probs := make([]string, len(cfg.problems))
			for i, p := range cfg.problems {
				probs[i] = p.String()
			}
			res.Details["config_problems"] = probs
		}
		st.policy = cfg.policy
	} else {
		st.policy = defaultPolicy
	}
	if st.policy != "" {
		res.Details["policy"] = st.policy
	}
	configured := st.configured()
	if configured == enforcing || configured == permissive {
		if st.policy == "" {
			st.policyOK = false
		} else {
			bins, err := binaryPolicies(h, st.policy)
			if err != nil {
				return readFailure(h, "list the installed policy", err)
			}
			st.binaries, st.policyOK = bins, len(bins) > 0
			res.Details["policy_files"] = bins
		}
	}
	res.Observed = st.observed()
	return c.judge(res, st)
}

func (st modeState) configured() mode {
	if st.cfg == nil {
		return ""
	}
	return st.cfg.mode
}

func (st modeState) observed() string {
	now := string(st.rt.mode)
	if st.rt.image {
		now = "unknown (image)"
	}
	if st.cfg == nil {
		return fmt.Sprintf("runtime %s, no %s", now, configPath)
	}
	boot := "configured " + string(st.configured())
	if st.configured() == "" {
		boot = "configured mode unset"
	}
	policy := st.policy
	if policy == "" {
		policy = "invalid SELINUXTYPE"
	}
	return fmt.Sprintf("runtime %s, %s (policy %s)", now, boot, policy)
}

// configWhere names the configuration line, for messages.
func (st modeState) configWhere() string {
	if st.cfg != nil && st.cfg.modeLine > 0 {
		return fmt.Sprintf("%s:%d", configPath, st.cfg.modeLine)
	}
	return configPath
}

// satisfies reports whether a known mode meets the profile's expectation;
// every known mode does when the profile names none.
func (c *modeCheck) satisfies(m mode) bool {
	if m == "" {
		return false
	}
	if c.rule == nil {
		return true
	}
	ok, err := c.rule.Expect.Eval(string(m))
	return err == nil && ok
}

// wanted is the profile's expectation as a message says it.
func (c *modeCheck) wanted() string {
	if c.rule == nil {
		return "any mode"
	}
	if e := c.rule.Expect; e.Op == expect.EQ && len(e.Fields) == 1 {
		return e.Fields[0]
	}
	return c.rule.Expect.String()
}

// target is the mode a fix moves to: the most protective one the profile
// accepts.
func (c *modeCheck) target() mode {
	for _, m := range modes {
		if c.satisfies(m) {
			return m
		}
	}
	return enforcing
}

func (c *modeCheck) judge(res engine.Result, st modeState) engine.Result {
	rt, boot := st.rt.mode, st.configured()
	rtOK, bootOK := c.satisfies(rt), c.satisfies(boot)
	var msgs []string
	status := engine.Pass
	raise := func(s engine.Status) {
		if rank(s) > rank(status) {
			status = s
		}
	}

	switch {
	case st.cfg == nil:
		msgs = append(msgs, "no "+configPath+": nothing sets the mode the next boot uses")
	case boot == "":
		msgs = append(msgs, "no SELINUX= line in "+configPath+" that libselinux accepts: the mode of the next boot is undefined")
	}
	if boot == "" {
		if c.rule != nil {
			raise(c.missStatus())
		} else {
			raise(engine.Warn)
		}
	}

	switch {
	case st.rt.image && boot != "":
		if bootOK {
			msgs = append(msgs, fmt.Sprintf("image: %s configures %s", st.configWhere(), boot))
		} else {
			msgs = append(msgs, fmt.Sprintf("image: %s configures %s; the profile expects %s", st.configWhere(), boot, c.wanted()))
			raise(c.missStatus())
		}
	case st.rt.image:
		msgs = append(msgs, "image: no running kernel to ask")
	case boot == "":
		if !rtOK {
			msgs = append(msgs, fmt.Sprintf("%s at runtime; the profile expects %s", rt, c.wanted()))
			raise(c.missStatus())
		}
	case rt != boot:
		raise(engine.Warn)
		msgs = append(msgs, disagreement(rt, boot, st.configWhere()))
		if !rtOK && !bootOK {
			msgs = append(msgs, "the profile expects "+c.wanted())
			raise(c.missStatus())
		}
	case !rtOK:
		msgs = append(msgs, fmt.Sprintf("%s now and after reboot (%s); the profile expects %s", rt, st.configWhere(), c.wanted()))
		raise(c.missStatus())
	default:
		msgs = append(msgs, fmt.Sprintf("%s now and after reboot (%s)", rt, st.configWhere()))
	}

	if !st.policyOK {
		raise(engine.Fail)
		if st.policy == "" {
			msgs = append(msgs, fmt.Sprintf("%s %s: the next boot cannot load a policy", configPath, st.cfg.policyProblem))
		} else {
			msgs = append(msgs, fmt.Sprintf("SELINUXTYPE=%s but %s/policy has no policy.NN: the next boot cannot load a policy (an enforcing boot stops)", st.policy, policyDir(st.policy)))
		}
	}
	if st.cfg != nil && len(st.cfg.problems) > 0 {
		msgs = append(msgs, fmt.Sprintf("%d line(s) of %s ignored or misread (details.config_problems)", len(st.cfg.problems), configPath))
	}
	res.Status = status
	res.Message = strings.Join(msgs, "; ")
	if status != engine.Pass {
		res.Remediation = c.plan(st)
	}
	return res
}

func disagreement(rt, boot mode, where string) string {
	switch {
	case rt == disabled:
		return fmt.Sprintf("disabled at runtime while %s says %s: the kernel was booted with selinux=0 or the configuration changed since boot; files created meanwhile carry no label", where, boot)
	case boot == disabled:
		return fmt.Sprintf("%s at runtime, but %s says disabled: the next boot runs without SELinux", rt, where)
	case rt == permissive:
		return fmt.Sprintf("permissive at runtime while %s says %s: denials are only logged until setenforce 1 or a reboot, so what is tested now is not what production enforces", where, boot)
	}
	return fmt.Sprintf("%s at runtime, but %s says %s: reverts on reboot", rt, where, boot)
}

// rank orders statuses by how bad they are.
func rank(s engine.Status) int {
	switch s {
	case engine.Warn:
		return 1
	case engine.Fail:
		return 2
	}
	return 0
}

// missStatus is what a miss gives: fail when the profile names no mode.
func (c *modeCheck) missStatus() engine.Status {
	if c.rule == nil {
		return engine.Fail
	}
	return engine.MissStatus(c.rule.Level)
}

// plan fixes the configuration, the installed policy and the running mode.
func (c *modeCheck) plan(st modeState) *remediate.Plan {
	if c.rule == nil && st.policyOK && st.configured() != "" {
		return &remediate.Plan{
			Summary: "make the running and the configured SELinux mode agree",
			Actions: []remediate.Action{remediate.Tell(fmt.Sprintf(
				"decide which mode this host runs in, set SELINUX= in %s to it, and apply it (setenforce 1 or 0; a reboot from or to disabled)", configPath))},
		}
	}
	target := c.target()
	if c.rule == nil {
		target = st.configured()
		if target == "" {
			target = enforcing
		}
	}
	plan := &remediate.Plan{}
	var summary []string
	policy := st.policy
	if policy == "" {
		policy = defaultPolicy
	}
	enabled := target == enforcing || target == permissive
	if enabled && (!st.policyOK || st.policy == "") {
		plan.Actions = append(plan.Actions, installPolicy(c.facts.pkg, policy))
		summary = append(summary, "install the "+policy+" policy")
	}
	if !c.satisfies(st.configured()) || st.configured() == "" || (c.rule == nil && st.configured() != target) {
		plan.Actions = append(plan.Actions, remediate.Action{Kind: remediate.FileLine, Path: configPath, Key: "SELINUX", Line: "SELINUX=" + string(target)})
		summary = append(summary, "set SELINUX="+string(target)+" in "+configPath)
	}
	if st.cfg == nil || st.cfg.policy == "" {
		plan.Actions = append(plan.Actions, remediate.Action{Kind: remediate.FileLine, Path: configPath, Key: "SELINUXTYPE", Line: "SELINUXTYPE=" + policy})
	}
	rt := st.rt.mode
	fromDisabled := rt == disabled || (st.rt.image && (st.configured() == disabled || st.configured() == ""))
	switch {
	case enabled && fromDisabled:
		plan.Actions = append(plan.Actions,
			remediate.Action{Kind: remediate.DropIn, Path: autorelabelPath, Content: autorelabelForce},
			remediate.Tell("SELinux was disabled: files created meanwhile carry no label, so the next boot relabels every file system (/.autorelabel, as `fixfiles -F onboot` sets it up; this takes a while on large file systems). Check that the kernel command line has no selinux=0 (grubby --info=ALL; remove it with grubby --update-kernel ALL --remove-args selinux). Red Hat recommends booting permissive first and reading `ausearch -m AVC,USER_AVC -ts boot` before enforcing."))
		summary = append(summary, "relabel at the next boot")
		plan.Reboot = !st.rt.image
	case target == enforcing && rt == permissive:
		plan.Actions = append(plan.Actions, remediate.Run("switch the running system to enforcing now, without a reboot", "setenforce", "1"))
		summary = append(summary, "setenforce 1")
	case target == permissive && rt == enforcing:
		plan.Actions = append(plan.Actions, remediate.Run("switch the running system to permissive now", "setenforce", "0"))
		summary = append(summary, "setenforce 0")
	case target == disabled && (rt == enforcing || rt == permissive):
		plan.Reboot = true
		summary = append(summary, "reboot")
	}
	if len(plan.Actions) == 0 {
		plan.Actions = append(plan.Actions, remediate.Tell(fmt.Sprintf("make %s set SELINUX=%s and reboot", configPath, target)))
	}
	plan.Summary = strings.Join(summary, "; ")
	if plan.Summary == "" {
		plan.Summary = "set the SELinux mode to " + string(target)
	}
	return plan
}

// installPolicy installs the policy package (selinux-policy-targeted,
// -mls, -minimal on the RHEL family).
func installPolicy(pkg, policy string) remediate.Action {
	switch pkg {
	case "yum", "dnf":
		return remediate.Run("install the policy the configuration names", pkg, "install", "-y", "selinux-policy-"+policy)
	}
	return remediate.Tell("install the SELinux policy package for " + policy + " (selinux-policy-" + policy + " on the RHEL family)")
}

// macSkip says why the SELinux checks do not apply, or "".
func macSkip(f facts) string {
	distro := f.distro
	if distro == "" {
		distro = "this distro"
	}
	switch f.mac {
	case "apparmor":
		return fmt.Sprintf("%s uses AppArmor, not SELinux (facts.mac: apparmor); apparmor/enabled checks it", distro)
	case "none":
		return fmt.Sprintf("profile %s says %s runs no mandatory access control (facts.mac: none)", f.profile, distro)
	}
	return ""
}

// readFailure is "needs root" for a permission error as non-root, an error
// otherwise.
func readFailure(h *host.Host, what string, err error) engine.Result {
	if h.NeedsRoot(err) {
		return engine.SkipNeedsRoot(engine.Result{}, err)
	}
	return engine.Result{Status: engine.Error, Message: what + ": " + err.Error()}
}
