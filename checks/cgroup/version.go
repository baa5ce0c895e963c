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
	case st.PermErr != nil:
		return engine.SkipNeedsRoot(res, st.PermErr)
	case st.Err != nil:
		return fail(res, engine.Error, st.Err.Error())
	}
	c.details(res.Details, st)

	var observed Mode
	if st.Runtime {
		observed = st.Layout.Mode
		res.Observed = st.Layout.Describe()
	} else {
		res.Details["image"] = true
		if st.BootMode == "" {
			return skip(res, "image: the hierarchy is chosen at boot; "+st.BootWhy)
		}
		observed = st.BootMode
		res.Observed = fmt.Sprintf("%s at the next boot (image: %s%s)", observed, st.BootWhy, fromSource(st.Boot.Source))
	}

	ok, err := c.rule.Expect.Eval(string(observed))
	if err != nil {
		return fail(res, engine.Error, err.Error())
	}
	noV2 := st.Support.Usable != nil && !*st.Support.Usable && observed != V2
	next := st.BootExplicit && st.Runtime && st.BootMode != observed
	nextOK := false
	if next {
		nextOK, _ = c.rule.Expect.Eval(string(st.BootMode))
		res.Details["next_boot"] = map[string]any{"mode": string(st.BootMode), "why": st.BootWhy, "source": st.Boot.Source}
	}
	switch {
	case noV2:
		// Not a misconfiguration: nothing on this kernel can be changed.
		res.Status = engine.Warn
		res.Message = st.Support.Why + ": cgroup " + string(observed) + " is all it offers"
		if ok {
			res.Message += ", as the profile expects"
		}
		res.Message += "; without v2 there is no memory.high throttling, no pressure stall information, and MemoryMax=/MemoryHigh= fall back to v1's memory.limit_in_bytes or do nothing. Plan the move to a release that boots cgroup v2"
		res.Remediation = &remediate.Plan{Summary: "move to a kernel with cgroup v2", Actions: []remediate.Action{remediate.Tell(
			"cgroup v2 needs Linux 4.15 or later (4.5 for the filesystem, 4.15 for the cpu controller): move the service to a release that boots the unified hierarchy (RHEL/Rocky 9, Ubuntu 22.04); there is no in-place fix on this kernel")}}
	case ok && next && !nextOK:
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("the next boot switches to %s: %s%s", st.BootMode, st.BootWhy, fromSource(st.Boot.Source))
		res.Remediation = c.fix(st)
	case ok:
		res.Status = engine.Pass
		res.Message = "cgroup " + string(observed) + " as expected"
		if !st.Runtime {
			res.Message = "image: the next boot sets up cgroup " + string(observed)
		}
	case next && nextOK:
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = fmt.Sprintf("running %s; the next boot sets up %s (%s%s): reboot pending", observed, st.BootMode, st.BootWhy, fromSource(st.Boot.Source))
		res.Remediation = &remediate.Plan{Summary: "reboot into cgroup " + string(st.BootMode), Reboot: true,
			Actions: []remediate.Action{remediate.Tell("reboot: the kernel command line already asks for " + string(st.BootMode))}}
	default:
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = "cgroup " + string(observed) + ", expected " + wanted(c.rule)
		if observed == None {
			res.Message = "no cgroup hierarchy is mounted at " + Root + ": systemd cannot limit or even track the service"
		}
		res.Remediation = c.fix(st)
		if st.Support.Usable == nil && res.Remediation != nil {
			res.Message += "; " + st.Support.Why + ", so check that it has cgroup v2 (4.15+) before rebooting"
		}
	}
	if p := st.problems(); len(p) > 0 {
		res.Message += fmt.Sprintf("; %s has %d malformed line(s)", MountInfoPath, len(st.Info.Problems)+st.Info.Skipped)
		if res.Status == engine.Pass {
			res.Status = engine.Warn
		}
	}
	return res
}

// fix is the remediation towards what the rule expects.
func (c *versionCheck) fix(st *state) *remediate.Plan {
	if ok, _ := c.rule.Expect.Eval(string(V2)); ok {
		if st.Layout.Mode == None && st.Runtime {
			return &remediate.Plan{Summary: "mount cgroups", Actions: []remediate.Action{remediate.Tell(
				"nothing is mounted at " + Root + ": on a host systemd mounts it at boot; in a container, give it the host's cgroup mount (read-only) or a cgroup namespace")}}
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
	if st.Runtime {
		d["mountinfo"] = MountInfoPath
		if t := st.Layout.Top; t != nil {
			d["top"] = map[string]any{"fstype": t.FSType, "source": t.Source, "options": strings.Join(t.Super, ","), "line": t.Line}
		}
		if st.Layout.Unified != "" {
			d["unified"] = st.Layout.Unified
		}
		if len(st.Layout.V1) > 0 {
			v1 := map[string]string{}
			for ctl, m := range st.Layout.V1 {
				v1[ctl] = m.Point
			}
			d["v1_hierarchies"] = v1
		}
	}
	k := map[string]any{"release": st.Support.Release, "from": st.Support.From, "why": st.Support.Why, "v2_usable": nil}
	if st.Support.Usable != nil {
		k["v2_usable"] = *st.Support.Usable
	}
	if st.Support.FSListed != nil {
		k["cgroup2_in_filesystems"] = *st.Support.FSListed
	}
	d["kernel"] = k
	var cg []string
	for _, a := range st.Boot.Args {
		key, _, _ := strings.Cut(a, "=")
		if key == argUnified || key == argLegacy || key == argNoV1 {
			cg = append(cg, a)
		}
	}
	d["boot"] = map[string]any{"mode": string(st.BootMode), "why": st.BootWhy, "source": st.Boot.Source, "cgroup_args": cg}
	if len(st.Boot.Problems) > 0 {
		d["boot_problems"] = st.Boot.Problems
	}
	if p := st.problems(); len(p) > 0 {
		d["mountinfo_problems"] = p
	}
	d["expected_from"] = c.rule.Where
}
