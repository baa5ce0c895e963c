package cgroup

import (
	"fmt"
	"math/big"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/remediate"
)

// plan fixes a knob. persist writes the value into a drop-in; apply also
// sets it on the running unit with set-property --runtime (no restart;
// the drop-in keeps it across reboots). When only apply is asked, the
// configured value is right and just needs loading. keep, when set, is
// the running value, which satisfies the rule: it is what gets persisted.
func (c *unitCheck) plan(st *state, u *unitInfo, cfg setting, apply, persist bool, keep *amount) *remediate.Plan {
	directive := c.knob.Directive
	if c.knob.Legacy != "" && st.mode() == v1 {
		// CentOS 7's systemd 219 knows only MemoryLimit=; newer systemd
		// on v1 honours it as well.
		directive = c.knob.Legacy
	}
	if !persist {
		// The unit files are right; the running cgroup has not caught up.
		line := cfg.directive + "=" + cfg.raw
		if !cfg.set {
			line = directive + "=" + directiveValue(c.knob.Q, cfg.amount)
		}
		return &remediate.Plan{
			Summary: fmt.Sprintf("apply %s from the unit files to the running %s", line, c.unitName),
			Actions: []remediate.Action{
				remediate.Run("load the unit files as they are now", "systemctl", "daemon-reload"),
				remediate.Run("apply the configured value to the running unit without a restart", "systemctl", "set-property", "--runtime", c.unitName, line),
			},
		}
	}
	want, ok := c.want.fix(c.knob.Q)
	if keep != nil {
		want, ok = *keep, true
	}
	if !ok {
		return &remediate.Plan{
			Summary: "choose a value for " + directive + "=",
			Actions: []remediate.Action{remediate.Tell(fmt.Sprintf("set %s= for %s to a value whose %s satisfies %q, in a drop-in such as %s, then run systemctl daemon-reload",
				directive, c.unitName, c.knob.Name, c.rule.Expect.String(), dropInPath(c.unitName, directive)))},
		}
	}
	value := directiveValue(c.knob.Q, want)
	line := directive + "=" + value
	drop := dropInPath(c.unitName, directive)
	section := typeSections[c.unitName[strings.LastIndexByte(c.unitName, '.')+1:]]
	var actions []remediate.Action
	switch {
	case cfg.set && cfg.directive == directive && overridesDropIn(cfg.file, u.f.Path, drop) && strings.HasPrefix(cfg.file, "/etc/"):
		// The file that sets it now applies after golive's drop-in and
		// would win: change its line instead.
		actions = append(actions, remediate.Action{Kind: remediate.FileLine, Path: cfg.file, Key: directive, Line: line})
	case cfg.set && cfg.directive == directive && overridesDropIn(cfg.file, u.f.Path, drop):
		return &remediate.Plan{
			Summary: "set " + line + " for " + c.unitName,
			Actions: []remediate.Action{remediate.Tell(fmt.Sprintf("%s sets %s=%s and applies after %s; override it with a drop-in of the same name in /etc/systemd/system/%s.d that sets %s, then run systemctl daemon-reload",
				cfg.file, directive, cfg.raw, drop, c.unitName, line))},
		}
	default:
		actions = append(actions, remediate.Action{Kind: remediate.DropIn, Path: drop,
			Content: fmt.Sprintf("# Written by golive for check cgroup/unit:%s/%s (%s).\n[%s]\n%s\n", c.unitName, c.knob.Name, c.rule.Expect.String(), section, line)})
	}
	actions = append(actions, remediate.Run("load the changed unit files", "systemctl", "daemon-reload"))
	if apply {
		actions = append(actions, remediate.Run("apply the value to the running unit without a restart (the drop-in keeps it across reboots)",
			"systemctl", "set-property", "--runtime", c.unitName, line))
	}
	return &remediate.Plan{Summary: "set " + line + " for " + c.unitName, Actions: actions}
}

// overridesDropIn reports whether file applies after golive's drop-in:
// drop-ins apply in file-name order after the fragment, so only a drop-in
// whose name sorts later wins over it.
func overridesDropIn(file, fragment, drop string) bool {
	return file != fragment && path.Base(file) > path.Base(drop)
}

// directiveValue writes an amount as a unit file takes it: bytes and tasks
// as integers or infinity, CPU cores as a CPUQuota= percentage.
func directiveValue(q quantity, a amount) string {
	if a.Max {
		if q == coresQ {
			return "" // CPUQuota= with no value removes the quota
		}
		return "infinity"
	}
	if q != coresQ {
		return a.text()
	}
	pct := new(big.Rat).Mul(a.V, big.NewRat(100, 1))
	s := strings.TrimRight(strings.TrimRight(pct.FloatString(2), "0"), ".")
	return s + "%"
}

// addGoMaxProcs adds an Environment=GOMAXPROCS drop-in; the running
// service reads it only when it restarts, which is the operator's call.
func addGoMaxProcs(p *remediate.Plan, checkID, unitName string, n int) *remediate.Plan {
	if p == nil {
		p = &remediate.Plan{Summary: fmt.Sprintf("run %s with GOMAXPROCS=%d", unitName, n)}
	}
	section := typeSections[unitName[strings.LastIndexByte(unitName, '.')+1:]]
	p.Actions = append(p.Actions,
		remediate.Action{Kind: remediate.DropIn, Path: dropInPath(unitName, "GOMAXPROCS"),
			Content: fmt.Sprintf("# Written by golive for check %s: match GOMAXPROCS to the CPU quota (Go 1.25+ does this by itself)\n[%s]\nEnvironment=GOMAXPROCS=%d\n", checkID, section, n)},
		remediate.Run("load the changed unit files", "systemctl", "daemon-reload"),
		remediate.Tell(fmt.Sprintf("restart %s when convenient (systemctl restart %s): the environment is read at start", unitName, unitName)))
	return p
}

// enableV2 boots the unified hierarchy, with the distro family's tools.
func enableV2(family string, st *state) *remediate.Plan {
	arg := argUnified + "=1"
	p := &remediate.Plan{Summary: "boot with the unified cgroup hierarchy (" + arg + ")", Reboot: true}
	_, hasLegacy := argValue(st.boot.args, argLegacy)
	switch family {
	case "rhel":
		p.Actions = append(p.Actions, remediate.Run("add the kernel argument to every installed kernel", "grubby", "--update-kernel=ALL", "--args="+arg))
		if hasLegacy {
			p.Actions = append(p.Actions, remediate.Run("drop the argument that keeps the v1 systemd hierarchy", "grubby", "--update-kernel=ALL", "--remove-args="+argLegacy))
		}
	case "debian":
		edits, ok := grubEdits(st.boot.grub)
		if !ok {
			p.Actions = append(p.Actions, remediate.Tell("add "+arg+" to GRUB_CMDLINE_LINUX in "+grubDefault+" (and remove any "+argUnified+"=0), then run update-grub"))
		} else {
			p.Actions = append(p.Actions, edits...)
		}
		p.Actions = append(p.Actions, remediate.Run("regenerate /boot/grub/grub.cfg from "+grubDefault, "update-grub"))
	default:
		p.Actions = append(p.Actions, remediate.Tell("add the kernel argument "+arg+": grubby --update-kernel=ALL --args="+arg+
			" on the RHEL family; GRUB_CMDLINE_LINUX in "+grubDefault+" and update-grub on Debian and Ubuntu"))
	}
	p.Actions = append(p.Actions, remediate.Tell("reboot: the hierarchy is chosen at boot"))
	return p
}

// grubEdits rewrites GRUB_CMDLINE_LINUX with the argument (dropping older
// values of it and of the legacy-controller argument), and
// GRUB_CMDLINE_LINUX_DEFAULT when it holds one of them: it comes later on
// the command line and would win.
func grubEdits(vars map[string]string) ([]remediate.Action, bool) {
	if vars == nil {
		return nil, false
	}
	strip := func(v string) ([]string, bool) {
		var keep []string
		changed := false
		for _, a := range splitArgs(v, true) {
			k, _, _ := strings.Cut(a, "=")
			if k == argUnified || k == argLegacy {
				changed = true
				continue
			}
			keep = append(keep, a)
		}
		return keep, changed
	}
	linux, _ := strip(vars["GRUB_CMDLINE_LINUX"])
	linux = append(linux, argUnified+"=1")
	out := []remediate.Action{{Kind: remediate.FileLine, Path: grubDefault, Key: "GRUB_CMDLINE_LINUX",
		Line: "GRUB_CMDLINE_LINUX=" + shellQuote(strings.Join(linux, " "))}}
	if def, changed := strip(vars["GRUB_CMDLINE_LINUX_DEFAULT"]); changed {
		out = append(out, remediate.Action{Kind: remediate.FileLine, Path: grubDefault, Key: "GRUB_CMDLINE_LINUX_DEFAULT",
			Line: "GRUB_CMDLINE_LINUX_DEFAULT=" + shellQuote(strings.Join(def, " "))})
	}
	return out, true
}

// shellQuote writes a value in double quotes as /etc/default/grub does.
func shellQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")
	return `"` + r.Replace(s) + `"`
}

// readOnlyPlan is the fix for a limit systemd cannot enforce because the
// controller's hierarchy is read-only: only whoever runs the system (the
// container's runtime) can change that, so no systemctl command is given.
func readOnlyPlan(k knob) *remediate.Plan {
	return &remediate.Plan{Summary: "make the " + k.Controller + " controller writable for systemd", Actions: []remediate.Action{remediate.Tell(
		"the " + k.Controller + " cgroup hierarchy is mounted read-only, so systemd cannot enforce " + k.Directive + "= (systemctl set-property cannot either): " +
			"run the system with its cgroups delegated (a container: cgroup v2 with a delegated, writable subtree from its runtime), " +
			"or set the limit on the container itself from the host")}}
}
