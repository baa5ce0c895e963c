package process

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

type check struct {
	engine.Base
	spec   *spec
	aspect aspect
}

// matches reports whether the process is one of the spec's.
func (s *spec) matches(p facts.Process) bool {
	if s.comm != "" && p.Comm != s.comm {
		return false
	}
	return s.cmdline == nil || s.cmdline.MatchString(p.CmdlineText())
}

// maxListed bounds the pids a result lists.
const maxListed = 20

func (c *check) Run(_ context.Context, h *host.Host) engine.Result {
	s := c.spec
	res := engine.Result{Details: map[string]any{"match": s.describe()}}
	t, err := facts.Processes(h)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		res.Status = engine.Skip
		res.Message = "the root has no process table (no /proc/1): an image or a file tree runs no processes"
		return res
	case err != nil && h.NeedsRoot(err):
		return engine.SkipNeedsRoot(res, err)
	case err != nil:
		res.Status, res.Message = engine.Error, "cannot read the process table: "+err.Error()
		return res
	}
	var found []facts.Process
	for _, p := range t.Processes {
		if s.matches(p) {
			found = append(found, p)
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].PID < found[j].PID })
	var pids []int
	for i, p := range found {
		if i == maxListed {
			break
		}
		pids = append(pids, p.PID)
	}
	res.Details["count"], res.Details["pids"] = len(found), pids
	if t.Truncated {
		res.Status, res.Message = engine.Error, fmt.Sprintf("more than %d processes: the table was read in part", facts.MaxProcesses)
		return res
	}
	switch c.aspect {
	case aspRunning:
		return c.judgeRunning(res, found)
	case aspCount:
		return c.judgeCount(res, found)
	}
	return c.judgeUser(res, h, found)
}

func (c *check) miss(res engine.Result, msg, fix string) engine.Result {
	res.Status, res.Message = engine.MissStatus(c.M.Level), msg
	res.Remediation = &remediate.Plan{Summary: fix, Actions: []remediate.Action{remediate.Tell(fix)}}
	return res
}

func pidList(ps []facts.Process) string {
	var out []string
	for i, p := range ps {
		if i == 5 {
			out = append(out, fmt.Sprintf("and %d more", len(ps)-5))
			break
		}
		out = append(out, strconv.Itoa(p.PID))
	}
	return strings.Join(out, ", ")
}

func (c *check) judgeRunning(res engine.Result, found []facts.Process) engine.Result {
	s := c.spec
	n := len(found)
	res.Observed = fmt.Sprintf("%d running", n)
	switch {
	case n > 0 && s.running:
		res.Status, res.Message = engine.Pass, fmt.Sprintf("%d %s (pid %s)", n, s.counted(n), pidList(found))
		return res
	case n == 0 && !s.running:
		res.Status, res.Message = engine.Pass, "no "+s.describe()+" run"
		return res
	case n == 0:
		return c.miss(res, "no "+s.describe()+" run",
			"start "+s.name+" through its systemd unit (systemctl start UNIT; the systemd family's systemd/active:<unit> judges the unit)")
	}
	return c.miss(res, fmt.Sprintf("%d %s (pid %s) and none may", n, s.counted(n), pidList(found)),
		"stop "+s.name+" and keep it from starting again (systemctl disable --now UNIT, or remove the package that runs it)")
}

func (c *check) judgeCount(res engine.Result, found []facts.Process) engine.Result {
	s := c.spec
	n := len(found)
	res.Observed = strconv.Itoa(n)
	if (s.min < 0 || n >= s.min) && (s.max < 0 || n <= s.max) {
		res.Status, res.Message = engine.Pass, fmt.Sprintf("%d %s (wanted %s)", n, s.counted(n), s.expected(aspCount))
		return res
	}
	msg := fmt.Sprintf("%d %s, wanted %s", n, s.counted(n), s.expected(aspCount))
	if n > 0 {
		msg += " (pid " + pidList(found) + ")"
	}
	return c.miss(res, msg, "find out why "+strconv.Itoa(n)+" run (a crashed worker, a second instance): systemctl status UNIT, ps -o pid,ppid,args -p PIDS")
}

func (c *check) judgeUser(res engine.Result, h *host.Host, found []facts.Process) engine.Result {
	s := c.spec
	want, err := wantUID(h, s.user)
	if err != nil {
		if h.NeedsRoot(err) {
			return engine.SkipNeedsRoot(res, err)
		}
		res.Status, res.Message = engine.Error, err.Error()
		return res
	}
	res.Details["uid"] = want
	if len(found) == 0 {
		res.Status, res.Observed = engine.Skip, "not running"
		res.Message = "no " + s.describe() + " run (" + engine.CheckID(kind, string(aspRunning), s.name) + " reports it)"
		return res
	}
	var wrong []string
	users := map[uint64]bool{}
	for _, p := range found {
		users[p.EUID] = true
		if p.EUID != want {
			wrong = append(wrong, fmt.Sprintf("pid %d as %s", p.PID, userText(h, p.EUID)))
		}
	}
	var seen []string
	for uid := range users {
		seen = append(seen, userText(h, uid))
	}
	sort.Strings(seen)
	res.Observed = strings.Join(seen, ", ")
	if len(wrong) == 0 {
		res.Status, res.Message = engine.Pass, fmt.Sprintf("%d %s as %s", len(found), s.counted(len(found)), userText(h, want))
		return res
	}
	if len(wrong) > 5 {
		wrong = append(wrong[:5], fmt.Sprintf("and %d more", len(wrong)-5))
	}
	return c.miss(res, fmt.Sprintf("%s run as another user than %s: %s", s.describe(), s.user, strings.Join(wrong, "; ")),
		"run "+s.name+" as "+s.user+": set User="+s.user+" in its systemd unit (systemd.exec(5)) and restart it")
}

// wantUID resolves the wanted user: a number, or a name of the root's
// /etc/passwd.
func wantUID(h *host.Host, user string) (uint64, error) {
	if n, err := strconv.ParseUint(user, 10, 32); err == nil {
		return n, nil
	}
	pw, err := facts.PasswdOf(h)
	if err != nil {
		return 0, fmt.Errorf("cannot resolve user %s: %w", user, err)
	}
	u, ok := pw.User(user)
	if !ok {
		return 0, fmt.Errorf("user %s is not in %s", user, facts.PasswdPath)
	}
	return u.UID, nil
}

func userText(h *host.Host, uid uint64) string {
	if pw, err := facts.PasswdOf(h); err == nil {
		if u, ok := pw.UserByUID(uid); ok {
			return fmt.Sprintf("%s (%d)", u.Name, uid)
		}
	}
	return strconv.FormatUint(uid, 10)
}

// counted words n matching processes running: "1 process named "x" runs",
// "2 processes named "x" run".
func (s *spec) counted(n int) string {
	if n == 1 {
		return "process" + strings.TrimPrefix(s.describe(), "processes") + " runs"
	}
	return s.describe() + " run"
}
