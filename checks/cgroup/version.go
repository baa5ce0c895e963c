package cgroup

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

type versionCheck struct {
	engine.Base
	rule   profile.Rule
	family string
	state  *stateCache
}

func (c *versionCheck) Run(_ context.Context, h *host.Host) engine.Result {
	st := c.state.get(h)
	res := engine.Result{Details: map[string]any{}}
	switch {
	case st.permErr != nil:
		return engine.SkipNeedsRoot(res, st.permErr)
	case st.err != nil:
		return fail(res, engine.Error, st.err.Error())
	}
	c.details(res.Details, st)

	var observed mode
	if st.runtime {
		observed = st.layout.mode
		res.Observed = st.layout.describe()
	} else {
		res.Details["image"] = true
		if st.bootMode == "" {
			return skip(res, "image: the hierarchy is chosen at boot; "+st.bootWhy)
		}
		observed = st.bootMode
		res.Observed = fmt.Sprintf("%s at the next boot (image: %s%s)", observed, st.bootWhy, fromSource(st.boot.source))
	}

	ok, err := c.rule.Expect.Eval(string(observed))
	if err != nil {
		return fail(res, engine.Error, err.Error())
	}
	noV2 := st.support.usable != nil && !*st.support.usable && observed != v2
	next := st.bootExplicit && st.runtime && st.bootMode != observed
	nextOK := false
	if next {
		nextOK, _ = c.rule.Expect.Eval(string(st.bootMode))
		res.Details["next_boot"] = map[string]any{"mode": string(st.bootMode), "why": st.bootWhy, "source": st.boot.source}
	}
	switch {
	case noV2:
		// Not a misconfiguration: nothing on this kernel can be changed.
		res.Status = engine.Warn
		res.Message = st.support.why + ": cgroup " + string(observed) + " is all it offers"
		// The columns say what is wrong: the kernel, not the hierarchy the
		// profile accepts ("v1" against "v1" hid it).
		res.Observed = "a kernel without cgroup v2; " + res.Observed
		if ok {
			res.Message += ", as the profile expects"
			res.Expected = "a kernel that offers cgroup v2 (the profile accepts " + c.M.Expected + " meanwhile)"
		}
		res.Message += "; without v2 there is no memory.high throttling, no pressure stall information, and MemoryMax=/MemoryHigh= fall back to v1's memory.limit_in_bytes or do nothing. Plan the move to a release that boots cgroup v2"
		res.Remediation = &remediate.Plan{Summary: "move to a kernel with cgroup v2", Actions: []remediate.Action{remediate.Tell(
			"cgroup v2 needs Linux 4.15 or later (4.5 for the filesystem, 4.15 for the cpu controller): move the service to a release that boots the unified hierarchy (RHEL/Rocky 9, Ubuntu 22.04); there is no in-place fix on this kernel")}}
	case ok && next && !nextOK:
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("the next boot switches to %s: %s%s", st.bootMode, st.bootWhy, fromSource(st.boot.source))
		res.Remediation = c.fix(st)
	case ok:
		res.Status = engine.Pass
		res.Message = "cgroup " + string(observed) + " as expected"
		if !st.runtime {
			res.Message = "image: the next boot sets up cgroup " + string(observed)
		}
	case next && nextOK:
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = fmt.Sprintf("running %s; the next boot sets up %s (%s%s): reboot pending", observed, st.bootMode, st.bootWhy, fromSource(st.boot.source))
		res.Remediation = &remediate.Plan{Summary: "reboot into cgroup " + string(st.bootMode), Reboot: true,
			Actions: []remediate.Action{remediate.Tell("reboot: the kernel command line already asks for " + string(st.bootMode))}}
	default:
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = "cgroup " + string(observed) + ", expected " + wanted(c.rule)
		if observed == none {
			res.Message = "no cgroup hierarchy is mounted at " + root + ": systemd cannot limit or even track the service"
		}
		res.Remediation = c.fix(st)
		if st.support.usable == nil && res.Remediation != nil {
			res.Message += "; " + st.support.why + ", so check that it has cgroup v2 (4.15+) before rebooting"
		}
	}
	if p := st.problems(); len(p) > 0 {
		res.Message += fmt.Sprintf("; %s has %d malformed line(s)", mountInfoPath, len(st.info.problems)+st.info.skipped)
		if res.Status == engine.Pass {
			res.Status = engine.Warn
		}
	}
	return res
}

// fix is the remediation towards what the rule expects.
func (c *versionCheck) fix(st *state) *remediate.Plan {
	if ok, _ := c.rule.Expect.Eval(string(v2)); ok {
		if st.layout.mode == none && st.runtime {
			return &remediate.Plan{Summary: "mount cgroups", Actions: []remediate.Action{remediate.Tell(
				"nothing is mounted at " + root + ": on a host systemd mounts it at boot; in a container, give it the host's cgroup mount (read-only) or a cgroup namespace")}}
		}
		return enableV2(c.family, st)
	}
	return &remediate.Plan{Summary: "boot the hierarchy the profile expects", Reboot: true, Actions: []remediate.Action{remediate.Tell(fmt.Sprintf(
		"the profile expects cgroup %s: set %s=0 on the kernel command line (and %s=1 for v1 without the hybrid layout), then reboot",
		wanted(c.rule), argUnified, argLegacy))}}
}

// wanted shows a rule's expectation as a reader says it: "v2", not "== v2".
func wanted(r profile.Rule) string {
	if r.Expect.Op == expect.EQ {
		return strings.Join(r.Expect.Fields, " ")
	}
	return r.Expect.String()
}

func fromSource(src string) string {
	if src == "" {
		return ""
	}
	return " in " + src
}

func (c *versionCheck) details(d map[string]any, st *state) {
	d["mode"] = string(st.mode())
	if st.runtime {
		d["mountinfo"] = mountInfoPath
		if t := st.layout.top; t != nil {
			d["top"] = map[string]any{"fstype": t.fsType, "source": t.source, "options": strings.Join(t.super, ","), "line": t.line}
		}
		if st.layout.unified != "" {
			d["unified"] = st.layout.unified
		}
		if len(st.layout.v1) > 0 {
			v1 := map[string]string{}
			for ctl, m := range st.layout.v1 {
				v1[ctl] = m.point
			}
			d["v1_hierarchies"] = v1
		}
	}
	k := map[string]any{"release": st.support.release, "from": st.support.from, "why": st.support.why, "v2_usable": nil}
	if st.support.usable != nil {
		k["v2_usable"] = *st.support.usable
	}
	if st.support.fsListed != nil {
		k["cgroup2_in_filesystems"] = *st.support.fsListed
	}
	d["kernel"] = k
	var cg []string
	for _, a := range st.boot.args {
		key, _, _ := strings.Cut(a, "=")
		if key == argUnified || key == argLegacy || key == argNoV1 {
			cg = append(cg, a)
		}
	}
	d["boot"] = map[string]any{"mode": string(st.bootMode), "why": st.bootWhy, "source": st.boot.source, "cgroup_args": cg}
	if len(st.boot.problems) > 0 {
		d["boot_problems"] = st.boot.problems
	}
	if p := st.problems(); len(p) > 0 {
		d["mountinfo_problems"] = p
	}
	d["expected_from"] = c.rule.Where
}
