package harden

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

// lockdownFile is securityfs's view of the running kernel's lockdown
// (security/lockdown/lockdown.c: the modes with the active one bracketed).
const lockdownFile = "/sys/kernel/security/lockdown"

type lockdownCheck struct {
	engine.Base
	want string
}

// parseLockdownFile returns the bracketed mode of the lockdown file and
// the modes it offers; ok is false when no single known mode is bracketed.
func parseLockdownFile(data []byte) (active string, offered []string, ok bool) {
	for _, w := range strings.Fields(string(data)) {
		if strings.HasPrefix(w, "[") && strings.HasSuffix(w, "]") && len(w) > 2 {
			if active != "" {
				return "", nil, false
			}
			w = w[1 : len(w)-1]
			active = w
		}
		offered = append(offered, w)
	}
	if lockdownRank(active) < 0 {
		return "", offered, false
	}
	return active, offered, true
}

// lockdownParam is the lockdown= of a kernel command line ("" when it has
// none). The kernel takes the last one (early_param, each overrides).
func lockdownParam(line string) string {
	v := ""
	for _, w := range strings.Fields(line) {
		if k, val, ok := strings.Cut(w, "="); ok && k == "lockdown" {
			v = val
		}
		if w == "--" {
			break // what follows is init's, not the kernel's
		}
	}
	return v
}

func (c *lockdownCheck) Run(_ context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{}}
	nb := facts.NextBoot(h)
	param := lockdownParam(nb.Line)
	res.Details["next_boot_param"] = param
	res.Details["next_boot_source"] = nb.Source
	boot := param
	if boot == "" {
		boot = "none"
	}
	var notes []string
	live, liveErr := "", error(nil)
	if h.Live() {
		data, err := h.ReadFileLimit(lockdownFile, 4096)
		switch {
		case err == nil:
			mode, _, ok := parseLockdownFile(data)
			if !ok {
				liveErr = fmt.Errorf("%s: %q names no single lockdown mode", lockdownFile, strings.TrimSpace(string(data)))
			} else {
				live = mode
				res.Details["live"] = live
			}
		case errors.Is(err, fs.ErrNotExist):
			notes = append(notes, lockdownFile+" is missing: securityfs is not mounted at /sys/kernel/security, or the kernel has no lockdown LSM (before 5.4, or not built in)")
		case h.NeedsRoot(err):
			notes = append(notes, engine.NeedsRoot(lockdownFile))
		default:
			liveErr = err
		}
	}
	if liveErr != nil {
		res.Status, res.Message = engine.Error, liveErr.Error()
		return res
	}
	if param != "" && lockdownRank(param) < 0 {
		notes = append(notes, fmt.Sprintf("lockdown=%s in %s is not a mode the kernel knows: it ignores it", param, nb.Source))
		boot = "none"
	}
	src := nb.Source
	if src == "" {
		src = "no bootloader configuration found"
	}
	res.Observed = fmt.Sprintf("next boot: %s (%s)", boot, src)
	if live != "" {
		res.Observed = "now: " + live + "; " + res.Observed
	}
	l, b, want := lockdownRank(live), lockdownRank(boot), lockdownRank(c.want)
	switch {
	case l >= 0 && l < want:
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("the running kernel's lockdown is %s, below %s", live, c.want)
		res.Remediation = lockdownPlan(c.want)
	case l >= 0 && b >= want:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("lockdown is %s now and lockdown=%s at the next boot: at least %s", live, boot, c.want)
	case l >= 0 && param == "":
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("lockdown is %s now, at least %s, with no lockdown= parameter: kernels built with "+
			"CONFIG_LOCK_DOWN_IN_EFI_SECURE_BOOT (RHEL, Fedora, Ubuntu) lock down to integrity when booted with UEFI Secure Boot, "+
			"and do again while Secure Boot stays on (a mode written to %s since boot is not repeated)", live, c.want, lockdownFile)
	case l >= 0:
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("lockdown is %s now, but the next boot's lockdown=%s is below %s", live, boot, c.want)
		res.Remediation = lockdownPlan(c.want)
	case h.Live() && b < want:
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("the running kernel's lockdown is unknown and the next boot's is %s, below %s", boot, c.want)
		res.Remediation = lockdownPlan(c.want)
	case b >= want:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("the next boot's lockdown=%s is at least %s", boot, c.want)
	default:
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("the next boot's lockdown is %s, below %s (UEFI Secure Boot may still raise it to integrity on the machine that boots this root)", boot, c.want)
		res.Remediation = lockdownPlan(c.want)
	}
	if len(notes) > 0 {
		res.Message += "; " + strings.Join(notes, "; ")
	}
	return res
}

// lockdownPlan is manual: the bootloader change the distro makes.
func lockdownPlan(mode string) *remediate.Plan {
	return &remediate.Plan{Summary: "boot with lockdown=" + mode, Reboot: true, Actions: []remediate.Action{remediate.Tell(
		"add lockdown=" + mode + " to the kernel command line and reboot: RHEL family grubby --update-kernel=ALL --args=lockdown=" + mode +
			"; Debian/Ubuntu add it to GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub. Lockdown cannot be lowered without a reboot, " +
			"and confidentiality also blocks reading kernel memory (kprobes, BPF reads, /proc/kcore) that some monitoring agents need")}}
}
