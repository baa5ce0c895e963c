package cgroup

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// setting is what the unit files give a knob.
type setting struct {
	// set is true when a directive sets the knob; otherwise Default says
	// where the value comes from.
	set       bool
	known     bool // Amount is meaningful
	amount    amount
	raw       string // as written: "2G", "150%"
	directive string // the directive that won: MemoryMax
	file      string // where it is written
	// transient is set when the winning file lives under /run (systemctl
	// set-property --runtime): it is gone at the next boot.
	transient bool
	Default   string
	notes     []string
	// ignored lists assignments systemd ignores (invalid values).
	ignored []string
}

// assignment is the surviving assignment of one directive.
type assignment struct {
	opt unit.Option
	val limitValue
	q   *big.Rat // CPUQuota cores
}

// lastValid walks the assignments of key in order as systemd applies
// them: an empty value resets to the default, an invalid one is ignored
// (the earlier value stays).
func lastValid(f *unit.File, section, key string, parse func(string) (assignment, error), ignored *[]string) (assignment, bool) {
	var cur assignment
	set := false
	for _, o := range f.Options {
		if o.Section != section || o.Name != key {
			continue
		}
		if strings.TrimSpace(o.Value) == "" {
			set = false
			continue
		}
		a, err := parse(o.Value)
		if err != nil {
			*ignored = append(*ignored, fmt.Sprintf("%s=%s in %s (systemd ignores an invalid value)", key, clip(o.Value), o.File))
			continue
		}
		a.opt = o
		cur, set = a, true
	}
	return cur, set
}

func memoryParse(s string) (assignment, error) {
	v, err := parseMemoryLimit(s)
	return assignment{val: v}, err
}

func tasksParse(s string) (assignment, error) {
	v, err := parseTasksMax(s)
	return assignment{val: v}, err
}

func quotaParse(s string) (assignment, error) {
	q, err := parseCPUQuota(s)
	return assignment{q: q}, err
}

// hostTotals are the host figures percentages in unit files refer to.
type hostTotals struct {
	memory   uint64 // MemTotal in bytes; 0 unknown
	tasks    uint64 // the system's task limit; 0 unknown
	defTasks string // DefaultTasksMax= from system.conf, and where
	defFrom  string
}

// maxTasks is systemd's TASKS_MAX (src/basic/limits-util.c): the kernel's
// own ceiling on PIDs, 2^22 - 1.
const maxTasks = 4194303

// load fills t once, when the unit's facts.Memo entry is made (unitCache.get):
// the memo runs it once per run, so t needs no guard of its own.
func (t *hostTotals) load(h *host.Host) {
	if m, err := facts.Meminfo(h); err == nil {
		if kb, ok := m["MemTotal"]; ok && kb < 1<<50 {
			t.memory = kb * 1024
		}
	}
	// system_tasks_max(): the smallest of TASKS_MAX, pid_max - 1 and
	// threads-max (the root cgroup's pids.max is unlimited on a host).
	pidMax, e1 := readUint(h, "kernel/pid_max")
	threads, e2 := readUint(h, "kernel/threads-max")
	if e1 == nil && e2 == nil && pidMax > 1 && threads > 0 {
		t.tasks = min(uint64(maxTasks), pidMax-1, threads)
	}
	t.defTasks, t.defFrom = defaultTasksMax(h)
}

// readUint reads a sysctl (rel in path form, "kernel/pid_max").
func readUint(h *host.Host, rel string) (uint64, error) {
	data, err := facts.Sysctl(h, rel, 4096)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
}

// defaultTasksMax is DefaultTasksMax= of the manager configuration
// (system.conf and its drop-ins, facts.Manager), and the file that sets it.
func defaultTasksMax(h *host.Host) (value, from string) {
	if o, ok := facts.Manager(h).Last("DefaultTasksMax"); ok {
		return o.Value, o.File
	}
	return "", ""
}

// configured works out the knob's value from the unit files. mode is the
// hierarchy the unit runs under ("" unknown).
func configured(f *unit.File, section string, k knob, mode mode, totals *hostTotals) setting {
	var s setting
	switch k.Q {
	case coresQ:
		a, ok := lastValid(f, section, k.Directive, quotaParse, &s.ignored)
		if !ok {
			s.known, s.amount, s.Default = true, *k.Unset, "no "+k.Directive+"=: no CPU quota"
			return s
		}
		s.fromAssignment(k.Directive, a)
		s.known, s.amount = true, amount{V: a.q}
		if p, ok := f.Last(section, "CPUQuotaPeriodSec"); ok {
			s.notes = append(s.notes, "CPUQuotaPeriodSec="+p)
		}
		return s
	case bytesQ:
		a, ok := lastValid(f, section, k.Directive, memoryParse, &s.ignored)
		dir := k.Directive
		if !ok && k.Legacy != "" {
			if a, ok = lastValid(f, section, k.Legacy, memoryParse, &s.ignored); ok {
				dir = k.Legacy
				if mode != v1 {
					s.notes = append(s.notes, k.Legacy+"= is deprecated; systemd applies it as "+k.Directive+"=")
				}
			}
		} else if ok && k.Legacy != "" && mode == v1 {
			if _, legacy := lastValid(f, section, k.Legacy, memoryParse, new([]string)); !legacy {
				s.notes = append(s.notes, "systemd before 231 (CentOS 7 has 219) does not know "+k.Directive+"= and ignores it: set "+k.Legacy+"= too")
			}
		}
		if !ok {
			s.known, s.amount, s.Default = true, *k.Unset, "no "+k.Directive+"=: the default "+k.Unset.text()
			return s
		}
		s.fromAssignment(dir, a)
		s.amount, s.known = a.val.resolve(totals.memory)
		if a.val.isShare {
			s.notes = append(s.notes, shareNote(a.val.permyriad, "physical memory", totals.memory, bytesQ))
		}
		return s
	}
	// pids.max: TasksMax=, else DefaultTasksMax=.
	a, ok := lastValid(f, section, k.Directive, tasksParse, &s.ignored)
	if ok {
		s.fromAssignment(k.Directive, a)
		s.amount, s.known = a.val.resolve(totals.tasks)
		if a.val.isShare {
			s.notes = append(s.notes, shareNote(a.val.permyriad, "the system's task limit", totals.tasks, countQ))
		}
		return s
	}
	raw, from := totals.defTasks, totals.defFrom
	switch {
	case raw != "":
		s.Default = "no TasksMax=: DefaultTasksMax=" + raw + " (" + from + ")"
	case mode == v1:
		s.Default = "no TasksMax=: systemd's built-in DefaultTasksMax=, which depends on its version"
		return s
	default:
		// systemd 228 introduced a default (512); current releases use
		// 15% (systemd-system.conf(5)), and every distro that boots v2
		// runs one of them.
		raw = "15%"
		s.Default = "no TasksMax=: systemd's default DefaultTasksMax=15%"
	}
	v, err := parseTasksMax(raw)
	if err != nil {
		s.ignored = append(s.ignored, "DefaultTasksMax="+clip(raw)+" in "+from+" (invalid)")
		return s
	}
	s.amount, s.known = v.resolve(totals.tasks)
	if v.isShare {
		s.notes = append(s.notes, shareNote(v.permyriad, "the system's task limit", totals.tasks, countQ))
	}
	return s
}

func (s *setting) fromAssignment(directive string, a assignment) {
	s.set = true
	s.directive = directive
	s.raw = a.opt.Value
	s.file = a.opt.File
	s.transient = strings.HasPrefix(a.opt.File, "/run/")
}

func shareNote(p uint64, of string, total uint64, q quantity) string {
	if total == 0 {
		return formatPermyriad(p) + " of " + of + " (unknown in this root)"
	}
	t := amount{V: new(big.Rat).SetInt(new(big.Int).SetUint64(total))}
	return formatPermyriad(p) + " of " + of + " " + t.show(q)
}

// where names the source of a setting for messages: "MemoryMax=2G in
// /etc/systemd/system/x.service.d/50-limits.conf".
func (s setting) where() string {
	if !s.set {
		return s.Default
	}
	return s.directive + "=" + s.raw + " in " + s.file
}
