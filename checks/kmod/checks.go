package kmod

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/fnmatch"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

type loadedCheck struct {
	engine.Base
	spec *spec
}

type bootCheck struct {
	engine.Base
	spec *spec
}

func (c *loadedCheck) Run(_ context.Context, h *host.Host) engine.Result {
	s := c.spec
	res := engine.Result{Details: map[string]any{"module": s.norm}}
	l, err := loadedOf(h)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !h.Live():
		res.Status = engine.Skip
		res.Message = "the root has no " + procModulesPath + " (an image has no running kernel); " +
			engine.CheckID(kind, string(aspBoot), s.name) + " says what its next boot loads"
		return res
	case err != nil && h.NeedsRoot(err):
		return engine.SkipNeedsRoot(res, err)
	case err != nil:
		res.Status, res.Message = engine.Error, "cannot read the loaded modules: "+err.Error()
		return res
	}
	loaded, how := false, ""
	if m, ok := l.Modules[s.norm]; ok && m.State != "Unloading" {
		loaded, how = true, fmt.Sprintf("loaded (%s, %s line %d)", m.State, procModulesPath, m.Line)
		res.Details["state"] = m.State
	} else if l.Builtin != nil && l.Builtin[s.norm] {
		loaded, how = true, "built into the kernel ("+l.BuiltinNote+")"
		res.Details["builtin"] = true
	} else if l.Builtin == nil {
		// Not a loaded module, and whether it is built in is unknown.
		if l.BuiltinErr != nil {
			if h.NeedsRoot(l.BuiltinErr) {
				return engine.SkipNeedsRoot(res, l.BuiltinErr)
			}
			res.Status, res.Message = engine.Error, "not in "+procModulesPath+", and "+l.BuiltinErr.Error()
			return res
		}
		res.Status, res.Observed = engine.Skip, "not a loaded module"
		res.Message = s.name + " is not in " + procModulesPath + " and golive cannot tell whether it is built in: " + l.BuiltinNote
		return res
	} else if l.NoModules {
		how = "not built in (" + l.BuiltinNote + "), and the running kernel loads no modules (no " + procModulesPath + ": built without CONFIG_MODULES)"
	} else {
		how = "not loaded (not in " + procModulesPath + " nor in " + l.BuiltinNote + ")"
	}
	res.Details["loaded"] = loaded
	res.Observed = how
	if loaded == s.loaded {
		res.Status, res.Message = engine.Pass, s.name+" is "+how
		return res
	}
	res.Status = engine.MissStatus(c.M.Level)
	if loaded {
		res.Message = s.name + " is " + how + " and must not be"
		text := "unload it with modprobe -r " + s.name + " once nothing uses it (lsmod shows its users), and stop it loading again (kmod/boot)"
		if res.Details["builtin"] == true {
			text = s.name + " is built into the kernel: only a kernel built without it (or initcall_blacklist= on its command line) removes it"
		}
		res.Remediation = manualPlan("unload "+s.name+" (by hand)", text)
		return res
	}
	res.Message = s.name + " is " + how
	if l.NoModules {
		res.Remediation = manualPlan("boot a kernel with "+s.name, "the running kernel cannot load modules: boot a kernel that has "+s.name+" built in, or one with loadable module support")
		return res
	}
	b := bootOf(h)
	if d, ok := b.Modprobe.InstallFor(s.norm); ok && Refuses(d.Command) {
		res.Remediation = manualPlan("remove the install line that stops "+s.name+" loading (by hand)", fmt.Sprintf("modprobe %s runs %q instead (%s): remove that install line, then modprobe %s", s.name, d.Command, d.Where(), s.name))
		return res
	}
	if l.Known != nil && !l.Known[s.norm] && !aliased(s.norm, l.Aliases, b.Modprobe.Alias) {
		res.Remediation = manualPlan("install the package that ships "+s.name+" (by hand)",
			"the running kernel has no module "+s.name+" (not in "+l.DepPath+"): install the package that ships it for this kernel "+
				"(kernel-modules-extra on RHEL and Rocky, linux-modules-extra-$(uname -r) on Ubuntu), then modprobe "+s.name)
		return res
	}
	res.Remediation = &remediate.Plan{Summary: "modprobe " + s.name, Actions: []remediate.Action{
		remediate.Run("load the module into the running kernel (a blacklist line does not stop an explicit modprobe)", "modprobe", s.name)}}
	return res
}

// manualPlan is a manual fix: summary in one line, text the whole step.
func manualPlan(summary, text string) *remediate.Plan {
	return &remediate.Plan{Summary: summary, Actions: []remediate.Action{remediate.Tell(text)}}
}

// bootVerdict is what the next boot does with one module.
type bootVerdict struct {
	listed    []string // file:line of every line naming it
	blacklist *Directive
	install   *Directive
	cmdline   string // the command-line word that names or blocks it
	cmdBlock  bool   // cmdline blocks rather than loads
	builtin   bool
	// builtinUnknown says whether the module is built in could not be
	// read (no modules.builtin): a module not loaded at boot may still
	// be there.
	builtinUnknown string
	missing        string // why the kernel has no such module, "" when found or unknown
}

// willLoad reports whether systemd-modules-load loads the module.
func (v bootVerdict) willLoad() bool {
	if v.builtin {
		return true
	}
	if len(v.listed) == 0 || v.blacklist != nil || v.cmdBlock || v.missing != "" {
		return false
	}
	return v.install == nil || !Refuses(v.install.Command)
}

// blocker words what stops the module loading, "" when nothing does.
func (v bootVerdict) blocker(name string) string {
	switch {
	case v.cmdBlock:
		return "the kernel command line has " + v.cmdline
	case v.blacklist != nil:
		return fmt.Sprintf("%s has \"blacklist %s\" (systemd-modules-load applies kmod's blacklist to the modules it loads)", v.blacklist.Where(), name)
	case v.install != nil && Refuses(v.install.Command):
		return fmt.Sprintf("%s has \"install %s %s\": kmod runs that command instead of loading the module", v.install.Where(), v.install.Module, v.install.Command)
	case v.missing != "":
		return v.missing + ": systemd-modules-load fails with \"Module '" + name + "' not found\""
	}
	return ""
}

func judgeBoot(h *host.Host, b *Boot, name string) bootVerdict {
	var v bootVerdict
	for _, e := range b.Listed(name) {
		v.listed = append(v.listed, fmt.Sprintf("%s:%d", e.File, e.Line))
	}
	if d, ok := b.Modprobe.Blacklisted(name); ok {
		v.blacklist = &d
	}
	if d, ok := b.Modprobe.InstallFor(name); ok {
		v.install = &d
	}
	cl := facts.NextBoot(h)
	for _, w := range strings.Fields(cl.Line) {
		k, val, ok := strings.Cut(w, "=")
		if !ok {
			continue
		}
		for _, m := range strings.Split(val, ",") {
			if Normalize(m) != name {
				continue
			}
			switch k {
			case "modules_load", "rd.modules_load":
				if !v.cmdBlock {
					v.listed = append(v.listed, cl.Source+": "+w)
				}
			case "module_blacklist", "modprobe.blacklist":
				v.cmdline, v.cmdBlock = w+" ("+cl.Source+")", true
			}
		}
	}
	l, err := loadedOf(h)
	switch {
	case err == nil && l.Builtin == nil:
		v.builtinUnknown = l.BuiltinNote
		if l.BuiltinErr != nil {
			v.builtinUnknown = l.BuiltinErr.Error()
		}
	case err == nil && l.Builtin[name]:
		v.builtin = true
	case err == nil && l.NoModules && !b.Modprobe.hasCommand(name):
		v.missing = "the running kernel loads no modules (no " + procModulesPath + "), and " + name + " is not built in"
	case err == nil && l.Known != nil && !l.Known[name] && !b.Modprobe.hasCommand(name) && !aliased(name, l.Aliases, b.Modprobe.Alias):
		v.missing = "the running kernel has no module " + name + " (not in " + l.DepPath + ", modules.alias or modules.builtin)"
	case err != nil && !h.Live():
		// An image: its modules.builtin is still the next boot's.
		var known bool
		if v.builtin, known = builtinInImage(h, name); !known {
			v.builtinUnknown = "the image has no " + moduleDirs[0] + "/*/modules.builtin"
		}
	}
	return v
}

// builtinInImage looks for the module in the modules.builtin of every
// kernel an image has installed: built into all of them, it is there
// whichever boots. known is false when no kernel has a modules.builtin.
func builtinInImage(h *host.Host, name string) (builtin, known bool) {
	for _, d := range moduleDirs {
		entries, err := h.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			data, err := h.ReadFileLimit(d+"/"+e.Name()+"/modules.builtin", maxProcModules)
			if err != nil {
				continue
			}
			if !ParseBuiltin(data)[name] {
				return false, true
			}
			known = true
		}
		if known {
			return true, true
		}
	}
	return false, false
}

func (c *bootCheck) Run(_ context.Context, h *host.Host) engine.Result {
	s := c.spec
	b := bootOf(h)
	v := judgeBoot(h, b, s.norm)
	res := engine.Result{Details: map[string]any{"module": s.norm, "listed": v.listed}}
	if len(b.Problems) > 0 {
		res.Details["problems"] = b.Problems
	}
	if len(b.Modprobe.Problems) > 0 {
		res.Details["modprobe_ignored_lines"] = b.Modprobe.Problems
	}
	block := v.blocker(s.name)
	if block != "" {
		res.Details["blocked_by"] = block
	}
	loads := v.willLoad()
	res.Details["loads"] = loads
	switch {
	case v.builtin:
		res.Observed = "built into the kernel"
	case loads:
		res.Observed = "listed in " + strings.Join(v.listed, ", ")
	case len(v.listed) > 0:
		res.Observed = "listed, but stopped: " + block
	case block != "":
		res.Observed = "not listed; " + block
	default:
		res.Observed = "not listed in modules-load.d"
	}
	if !loads && v.builtinUnknown != "" {
		res.Status = engine.Skip
		res.Message = s.name + ": " + res.Observed + "; whether it is built into the kernel is unknown (" + v.builtinUnknown + "), and a built-in module is always there"
		return res
	}
	if loads == s.atBoot {
		res.Status, res.Message = engine.Pass, s.name+": "+res.Observed
		if loads && v.install != nil && !v.builtin {
			res.Status = engine.Warn
			res.Message = fmt.Sprintf("%s: %s, but %s has \"install %s %s\": kmod runs that command instead of loading the module, and golive does not run it to see what it does",
				s.name, res.Observed, v.install.Where(), v.install.Module, v.install.Command)
		}
		return res
	}
	res.Status = engine.MissStatus(c.M.Level)
	if loads {
		res.Message = s.name + " will be loaded at the next boot (" + res.Observed + ") and must not be"
		text := "remove " + s.name + " from " + strings.Join(v.listed, ", ") + ", or stop it with a line \"install " + s.name + " /bin/false\" in /etc/modprobe.d"
		if v.builtin {
			text = s.name + " is built into the kernel: only a kernel built without it removes it"
		}
		res.Remediation = manualPlan("stop the next boot loading "+s.name+" (by hand)", text)
		return res
	}
	res.Message = s.name + " will not be loaded at the next boot: " + res.Observed
	if block != "" {
		res.Remediation = manualPlan("remove what stops "+s.name+" loading at boot (by hand)", "remove what stops "+s.name+": "+block+"; check first why it was put there (a hardening baseline often blacklists modules on purpose)")
		return res
	}
	res.Remediation = &remediate.Plan{Summary: "load " + s.name + " at every boot (" + dropInPath(s.name) + ") and now", Actions: []remediate.Action{
		{Kind: remediate.DropIn, Path: dropInPath(s.name), Content: s.name + "\n"},
		remediate.Run("load it now too (skipped under ROOT=: an image has no running kernel)", "modprobe", s.name)}}
	return res
}

// aliased reports whether kmod resolves name as an alias: a pattern of
// modules.alias or of a modprobe.d alias line matches it.
func aliased(name string, index []string, config []Directive) bool {
	for _, p := range index {
		if fnmatch.Match(p, name) {
			return true
		}
	}
	for _, d := range config {
		if fnmatch.Match(d.Module, name) {
			return true
		}
	}
	return false
}
