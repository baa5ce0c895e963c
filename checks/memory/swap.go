package memory

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/remediate"
)

// swappinessPath is vm.swappiness.
const swappinessPath = "/proc/sys/vm/swappiness"

type swapCheck struct {
	engine.Base
	rule       profile.Rule
	swappiness *profile.Rule // nil: not judged, only reported
}

// observation is what the host shows.
type observation struct {
	image      bool
	swaps      *swaps
	swappiness string // "" unknown
	swapErr    string // why swappiness is unknown
	boot       []fstabSwap
	bootErr    error
}

func (c *swapCheck) Run(_ context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{}}
	var o observation
	data, err := h.ReadFileLimit(swapsPath, maxSwapsFile)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !h.Live():
		// An image: nothing is active; the next boot is what counts.
		o.image = true
	case h.NeedsRoot(err):
		return engine.SkipNeedsRoot(res, err)
	case err != nil:
		res.Status, res.Message = engine.Error, err.Error()
		return res
	default:
		o.swaps = parseSwaps(data)
		if len(o.swaps.areas) == 0 && len(o.swaps.problems) > 0 && !strings.HasPrefix(string(data), "Filename") {
			res.Status = engine.Error
			res.Message = fmt.Sprintf("%s: no line understood (%s)", swapsPath, strings.Join(o.swaps.problems, "; "))
			return res
		}
		o.swappiness, o.swapErr = readSwappiness(h)
	}
	if entries, err := facts.Fstab(h); err == nil {
		o.boot = active(swapsOf(entries))
	} else if !errors.Is(err, fs.ErrNotExist) {
		o.bootErr = err
	}
	c.details(res.Details, o)
	return c.judge(res, o)
}

func readSwappiness(h *host.Host) (string, string) {
	data, err := facts.Sysctl(h, "vm/swappiness", 4096)
	if err != nil {
		return "", err.Error()
	}
	v := strings.TrimSpace(string(data))
	if n, err := strconv.Atoi(v); err != nil || n < 0 {
		return "", fmt.Sprintf("%s: %q is not a number", swappinessPath, clip(v))
	}
	return v, ""
}

// active drops the fstab entries a boot does not activate.
func active(all []fstabSwap) []fstabSwap {
	var out []fstabSwap
	for _, e := range all {
		if !e.NoAuto {
			out = append(out, e)
		}
	}
	return out
}

func (c *swapCheck) judge(res engine.Result, o observation) engine.Result {
	bootState := "off"
	if len(o.boot) > 0 {
		bootState = "on"
	}
	state := bootState
	if !o.image {
		state = "off"
		if len(o.swaps.areas) > 0 {
			state = "on"
		}
	}
	ok, err := c.rule.Expect.Eval(state)
	if err != nil {
		res.Status, res.Message = engine.Error, err.Error()
		return res
	}
	res.Observed = c.observed(o, state)
	wantsOff, _ := c.rule.Expect.Eval("off")
	bootOK, _ := c.rule.Expect.Eval(bootState)

	switch {
	case o.image && ok:
		res.Status = engine.Pass
		res.Message = "image: the next boot activates no swap (" + fstab + ")"
		if state == "on" {
			res.Message = "image: the next boot activates swap, as the profile allows"
		}
	case o.image:
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = "image: the next boot activates swap from " + fstabLines(o.boot)
		res.Remediation = c.plan(o, false)
	// An fstab line is evidence that the next boot activates swap; its
	// absence is none that it does not (.swap units, systemd's GPT
	// auto-generator and zram-generator activate swap without one).
	case ok && !bootOK && bootState == "on":
		res.Status = engine.Warn
		res.Message = "swap is off now, but the next boot turns it on: " + fstabLines(o.boot)
		// Leads with what is wrong: "off" against "off" hides it.
		res.Observed = "on at the next boot (" + fstabLines(o.boot) + "); now " + res.Observed
		res.Remediation = c.plan(o, false)
	case ok:
		res.Status = engine.Pass
		res.Message = "no swap is active"
		if state == "on" {
			res.Message = "swap is on, as the profile allows"
		}
		if state == "on" && c.swappiness != nil {
			res = c.judgeSwappiness(res, o)
		}
	case state == "on":
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = fmt.Sprintf("%d swap area%s active: a swapped-out page stalls the service for a disk read when it is touched again", len(o.swaps.areas), plural(len(o.swaps.areas)))
		if used := usedKiB(o.swaps.areas); used > 0 {
			res.Message += fmt.Sprintf("; %s is swapped out now", kib(used))
		}
		if zram(o.swaps.areas) {
			res.Message += "; zram is compressed RAM, not disk, but reclaim still stalls the service"
		}
		res.Remediation = c.plan(o, true)
	default:
		res.Status = engine.MissStatus(c.rule.Level)
		res.Message = "no swap is active, and the profile expects swap"
		res.Remediation = &remediate.Plan{Summary: "enable swap", Actions: []remediate.Action{remediate.Tell(
			"create a swap area (a partition or a file: fallocate, chmod 600, mkswap), add it to " + fstab + " and run swapon -a")}}
	}
	if wantsOff && o.swappiness != "" && state == "on" && c.swappiness == nil {
		res.Message += "; vm.swappiness is " + o.swappiness
	}
	return c.problems(res, o)
}

// judgeSwappiness applies the swappiness rule while swap is on.
func (c *swapCheck) judgeSwappiness(res engine.Result, o observation) engine.Result {
	if o.swappiness == "" {
		res.Message += "; vm.swappiness unknown: " + o.swapErr
		return res
	}
	ok, err := c.swappiness.Expect.Eval(o.swappiness)
	switch {
	case err != nil:
		res.Status, res.Message = engine.Error, fmt.Sprintf("vm.swappiness %q: %v", o.swappiness, err)
	case !ok:
		res.Status = engine.MissStatus(c.swappiness.Level)
		res.Message += fmt.Sprintf("; vm.swappiness %s does not satisfy %s", o.swappiness, c.swappiness.Expect.String())
		if v, ok := c.swappiness.Expect.Fix(o.swappiness); ok {
			res.Remediation = &remediate.Plan{Summary: "set vm.swappiness = " + v, Actions: []remediate.Action{remediate.SetSysctl("vm.swappiness", v)}}
		}
	}
	return res
}

// plan turns swap off. now is set when swap is active on the running system.
func (c *swapCheck) plan(o observation, now bool) *remediate.Plan {
	p := &remediate.Plan{Summary: "turn swap off and keep it off"}
	if now {
		why := "deactivate every swap area now"
		if used := usedKiB(o.swaps.areas); used > 0 {
			why += fmt.Sprintf(" (%s is swapped out: the host needs that much free memory to take it back)", kib(used))
		}
		p.Actions = append(p.Actions, remediate.Run(why, "swapoff", "-a"))
	}
	// fstab: a manual action, not a file-line one. file-line replaces the
	// line that sets a key, or appends one: an fstab line has no key, and
	// once commented out it would no longer match, so a second run would
	// append again. Device names do not map one to one either (/proc/swaps
	// shows /dev/dm-1 for /dev/mapper/centos-swap or UUID=...).
	for _, e := range o.boot {
		p.Actions = append(p.Actions, remediate.Tell(fmt.Sprintf("comment out %s:%d (%s) so swap stays off after a reboot; on a systemd host also run systemctl daemon-reload", fstab, e.Line, e.Text)))
	}
	if now && len(o.boot) == 0 {
		var names []string
		for _, a := range o.swaps.areas {
			names = append(names, a.Filename)
		}
		p.Actions = append(p.Actions, remediate.Tell(fmt.Sprintf("no %s line activates %s: find what does at boot (systemctl list-units --type swap: a .swap unit, systemd-gpt-auto-generator, zram-generator) and mask or remove it", fstab, join(names))))
	}
	if n, err := strconv.Atoi(o.swappiness); err == nil && n > defaultSwappiness {
		target := strconv.Itoa(defaultSwappiness)
		if c.swappiness != nil {
			if v, ok := c.swappiness.Expect.Fix(o.swappiness); ok {
				target = v
			}
		}
		if target != o.swappiness {
			p.Actions = append(p.Actions, remediate.SetSysctl("vm.swappiness", target))
		}
	}
	return p
}

// problems reports malformed /proc/swaps lines and unreadable files.
func (c *swapCheck) problems(res engine.Result, o observation) engine.Result {
	var notes []string
	if o.swaps != nil && len(o.swaps.problems) > 0 {
		notes = append(notes, fmt.Sprintf("%s has %d malformed line(s)", swapsPath, len(o.swaps.problems)+o.swaps.skipped))
	}
	if o.bootErr != nil {
		notes = append(notes, "read "+fstab+": "+o.bootErr.Error())
	}
	if len(notes) == 0 {
		return res
	}
	res.Message += "; " + strings.Join(notes, "; ")
	if res.Status == engine.Pass {
		res.Status = engine.Warn
	}
	return res
}

func (c *swapCheck) observed(o observation, state string) string {
	if o.image {
		if len(o.boot) == 0 {
			return "off at boot (image: no swap line in " + fstab + ")"
		}
		return "on at boot (image: " + fstabLines(o.boot) + ")"
	}
	var parts []string
	for i, a := range o.swaps.areas {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(o.swaps.areas)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s, %s, %s used)", a.Filename, a.Type, kib(a.SizeKiB), kib(a.UsedKiB)))
	}
	s := state
	if len(parts) > 0 {
		s += ": " + join(parts)
	}
	if o.swappiness != "" {
		s += "; vm.swappiness " + o.swappiness
	}
	return s
}

func (c *swapCheck) details(d map[string]any, o observation) {
	d["image"] = o.image
	if o.swaps != nil {
		d["active"] = o.swaps.areas
		d["total_kib"] = totalKiB(o.swaps.areas)
		d["used_kib"] = usedKiB(o.swaps.areas)
		if len(o.swaps.problems) > 0 {
			p := append([]string(nil), o.swaps.problems...)
			if o.swaps.skipped > 0 {
				p = append(p, fmt.Sprintf("and %d more", o.swaps.skipped))
			}
			d["problems"] = p
		}
		d["swappiness"] = nil
		if o.swappiness != "" {
			d["swappiness"] = o.swappiness
		} else {
			d["swappiness_problem"] = o.swapErr
		}
	}
	d["fstab"] = o.boot
	d["expected_from"] = c.rule.Where
}

func fstabLines(es []fstabSwap) string {
	var parts []string
	for _, e := range es {
		parts = append(parts, fmt.Sprintf("%s:%d (%s)", fstab, e.Line, e.Spec))
	}
	return join(parts)
}

func totalKiB(as []swap) uint64 {
	var n uint64
	for _, a := range as {
		n += a.SizeKiB
	}
	return n
}

func usedKiB(as []swap) uint64 {
	var n uint64
	for _, a := range as {
		n += a.UsedKiB
	}
	return n
}

func zram(as []swap) bool {
	for _, a := range as {
		if strings.HasPrefix(a.Filename, "/dev/zram") {
			return true
		}
	}
	return false
}

// kib shows a size given in KiB in binary units.
func kib(n uint64) string {
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + " " + units[i]
}
