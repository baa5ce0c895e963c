package sysctl

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
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/remediate"
)

// maxValue bounds a /proc/sys value; the longest real ones (core_pattern,
// a few tables) are well under a page, but nothing here trusts that.
const maxValue = 64 << 10

type check struct {
	engine.Base
	key         string
	rule        profile.Rule
	bootDefault string
	hasDefault  bool
	config      *configCache
}

func (c *check) Run(ctx context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"key": c.key, "path": procPath(c.key)}}

	cfg, sources, err := c.config.get(h)
	if err != nil {
		return errorResult(res, fmt.Sprintf("read sysctl configuration: %v", err))
	}
	if len(cfg.problems) > 0 {
		res.Details["config_problems"] = cfg.problems
	}
	if len(sources.problems) > 0 {
		res.Details["boot_problems"] = sources.problems
	}
	transient, hasTransient := cfg.transientSet(c.key)
	if hasTransient {
		res.Details["transient_file"] = fmt.Sprintf("%s:%d", transient.File, transient.Line)
		res.Details["transient"] = transient.Value
	}

	runtime, image, rerr := readRuntime(h, c.key)
	b := sources.resolve(c.key, cfg, c.bootDefault, c.hasDefault, runtime, rerr == nil && !image)
	c.describeBoot(res, b)
	switch {
	case errors.Is(rerr, fs.ErrNotExist):
		return c.missing(res, h)
	case h.NeedsRoot(rerr):
		return engine.SkipNeedsRoot(res, rerr)
	case rerr != nil:
		return errorResult(res, rerr.Error())
	}
	if image {
		res.Details["runtime"] = nil
		res.Details["image"] = true
		return c.judgeImage(res, b)
	}
	res.Details["runtime"] = runtime
	res = c.judge(res, runtime, b)
	if hasTransient && res.Status != engine.Pass {
		res.Message += fmt.Sprintf("; %s:%d sets %s, but /run is cleared at reboot", transient.File, transient.Line, display(transient.Value))
	}
	return res
}

// describeBoot records where the boot value comes from.
func (c *check) describeBoot(res engine.Result, b bootValue) {
	res.Details["persisted"] = nil
	res.Details["persisted_file"] = nil
	if p := b.persisted; p != nil {
		res.Details["persisted"] = p.value
		res.Details["persisted_file"] = fmt.Sprintf("%s:%d", p.file, p.line)
		if p.glob != "" {
			res.Details["persisted_glob"] = p.glob
		}
	}
	if c.hasDefault {
		res.Details["boot_default"] = c.bootDefault
	}
	if b.known {
		res.Details["boot_value"] = b.value
		res.Details["boot_source"] = b.source
		res.Details["boot_from"] = b.from
		if b.ref != "" {
			res.Details["boot_ref"] = b.ref
		}
		if b.Range {
			res.Details["boot_value_range"] = []uint64{b.lo, b.hi}
		}
	}
}

// readRuntime reads the running kernel's value. image is set when the root
// has no /proc/sys at all: a mounted image with no running kernel, where
// only the persisted value can be judged.
func readRuntime(h *host.Host, key string) (value string, image bool, err error) {
	data, err := facts.Sysctl(h, swapSeparators(key), maxValue)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !h.Live() && !h.Exists("/proc/sys") {
			return "", true, nil
		}
		return "", false, err
	}
	v := strings.TrimRight(string(data), "\n")
	if strings.TrimSpace(v) == "" {
		return "", false, fmt.Errorf("%s: empty value", procPath(key))
	}
	return v, false, nil
}

// evalBoot judges the boot value. A computed default known only as a range
// counts as known when both ends agree.
func (c *check) evalBoot(b bootValue) (ok, known bool, err error) {
	if !b.known {
		return false, false, nil
	}
	if b.Range {
		okLo, err1 := c.rule.Expect.Eval(fmt.Sprint(b.lo))
		okHi, err2 := c.rule.Expect.Eval(fmt.Sprint(b.hi))
		if err1 != nil || err2 != nil || okLo != okHi {
			return false, false, nil
		}
		return okLo, true, nil
	}
	ok, err = c.rule.Expect.Eval(b.value)
	return ok, true, err
}

func (c *check) judge(res engine.Result, runtime string, b bootValue) engine.Result {
	shown := display(runtime)
	nowOK, err := c.rule.Expect.Eval(runtime)
	if err != nil {
		return errorResult(res, fmt.Sprintf("runtime value %q: %v", shown, err))
	}
	bootOK, bootKnown, bootErr := c.evalBoot(b)
	res.Observed = shown + c.bootSuffix(b)

	switch {
	case nowOK && bootKnown && bootErr == nil && bootOK:
		res.Status = engine.Pass
		res.Message = passMessage(b)
	case nowOK && bootKnown:
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("reverts on reboot: %s sets %s", b.from, display(b.value))
		switch {
		case bootErr != nil:
			res.Message = fmt.Sprintf("reverts on reboot: %s sets %q (%v)", b.from, display(b.value), bootErr)
		case b.source == sourceDistroDefault:
			res.Message = "reverts on reboot to the distro default " + display(b.value)
		case b.source == sourceKernelDefault:
			res.Message = fmt.Sprintf("reverts on reboot to the kernel default %s (%s)", approx(b), b.from)
		}
		res.Remediation = c.plan(runtime, b, false)
	case nowOK:
		res.Status = engine.Warn
		res.Message = "not persisted in any sysctl.d file: reverts to the kernel default on reboot (golive does not know that default for this key)"
		res.Remediation = c.plan(runtime, b, false)
	case bootKnown && bootErr == nil && bootOK:
		res.Status = engine.MissStatus(c.rule.Level)
		res.Remediation = c.applyBootPlan(b)
		if b.source == sourceSysctlD {
			res.Message = fmt.Sprintf("persisted in %s but not applied: run sysctl --system (or reboot)", b.from)
		} else {
			res.Message = fmt.Sprintf("runtime %s, but a boot applies %s (%s %s): not applied now", shown, approx(b), b.source, b.from)
		}
	default:
		res.Status = engine.MissStatus(c.rule.Level)
		switch b.source {
		case sourceSysctlD:
			res.Message = fmt.Sprintf("runtime %s and %s sets %s", shown, b.from, display(b.value))
		case sourceDistroDefault:
			res.Message = fmt.Sprintf("runtime %s; not persisted, the distro default is %s", shown, display(b.value))
		case sourceKernelDefault:
			res.Message = fmt.Sprintf("runtime %s; not persisted, the kernel default is %s (%s)", shown, approx(b), b.from)
		case sourceTuned, sourceCmdline, sourceSystemd:
			res.Message = fmt.Sprintf("runtime %s; at boot %s sets %s", shown, b.from, display(b.value))
		default:
			res.Message = fmt.Sprintf("runtime %s; not persisted in any sysctl.d file", shown)
		}
		res.Remediation = c.plan(runtime, b, true)
	}
	if d := b.dropped; d != nil && res.Status != engine.Pass {
		res.Message += fmt.Sprintf(" (%s:%d drops it with \"-%s\": no sysctl.d line before that sets it at boot)", d.File, d.Line, d.Key)
		res.Details["dropped_by"] = fmt.Sprintf("%s:%d", d.File, d.Line)
	}
	return res
}

func passMessage(b bootValue) string {
	switch b.source {
	case sourceSysctlD:
		return "set in " + b.from
	case sourceDistroDefault:
		return "the distro default; no sysctl.d file sets it"
	case sourceKernelDefault:
		return "the kernel default (" + b.from + "); nothing else sets it at boot"
	}
	return "set at boot by " + b.source + ": " + b.from
}

// approx shows a boot value, "about N" for a computed one.
func approx(b bootValue) string {
	if b.Range {
		return fmt.Sprintf("about %d", b.hi)
	}
	return display(b.value)
}

// judgeImage judges a root with no running kernel by its boot value alone.
func (c *check) judgeImage(res engine.Result, b bootValue) engine.Result {
	ok, known, err := c.evalBoot(b)
	if !known {
		res.Status = engine.Warn
		res.Observed = "not set"
		res.Message = "image: no sysctl.d file sets it and the profile knows no distro default"
		res.Remediation = c.plan("", b, false)
		return res
	}
	res.Observed = approx(b) + " (" + bootOrigin(b) + ")"
	switch {
	case err != nil:
		return errorResult(res, fmt.Sprintf("boot value %q: %v", display(b.value), err))
	case ok:
		res.Status = engine.Pass
		res.Message = "image: the value a boot applies satisfies the expectation"
	default:
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = "image: a boot applies " + approx(b) + " from " + bootOrigin(b)
		res.Remediation = c.plan(b.value, b, false)
	}
	return res
}

// bootOrigin names a boot value's origin in a few words.
func bootOrigin(b bootValue) string {
	switch b.source {
	case sourceSysctlD:
		return b.from
	case sourceDistroDefault, sourceKernelDefault:
		return b.source
	}
	return b.source + ", " + b.from
}

func (c *check) bootSuffix(b bootValue) string {
	switch {
	case b.persisted != nil:
		return fmt.Sprintf(" (persisted %s in %s)", display(b.value), path.Base(b.persisted.file))
	case b.source == sourceTuned:
		return fmt.Sprintf(" (tuned %s sets %s)", b.tuned.profile, display(b.value))
	case b.source == sourceCmdline:
		return " (kernel command line sets " + display(b.value) + ")"
	case b.source == sourceSystemd:
		return " (systemd sets " + display(b.value) + " at boot)"
	case b.source == sourceKernelDefault:
		return " (not persisted; kernel default " + approx(b) + ")"
	case b.known:
		return " (not persisted; default " + display(b.value) + ")"
	}
	return " (not persisted)"
}

// applyBootPlan fixes a runtime value when the boot value is right: apply
// what a boot would, and persist nothing.
func (c *check) applyBootPlan(b bootValue) *remediate.Plan {
	if p := b.persisted; p != nil {
		return &remediate.Plan{
			Summary: "apply the persisted sysctl configuration",
			Actions: []remediate.Action{remediate.Run("load the value already persisted in "+p.file, "sysctl", "-p", p.file)},
		}
	}
	v := b.value
	if b.Range {
		v = fmt.Sprint(b.hi)
	}
	return &remediate.Plan{
		Summary: fmt.Sprintf("apply %s = %s now (the value a boot gives it)", c.key, display(v)),
		Actions: []remediate.Action{remediate.Run("apply the boot value ("+b.source+") at runtime", "sysctl", "-w", c.key+"="+display(v))},
	}
}

// plan fixes the key. The value is the current one when it already
// satisfies (persist what runs), else the nearest satisfying one. When the
// winning file sorts after golive's drop-in, writing the drop-in would be
// overridden at boot, so that file's line is replaced instead.
//
// Two cases cannot be fixed by the drop-in: a tuned profile applied after
// the sysctl.d files (reapply_sysctl off), which must be edited itself, and
// a value equal to the kernel's default with nothing else setting the key,
// which needs no file at all (golive never pins a default).
func (c *check) plan(current string, b bootValue, runtimeWrong bool) *remediate.Plan {
	value := current
	if ok, err := c.rule.Expect.Eval(current); err != nil || !ok || current == "" {
		v, ok := c.rule.Expect.Fix(current)
		if !ok {
			return &remediate.Plan{
				Summary: "choose a value for " + c.key,
				Actions: []remediate.Action{remediate.Tell(fmt.Sprintf("set %s to a value that satisfies %q in /etc/sysctl.d and apply it with sysctl -w", c.key, c.rule.Expect.String()))},
			}
		}
		value = v
	}
	summary := fmt.Sprintf("set %s = %s", c.key, value)
	if b.isDefault() && !b.Range && value == b.value {
		return &remediate.Plan{Summary: summary + " now (the default a boot gives it)",
			Actions: []remediate.Action{remediate.Run("apply the default at runtime", "sysctl", "-w", c.key+"="+value)}}
	}
	if b.source == sourceTuned && b.tunedAfterFiles {
		actions := []remediate.Action{remediate.Tell(fmt.Sprintf(
			"tuned profile %s sets %s = %s (%s:%d) and tuned applies it after the sysctl.d files (reapply_sysctl = 0 in %s): set %s = %s in the [sysctl] section of the active profile (a copy under /etc/tuned/%s/ when the file is under /usr/lib/tuned), or set reapply_sysctl = 1 and persist the value in %s",
			b.tuned.profile, c.key, display(b.value), b.tuned.file, b.tuned.line, tunedMainConf, c.key, value, b.tuned.profile, remediate.SysctlDropIn))}
		if runtimeWrong {
			actions = append(actions, remediate.Run("apply at runtime", "sysctl", "-w", c.key+"="+value))
		}
		return &remediate.Plan{Summary: summary + " in the tuned profile", Actions: actions}
	}
	if d := b.dropped; d != nil && overrides(d.File, d.Via) {
		if !strings.HasPrefix(d.File, "/etc/") {
			return &remediate.Plan{
				Summary: summary,
				Actions: []remediate.Action{remediate.Tell(fmt.Sprintf(
					"%s:%d (shipped by a package) drops %s with a \"-%s\" line applied after %s; override that file with a file of the same name in /etc/sysctl.d that sets %s = %s",
					d.File, d.Line, c.key, c.key, remediate.SysctlDropIn, c.key, value))},
			}
		}
		// A line after the "-key" one in the same file sets the key again.
		actions := []remediate.Action{{Kind: remediate.FileLine, Path: d.File, Key: c.key, Line: c.key + " = " + value}}
		if runtimeWrong {
			actions = append(actions, remediate.Run("apply at runtime", "sysctl", "-w", c.key+"="+value))
		}
		return &remediate.Plan{Summary: summary + " in " + d.File, Actions: actions}
	}
	if b.persisted != nil && overrides(b.persisted.file, b.persisted.via) && !strings.HasPrefix(b.persisted.file, "/etc/") {
		return &remediate.Plan{
			Summary: summary,
			Actions: []remediate.Action{remediate.Tell(fmt.Sprintf(
				"%s (shipped by a package) sets %s and is applied after %s; override it with a file of the same name in /etc/sysctl.d that sets %s = %s",
				b.persisted.file, c.key, remediate.SysctlDropIn, c.key, value))},
		}
	}
	if b.persisted != nil && overrides(b.persisted.file, b.persisted.via) {
		line := c.key + " = " + value
		actions := []remediate.Action{{Kind: remediate.FileLine, Path: b.persisted.file, Key: c.key, Line: line}}
		if runtimeWrong {
			actions = append(actions, remediate.Run("apply at runtime", "sysctl", "-w", c.key+"="+value))
		}
		return &remediate.Plan{Summary: summary + " in " + b.persisted.file, Actions: actions}
	}
	return &remediate.Plan{Summary: summary, Actions: []remediate.Action{remediate.SetSysctl(c.key, value)}}
}

// overrides reports whether a file is applied after golive's drop-in, so
// that its value beats the drop-in's at boot. A file read through a
// sysctl.d link (/etc/sysctl.conf through 99-sysctl.conf) takes the link's
// place in the order.
func overrides(file, via string) bool {
	if via != "" {
		file = via
	}
	return path.Base(file) > path.Base(remediate.SysctlDropIn)
}

// display shows a value on one line: the kernel separates fields with tabs.
func display(v string) string {
	return strings.Join(strings.Fields(v), " ")
}

func errorResult(res engine.Result, msg string) engine.Result {
	res.Status = engine.Error
	res.Message = msg
	return res
}

// missing judges a key the kernel does not have. A built-in profile's key
// is a skip (old kernels lack some); a key the user wrote is a failure
// naming the likely cause, unless the rule says optional: true.
func (c *check) missing(res engine.Result, h *host.Host) engine.Result {
	res.Observed = "absent"
	res.Details["missing"] = true
	notHere := procPath(c.key) + " does not exist"
	if c.rule.Builtin() {
		res.Status = engine.Skip
		res.Message = "not present on this kernel (" + notHere + "; the module that provides it may not be loaded)"
		return res
	}
	if c.rule.Optional {
		res.Status = engine.Skip
		res.Message = "optional and not present on this kernel (" + notHere + ")"
		return res
	}
	res.Status = engine.Fail
	where := c.rule.Where
	if mod := moduleFor(c.key); mod != "" && !moduleLoaded(h, mod) {
		res.Details["module"] = mod
		res.Message = fmt.Sprintf("not present on this kernel: %s; the %s module creates it and is not loaded", notHere, mod)
		res.Remediation = &remediate.Plan{
			Summary: "load " + mod + " now and at every boot",
			Actions: []remediate.Action{
				remediate.Run("load the module that provides "+c.key, "modprobe", mod),
				{Kind: remediate.DropIn, Path: "/etc/modules-load.d/90-golive-" + mod + ".conf", Content: mod + "\n"},
			},
		}
		return res
	}
	if ifname := missingInterface(h, c.key); ifname != "" {
		res.Details["interface"] = ifname
		res.Message = fmt.Sprintf("not present on this kernel: %s; there is no network interface %q on this host", notHere, ifname)
		res.Remediation = &remediate.Plan{Summary: "fix the interface name of " + c.key,
			Actions: []remediate.Action{remediate.Tell(fmt.Sprintf("%s names interface %q, which does not exist here: correct the key at %s, or add optional: true to the rule if the interface is created later", c.key, ifname, where))}}
		return res
	}
	sugg := suggest(c.key, c.config.procKeys(h))
	res.Details["suggestions"] = sugg
	if len(sugg) > 0 {
		res.Message = fmt.Sprintf("not present on this kernel: %s; a typo? did you mean %s", notHere, strings.Join(sugg, ", "))
		res.Remediation = &remediate.Plan{Summary: "fix the sysctl name " + c.key,
			Actions: []remediate.Action{remediate.Tell(fmt.Sprintf("the profile at %s names %s, which this kernel does not have: did you mean %s? Correct the key, or add optional: true if the kernel may legitimately lack it", where, c.key, strings.Join(sugg, " or ")))}}
		return res
	}
	res.Message = "not present on this kernel: " + notHere + "; no similar key exists and golive knows no module that provides it"
	res.Remediation = &remediate.Plan{Summary: "check the sysctl name " + c.key,
		Actions: []remediate.Action{remediate.Tell(fmt.Sprintf("the profile at %s names %s, which this kernel does not have: correct the key, load the module that provides it, or add optional: true if the kernel may legitimately lack it", where, c.key))}}
	return res
}
