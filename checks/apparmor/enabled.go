package apparmor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// maxProfiles bounds the profile list; a host with thousands of snap
// profiles stays well under it.
const maxProfiles = 4 << 20

type enabledCheck struct {
	engine.Base
	mac     string
	distro  string
	profile string
	// read is the host's ReadFileLimit; tests replace it to play a
	// non-root run.
	read func(h *host.Host, name string, limit int64) ([]byte, error)
}

func (c *enabledCheck) readFile(h *host.Host, name string, limit int64) ([]byte, error) {
	if c.read != nil {
		return c.read(h, name, limit)
	}
	return h.ReadFileLimit(name, limit)
}

func (c *enabledCheck) Run(_ context.Context, h *host.Host) engine.Result {
	distro := c.distro
	if distro == "" {
		distro = "this distro"
	}
	switch c.mac {
	case "selinux":
		return engine.Result{Status: engine.Skip, Message: fmt.Sprintf("%s uses SELinux, not AppArmor (facts.mac: selinux); selinux/mode checks it", distro)}
	case "none":
		return engine.Result{Status: engine.Skip, Message: fmt.Sprintf("profile %s says %s runs no mandatory access control (facts.mac: none)", c.profile, distro)}
	}
	expected := c.mac == "apparmor"
	res := engine.Result{Details: map[string]any{"path": enabledPath}}

	data, err := c.readFile(h, enabledPath, 64)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !h.Live() && !h.Exists("/sys/module") && !h.Exists("/proc/sys") {
			res.Status = engine.Skip
			res.Message = "image: whether AppArmor runs is decided by the kernel at boot (the root has neither /sys/module nor /proc/sys)"
			return res
		}
		res.Observed = "not in the running kernel"
		res.Details["enabled"] = nil
		if !expected {
			res.Status = engine.Skip
			res.Message = fmt.Sprintf("no AppArmor in this kernel, and profile %s does not ask for it", c.profile)
			return res
		}
		res.Status = engine.Fail
		res.Message = "the running kernel has no AppArmor (no " + enabledPath + "): it was built without it, or the module is not loaded"
		res.Remediation = &remediate.Plan{Summary: "boot a kernel with AppArmor", Reboot: true,
			Actions: []remediate.Action{remediate.Tell("boot the distro's own kernel (Ubuntu's linux-image-generic and Debian's linux-image-<arch>, e.g. linux-image-amd64, have AppArmor built in and enabled)")}}
		return res
	case h.NeedsRoot(err):
		return engine.SkipNeedsRoot(engine.Result{}, err)
	case err != nil:
		return engine.Result{Status: engine.Error, Message: "read " + enabledPath + ": " + err.Error()}
	}
	on, err := parseEnabled(data)
	if err != nil {
		return engine.Result{Status: engine.Error, Details: res.Details, Message: err.Error()}
	}
	res.Details["enabled"] = on
	if !on {
		res.Observed = "disabled (N)"
		if !expected {
			res.Status = engine.Skip
			res.Message = fmt.Sprintf("AppArmor is disabled, and profile %s does not ask for it", c.profile)
			return res
		}
		res.Status = engine.Fail
		res.Message = "AppArmor is built into the kernel but turned off (booted with apparmor=0, or an lsm=/security= argument leaves it out): no AppArmor profile confines any process"
		res.Remediation = enablePlan()
		return res
	}
	res.Observed = "enabled (Y)"
	res.Status = engine.Pass
	res.Message = "AppArmor is enabled"
	if !expected {
		res.Message += fmt.Sprintf("; profile %s does not ask for it", c.profile)
	}
	res.Message += c.profiles(h, res.Details)
	return res
}

// profiles adds what is loaded to details and returns a message suffix.
func (c *enabledCheck) profiles(h *host.Host, details map[string]any) string {
	data, err := c.readFile(h, profilesPath, maxProfiles)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ""
	case errors.Is(err, fs.ErrPermission):
		details["profiles"] = "needs root"
		return ""
	case err != nil:
		details["profiles_error"] = err.Error()
		return ""
	}
	l := parseProfiles(data)
	modes := make(map[string]any, len(l.modes))
	for m, n := range l.modes {
		modes[m] = n
	}
	details["profiles"] = l.total
	details["profile_modes"] = modes
	if l.malformed > 0 {
		details["profiles_malformed_lines"] = l.malformed
	}
	names := make([]string, 0, len(l.modes))
	for m := range l.modes {
		names = append(names, m)
	}
	sort.Slice(names, func(i, j int) bool {
		if l.modes[names[i]] != l.modes[names[j]] {
			return l.modes[names[i]] > l.modes[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, m := range names {
		parts[i] = fmt.Sprintf("%d %s", l.modes[m], m)
	}
	if len(parts) == 0 {
		return "; no profile loaded"
	}
	return fmt.Sprintf("; %d profiles loaded (%s)", l.total, strings.Join(parts, ", "))
}

func enablePlan() *remediate.Plan {
	return &remediate.Plan{
		Summary: "boot with AppArmor enabled",
		Reboot:  true,
		Actions: []remediate.Action{
			remediate.Tell("remove apparmor=0, and any security= or lsm= list that leaves apparmor out, from GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub"),
			remediate.Run("regenerate the boot configuration from /etc/default/grub", "update-grub"),
			remediate.Run("load the AppArmor profiles at boot", "systemctl", "enable", "apparmor.service"),
		},
	}
}

// parseEnabled reads the module parameter: the kernel prints a bool
// parameter as Y or N and a newline.
func parseEnabled(data []byte) (bool, error) {
	switch v := strings.TrimSpace(string(data)); v {
	case "Y":
		return true, nil
	case "N":
		return false, nil
	default:
		if len(v) > 32 {
			v = v[:32]
		}
		return false, fmt.Errorf("%s: %q is neither Y nor N", enabledPath, v)
	}
}

// loaded summarises the profile list.
type loaded struct {
	total     int
	modes     map[string]int // enforce, complain, kill, unconfined, ...
	malformed int
}

// parseProfiles reads securityfs's profile list: one "NAME (MODE)" per
// line. A name may hold blanks and parentheses; the mode is the last
// parenthesised word.
func parseProfiles(data []byte) loaded {
	l := loaded{modes: map[string]int{}}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		i := strings.LastIndex(line, " (")
		if i <= 0 || !strings.HasSuffix(line, ")") {
			l.malformed++
			continue
		}
		mode := line[i+2 : len(line)-1]
		if mode == "" || strings.ContainsAny(mode, " ()") || !isWord(mode) {
			l.malformed++
			continue
		}
		l.total++
		l.modes[mode]++
	}
	return l
}

func isWord(s string) bool {
	if len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
