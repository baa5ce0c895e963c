package sysctl

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
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

// boot is the value the key gets at the next boot, and where it comes from.
type boot struct {
	value  string
	known  bool
	from   string // "/etc/sysctl.d/60-app.conf:3" or "distro default"
	source *Persisted
}

func (c *check) Run(ctx context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"key": c.key, "path": ProcPath(c.key)}}

	cfg, err := c.config.get(h)
	if err != nil {
		return errorResult(res, fmt.Sprintf("read sysctl configuration: %v", err))
	}
	b := c.bootValue(cfg)
	res.Details["persisted"] = nil
	res.Details["persisted_file"] = nil
	if b.source != nil {
		res.Details["persisted"] = b.source.Value
		res.Details["persisted_file"] = fmt.Sprintf("%s:%d", b.source.File, b.source.Line)
		if b.source.Glob != "" {
			res.Details["persisted_glob"] = b.source.Glob
		}
	}
	if c.hasDefault {
		res.Details["boot_default"] = c.bootDefault
	}
	if len(cfg.Problems) > 0 {
		res.Details["config_problems"] = cfg.Problems
	}
	transient, hasTransient := cfg.TransientSet(c.key)
	if hasTransient {
		res.Details["transient_file"] = fmt.Sprintf("%s:%d", transient.File, transient.Line)
		res.Details["transient"] = transient.Value
	}

	runtime, image, err := readRuntime(h, c.key)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		res.Status = engine.Skip
		res.Observed = "absent"
		res.Message = "not present on this kernel (" + ProcPath(c.key) + " does not exist; the module that provides it may not be loaded)"
		return res
	case errors.Is(err, fs.ErrPermission) && !h.Privileged():
		res.Status = engine.Skip
		res.Message = "needs root: " + err.Error()
		return res
	case err != nil:
		return errorResult(res, err.Error())
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

// readRuntime reads the running kernel's value. image is set when the root
// has no /proc/sys at all: a mounted image with no running kernel, where
// only the persisted value can be judged.
func readRuntime(h *host.Host, key string) (value string, image bool, err error) {
	data, err := h.ReadFileLimit(ProcPath(key), maxValue)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !h.Live() && !h.Exists("/proc/sys") {
			return "", true, nil
		}
		return "", false, err
	}
	v := strings.TrimRight(string(data), "\n")
	if strings.TrimSpace(v) == "" {
		return "", false, fmt.Errorf("%s: empty value", ProcPath(key))
	}
	return v, false, nil
}

func (c *check) bootValue(cfg *Config) boot {
	if p, ok := cfg.Resolve(c.key); ok {
		return boot{value: p.Value, known: true, from: fmt.Sprintf("%s:%d", p.File, p.Line), source: &p}
	}
	if c.hasDefault {
		return boot{value: c.bootDefault, known: true, from: "distro default"}
	}
	return boot{}
}

func (c *check) judge(res engine.Result, runtime string, b boot) engine.Result {
	shown := display(runtime)
	nowOK, err := c.rule.Expect.Eval(runtime)
	if err != nil {
		return errorResult(res, fmt.Sprintf("runtime value %q: %v", shown, err))
	}
	bootOK, bootErr := false, error(nil)
	if b.known {
		bootOK, bootErr = c.rule.Expect.Eval(b.value)
	}
	res.Observed = shown + c.bootSuffix(b)

	switch {
	case nowOK && b.known && bootErr == nil && bootOK:
		res.Status = engine.Pass
		if b.source != nil {
			res.Message = "set in " + b.from
		} else {
			res.Message = "the distro default; no sysctl.d file sets it"
		}
	case nowOK && b.known:
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("reverts on reboot: %s sets %s", b.from, display(b.value))
		if b.source == nil {
			res.Message = "reverts on reboot to the distro default " + display(b.value)
		}
		if bootErr != nil {
			res.Message = fmt.Sprintf("reverts on reboot: %s sets %q (%v)", b.from, display(b.value), bootErr)
		}
		res.Remediation = c.plan(runtime, b, false)
	case nowOK:
		res.Status = engine.Warn
		res.Message = "not persisted in any sysctl.d file: reverts to the kernel default on reboot"
		res.Remediation = c.plan(runtime, b, false)
	case b.source != nil && bootErr == nil && bootOK:
		res.Status = c.missStatus()
		res.Message = fmt.Sprintf("persisted in %s but not applied: run sysctl --system (or reboot)", b.from)
		res.Remediation = &remediate.Plan{
			Summary: "apply the persisted sysctl configuration",
			Actions: []remediate.Action{remediate.Run("load the value already persisted in "+b.source.File, "sysctl", "-p", b.source.File)},
		}
	default:
		res.Status = c.missStatus()
		switch {
		case b.source != nil:
			res.Message = fmt.Sprintf("runtime %s and %s sets %s", shown, b.from, display(b.value))
		case b.known:
			res.Message = fmt.Sprintf("runtime %s; not persisted, the distro default is %s", shown, display(b.value))
		default:
			res.Message = fmt.Sprintf("runtime %s; not persisted in any sysctl.d file", shown)
		}
		res.Remediation = c.plan(runtime, b, true)
	}
	return res
}

// judgeImage judges a root with no running kernel by its boot value alone.
func (c *check) judgeImage(res engine.Result, b boot) engine.Result {
	if !b.known {
		res.Status = engine.Warn
		res.Observed = "not set"
		res.Message = "image: no sysctl.d file sets it and the profile knows no distro default"
		res.Remediation = c.plan("", b, false)
		return res
	}
	res.Observed = display(b.value) + " (" + b.from + ")"
	ok, err := c.rule.Expect.Eval(b.value)
	switch {
	case err != nil:
		return errorResult(res, fmt.Sprintf("boot value %q: %v", display(b.value), err))
	case ok:
		res.Status = engine.Pass
		res.Message = "image: the value a boot applies satisfies the expectation"
	default:
		res.Status = c.missStatus()
		res.Message = "image: a boot applies " + display(b.value) + " from " + b.from
		res.Remediation = c.plan(b.value, b, false)
	}
	return res
}

func (c *check) bootSuffix(b boot) string {
	switch {
	case b.source != nil:
		return fmt.Sprintf(" (persisted %s in %s)", display(b.value), path.Base(b.source.File))
	case b.known:
		return " (not persisted; default " + display(b.value) + ")"
	}
	return " (not persisted)"
}

// missStatus is fail, or warn for a rule written with level: warn.
func (c *check) missStatus() engine.Status {
	if c.rule.Level == profile.LevelWarn {
		return engine.Warn
	}
	return engine.Fail
}

// plan fixes the key. The value is the current one when it already
// satisfies (persist what runs), else the nearest satisfying one. When the
// winning file sorts after golive's drop-in, writing the drop-in would be
// overridden at boot, so that file's line is replaced instead.
func (c *check) plan(current string, b boot, runtimeWrong bool) *remediate.Plan {
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
	if b.source != nil && overrides(b.source.File) && !strings.HasPrefix(b.source.File, "/etc/") {
		return &remediate.Plan{
			Summary: summary,
			Actions: []remediate.Action{remediate.Tell(fmt.Sprintf(
				"%s (shipped by a package) sets %s and is applied after %s; override it with a file of the same name in /etc/sysctl.d that sets %s = %s",
				b.source.File, c.key, remediate.SysctlDropIn, c.key, value))},
		}
	}
	if b.source != nil && overrides(b.source.File) {
		line := c.key + " = " + value
		actions := []remediate.Action{{Kind: remediate.FileLine, Path: b.source.File, Key: c.key, Line: line}}
		if runtimeWrong {
			actions = append(actions, remediate.Run("apply at runtime", "sysctl", "-w", c.key+"="+value))
		}
		return &remediate.Plan{Summary: summary + " in " + b.source.File, Actions: actions}
	}
	return &remediate.Plan{Summary: summary, Actions: []remediate.Action{remediate.SetSysctl(c.key, value)}}
}

// overrides reports whether a file is applied after golive's drop-in, so
// that its value beats the drop-in's at boot.
func overrides(file string) bool {
	if file == SysctlConf {
		return true
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
