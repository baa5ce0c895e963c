package rlimit

import (
	"fmt"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/unit"
)

// dropInName is the file golive owns in a unit's drop-in directory and in
// limits.d. 90 sorts after what packages and admins usually write, so its
// values win; a later file (95-…, 99-…) still has the last word.
const dropInName = "90-golive.conf"

// limitsDropIn is golive's pam_limits file.
const limitsDropIn = limitsDir + "/" + dropInName

// unitDropIn is golive's drop-in for a unit.
func unitDropIn(name string) string { return "/etc/systemd/system/" + name + ".d/" + dropInName }

// unitPlan fixes every rlimits.unit rule of the unit at once: the drop-in
// is a whole file, so every check's plan writes the same content — the
// fixed value of each failing limit and the current value of each limit
// the drop-in already sets — and applying any of them converges.
func (s *shared) unitPlan(h *host.Host, name string, f *unit.File, mc *managerConfig) *remediate.Plan {
	dropIn := unitDropIn(name)
	var lines, fixed []string
	var manual []remediate.Action
	for _, rule := range s.unitRules {
		r := resources[rule.Key]
		v := s.unitVerdict(h, name, f, mc, r, rule, h.Live())
		ours := v.ul.level == "unit" && v.ul.file == dropIn
		if v.ok && v.err == nil {
			if ours {
				lines = append(lines, fmt.Sprintf("%s=%s", r.systemd, systemdLimit(v.ul.limit, s.set.sd.Version)))
			}
			continue
		}
		if v.ul.level == "unit" && !ours && isDropIn(f, v.ul.file) && path.Base(v.ul.file) > dropInName {
			manual = append(manual, remediate.Tell(fmt.Sprintf("%s sets %s= and is applied after %s: change the value there (or remove it)", v.ul.file, r.systemd, dropIn)))
			continue
		}
		if v.cappedBy == "pid1" {
			// A drop-in cannot give more than systemd itself may set.
			manual = append(manual, remediate.Tell(v.capped+": raise the limit of systemd itself (in a container: the "+r.name+
				" limit or CAP_SYS_RESOURCE its runtime gives it; on a host: fs.nr_open and a reboot), or lower the rule to what it can give"))
			continue
		}
		target, ok := fixValue(rule.Expect, v.judged)
		if !ok {
			manual = append(manual, remediate.Tell(fmt.Sprintf("choose a %s value for %s that satisfies %q and set it in %s", r.systemd, name, rule.Expect, dropIn)))
			continue
		}
		if r.name == "nofile" {
			if n := s.nrOpenOf(h); n.known && target != Infinity && target > n.value {
				manual = append(manual, remediate.Tell(fmt.Sprintf("raise fs.nr_open to at least %d first (sysctl): no process can have more open files than it allows", target)))
			}
		}
		l := Limit{Soft: target, Hard: target}
		if v.side == "soft" && v.ul.known && v.ul.limit.Hard > target {
			l.Hard = v.ul.limit.Hard // raise the soft limit without lowering the hard one
		}
		lines = append(lines, fmt.Sprintf("%s=%s", r.systemd, systemdLimit(l, s.set.sd.Version)))
		fixed = append(fixed, fmt.Sprintf("%s=%s", r.systemd, systemdLimit(l, s.set.sd.Version)))
	}
	p := &remediate.Plan{Summary: "set " + strings.Join(fixed, " ") + " for " + name}
	if len(fixed) == 0 {
		p.Summary = "limits of " + name
	}
	p.Actions = append(p.Actions, manual...)
	if len(fixed) > 0 {
		content := "# Written by golive for checks rlimit/unit:" + name + "/*: resource limits for " + name + " (rlimits.unit in the golive profile).\n" +
			"# golive owns this file and rewrites it whole.\n[Service]\n" + strings.Join(lines, "\n") + "\n"
		p.Actions = append(p.Actions,
			remediate.Action{Kind: remediate.DropIn, Path: dropIn, Content: content},
			remediate.Run("make systemd load the new drop-in", "systemctl", "daemon-reload"),
			remediate.Tell(fmt.Sprintf("restart %s when convenient (systemctl restart %s): a running service keeps the limits it started with", name, name)))
	}
	return p
}

// systemdLimit writes a limit for a unit file: one value when soft and
// hard are equal, which is also all systemd before 229 accepts.
func systemdLimit(l Limit, version int) string {
	if l.Soft == l.Hard || (version > 0 && version < 229) {
		return systemdValue(l.Hard)
	}
	return systemdValue(l.Soft) + ":" + systemdValue(l.Hard)
}

func isDropIn(f *unit.File, p string) bool {
	for _, d := range f.DropIns {
		if d == p {
			return true
		}
	}
	return false
}

// loginPlan fixes every rlimits.login rule for the user in golive's
// limits.d file, a whole file like the unit drop-in. User lines beat
// @group and * lines wherever they are; only a later user line (a file
// named after 90-golive.conf) can override them.
func (s *shared) loginPlan(h *host.Host, user string) *remediate.Plan {
	var lines, fixed []string
	var manual []remediate.Action
	for _, rule := range s.loginRules {
		r := resources[rule.Key]
		v := s.loginVerdict(h, user, r, rule)
		if v.ll.noLimits != nil {
			manual = append(manual, remediate.Tell(fmt.Sprintf("remove the line %q at %s: it makes pam_limits set no limit for %s", v.ll.noLimits.Domain+" -", v.ll.noLimits.where(), user)))
			break
		}
		ours := func(sd side) bool { return sd.set != nil && sd.set.from.file == limitsDropIn }
		if v.ok && v.err == nil && v.judged.known && !v.overNrOpen {
			if ours(v.soft) {
				lines = append(lines, limitsLine(user, "soft", r, v.soft.value))
			}
			if ours(v.hard) {
				lines = append(lines, limitsLine(user, "hard", r, v.hard.value))
			}
			continue
		}
		if later := laterUserLine(v); later != "" {
			manual = append(manual, remediate.Tell(fmt.Sprintf("%s sets %s for %s after %s: change the value there", later, r.name, user, limitsDropIn)))
			continue
		}
		target := v.judged.value
		if !v.ok || !v.judged.known {
			cur := uint64(0)
			if v.judged.known {
				cur = v.judged.value
			}
			t, ok := fixValue(rule.Expect, cur)
			if !ok {
				manual = append(manual, remediate.Tell(fmt.Sprintf("choose a %s value for %s that satisfies %q and set it in %s", r.name, user, rule.Expect, limitsDropIn)))
				continue
			}
			target = t
		}
		hard := target
		if v.side == "soft" && v.hard.known && v.hard.value > target {
			hard = v.hard.value // raise the soft limit without lowering the hard one
		}
		if r.name == "nofile" && v.nrOpen.known {
			nr := v.nrOpen.value
			hard = min(hard, nr)
			if target > nr {
				if ok, _ := satisfies(rule.Expect, nr); !ok {
					manual = append(manual, remediate.Tell(fmt.Sprintf("raise fs.nr_open to at least %d first (sysctl): pam_limits cannot set nofile above it and the login would be refused", target)))
					continue
				}
				target = nr
			}
		}
		lines = append(lines, limitsLine(user, "soft", r, target), limitsLine(user, "hard", r, hard))
		fixed = append(fixed, fmt.Sprintf("%s %s", r.name, Limit{Soft: target, Hard: hard}))
	}
	for _, f := range s.pamConfig(h).fatal {
		if strings.HasPrefix(f, limitsConf+" ") {
			manual = append(manual, remediate.Tell("restore "+f+" (an empty file will do): pam_limits fails every session while it cannot read it"))
			continue
		}
		manual = append(manual, remediate.Tell("fix or remove "+f+": pam_limits fails every session while it cannot read a file of limits.d"))
	}
	p := &remediate.Plan{Summary: "login limits for " + user + ": " + strings.Join(fixed, ", ")}
	if len(fixed) == 0 {
		p.Summary = "login limits for " + user
	}
	p.Actions = append(p.Actions, manual...)
	if len(fixed) > 0 {
		content := "# Written by golive for checks rlimit/login:" + user + "/*: login limits for " + user + " (rlimits.login in the golive profile).\n" +
			"# pam_limits applies them to new sessions. golive owns this file and rewrites it whole.\n" +
			"# <domain> <type> <item> <value>  (memlock, core, stack, data, fsize, as, rss in KiB)\n" +
			strings.Join(lines, "\n") + "\n"
		p.Actions = append(p.Actions, remediate.Action{Kind: remediate.DropIn, Path: limitsDropIn, Content: content})
	}
	return p
}

// laterUserLine names a user line applied after golive's file that holds
// the judged side, which golive's file cannot override.
func laterUserLine(v loginVerdict) string {
	st := v.judged.set
	if st == nil || st.src != srcUser || st.from.file == limitsDropIn {
		return ""
	}
	if strings.HasPrefix(st.from.file, limitsDir+"/") && path.Base(st.from.file) > dropInName {
		return st.from.where()
	}
	return ""
}

// limitsLine writes one limits.conf line, converting bytes to KiB where
// pam_limits multiplies by 1024 (rounding up, so the limit is not lowered).
func limitsLine(user, typ string, r resource, v uint64) string {
	val := "unlimited"
	if v != Infinity {
		if r.kib {
			v = v/1024 + boolInt(v%1024 != 0)
		}
		val = fmt.Sprint(v)
	}
	return fmt.Sprintf("%s\t%s\t%s\t%s", user, typ, r.name, val)
}

func boolInt(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
