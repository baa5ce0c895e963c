package rlimit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/remediate"
)

// maxProcesses bounds the /proc entries scanned for a process name.
const maxProcesses = 1 << 16

// processCheck is rlimit/process:<name|pid>/<res>.
type processCheck struct {
	engine.Base
	name string
	res  resource
	rule profile.Rule
	st   *shared
}

// proc is one process found for a target, with its limits.
type proc struct {
	pid    int
	comm   string
	limits procLimits
	err    error
}

// processSet is every process a target names.
type processSet struct {
	procs []proc
	// err is set when /proc cannot be listed.
	err error
}

func (c *processCheck) Run(_ context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"process": c.name, "resource": c.res.name}}
	if !h.Live() {
		res.Status = engine.Skip
		res.Message = "a mounted image has no running processes (--root): checked on the running system only"
		return res
	}
	ps := c.st.processes(h, c.name)
	return judgeProcesses(res, ps, c.name, c.res, c.rule, h.Privileged())
}

// judgeProcesses judges every process of a target; the worst wins.
func judgeProcesses(res engine.Result, ps *processSet, name string, r resource, rule profile.Rule, privileged bool) engine.Result {
	if ps.err != nil {
		res.Status = engine.Error
		res.Message = ps.err.Error()
		return res
	}
	if len(ps.procs) == 0 {
		res.Status = engine.Skip
		res.Message = "no running process is called " + name
		if isPID(name) {
			res.Message = "no process has pid " + name
		}
		return res
	}
	var rows []map[string]any
	var worst *proc
	var worstLimit Limit
	checked, denied := 0, 0
	for i := range ps.procs {
		p := &ps.procs[i]
		row := map[string]any{"pid": p.pid, "comm": p.comm}
		rows = append(rows, row)
		if p.err != nil {
			row["error"] = p.err.Error()
			if errors.Is(p.err, fs.ErrPermission) {
				denied++
			}
			continue
		}
		l, ok := p.limits[r.proc]
		if !ok {
			row["error"] = "no " + r.proc + " row"
			continue
		}
		row["soft"], row["hard"] = formatValue(l.Soft), formatValue(l.Hard)
		checked++
		if worst == nil || l.Soft < worstLimit.Soft {
			worst, worstLimit = p, l
		}
	}
	res.Details["processes"] = rows
	if worst == nil {
		if denied > 0 && !privileged {
			res.Status = engine.Skip
			res.Message = engine.NeedsRoot("/proc/<pid>/limits of " + name + " is not readable")
			return res
		}
		res.Status = engine.Error
		res.Message = fmt.Sprintf("could not read the limits of %d process(es) called %s", len(ps.procs), name)
		return res
	}
	ok, err := satisfies(rule.Expect, worstLimit.Soft)
	if err != nil {
		res.Status = engine.Error
		res.Message = err.Error()
		return res
	}
	res.Observed = fmt.Sprintf("%s (pid %d)", worstLimit, worst.pid)
	if checked > 1 {
		res.Observed = fmt.Sprintf("lowest %s of %d processes (pid %d)", worstLimit, checked, worst.pid)
	}
	if ok {
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("soft limit %s: what the process runs with now (a Go program has already raised its NOFILE soft limit to, or one short of, the hard one)", formatValue(worstLimit.Soft))
		return res
	}
	res.Status = engine.MissStatus(rule.Level)
	res.Message = fmt.Sprintf("pid %d runs with %s soft %s, hard %s", worst.pid, r.name, formatValue(worstLimit.Soft), formatValue(worstLimit.Hard))
	res.Remediation = &remediate.Plan{
		Summary: fmt.Sprintf("raise %s of %s", r.name, name),
		Actions: []remediate.Action{remediate.Tell(fmt.Sprintf(
			"a process keeps the limits it started with: fix where it gets them (its unit's %s=, see rlimit/unit, or limits.conf for a login session) and restart it; "+
				"`prlimit --pid %d --%s=SOFT:HARD` changes the running process until it exits", r.systemd, worst.pid, r.name))},
	}
	return res
}

// processes finds the processes of a target once per run: a pid, or every
// process whose /proc/<pid>/comm or argv[0] base name is the name.
func (s *shared) processes(h *host.Host, name string) *processSet {
	return facts.Memo(h, procsKey{name}, func(h *host.Host) *processSet { return findProcesses(h, name) })
}

func findProcesses(h *host.Host, name string) *processSet {
	ps := &processSet{}
	var pids []int
	if isPID(name) {
		pid, _ := strconv.Atoi(name)
		if h.Exists("/proc/" + name) {
			pids = append(pids, pid)
		}
	} else {
		entries, err := h.ReadDir("/proc")
		if err != nil {
			ps.err = fmt.Errorf("list processes: %w", err)
			return ps
		}
		for i, e := range entries {
			if i >= maxProcesses {
				break
			}
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid <= 0 || !e.IsDir() {
				continue
			}
			if processNamed(h, pid, name) {
				pids = append(pids, pid)
			}
		}
	}
	sort.Ints(pids)
	for _, pid := range pids {
		p := proc{pid: pid, comm: readComm(h, pid)}
		data, err := h.ReadFileLimit(fmt.Sprintf("/proc/%d/limits", pid), maxProcLimits)
		if errors.Is(err, fs.ErrNotExist) {
			continue // exited meanwhile
		}
		if err != nil {
			p.err = err
		} else {
			p.limits, _ = ParseProcLimits(data)
		}
		ps.procs = append(ps.procs, p)
	}
	return ps
}

// processNamed matches comm (the kernel keeps 15 bytes of the name) or the
// base name of argv[0].
func processNamed(h *host.Host, pid int, name string) bool {
	comm := readComm(h, pid)
	if comm != "" && (comm == name || len(name) > 15 && comm == name[:15]) {
		return true
	}
	f, err := h.Open(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	defer f.Close()
	data, _ := io.ReadAll(io.LimitReader(f, 4096)) // argv[0] is at the start
	argv0, _, _ := strings.Cut(string(data), "\x00")
	return argv0 != "" && path.Base(argv0) == name
}

func readComm(h *host.Host, pid int) string {
	data, err := h.ReadFileLimit(fmt.Sprintf("/proc/%d/comm", pid), 64)
	if err != nil {
		return ""
	}
	return strings.TrimRight(string(data), "\n")
}
