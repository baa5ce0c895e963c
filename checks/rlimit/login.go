package rlimit

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

// loginCheck is rlimit/login:<user>/<res>.
type loginCheck struct {
	engine.Base
	user string
	res  resource
	rule profile.Rule
	st   *shared
}

// side is one of the two limits a session ends up with.
type side struct {
	value uint64
	known bool
	from  string   // where it comes from, for people
	tag   string   // short form of From when no line sets it: "PID 1"
	set   *setting // the limits.conf line, when pam_limits set it
}

// loginVerdict is what pam_limits gives the user for one resource.
type loginVerdict struct {
	acct    *account
	ll      *loginLimits
	soft    side
	hard    side
	side    string // which side is judged: soft or hard
	judged  side
	ok      bool
	err     error
	refused []string // why pam_limits refuses the session
	// overNrOpen: the session's nofile is above fs.nr_open, so setrlimit
	// fails and pam_limits refuses the session.
	overNrOpen bool
	notes      []string
	baseline   unitLimit // sshd's limit of the judged resource
	nrOpen     nrOpen
	resName    string
	flavor     string // the pam_limits build, for people
	startFrom  string // where a limit no line sets comes from
}

func (v *loginVerdict) res() string { return v.resName }

func (c *loginCheck) Run(_ context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"user": c.user, "resource": c.res.name}}
	v := c.st.loginVerdict(h, c.user, c.res, c.rule)
	c.describe(&res, v)
	if len(v.ll.needsRoot) > 0 {
		res.Status = engine.Skip
		res.Message = engine.NeedsRoot(strings.Join(v.ll.needsRoot, "; "))
		return res
	}
	res.Observed = fmt.Sprintf("soft %s, hard %s", showSide(v.soft), showSide(v.hard))
	var msg []string
	switch {
	case len(v.refused) > 0:
		res.Status = engine.Fail
		msg = append(msg, "pam_limits refuses the session, so the user cannot log in: "+strings.Join(v.refused, "; "))
		res.Remediation = c.st.loginPlan(h, c.user)
	case v.err != nil:
		res.Status = engine.Error
		msg = append(msg, v.err.Error())
	case !v.judged.known:
		res.Status = engine.Warn
		msg = append(msg, fmt.Sprintf("cannot tell the %s limit: no limits.conf line sets it, and it is %s", v.side, v.judged.from))
		res.Remediation = c.st.loginPlan(h, c.user)
	case v.ok:
		res.Status = engine.Pass
		msg = append(msg, fmt.Sprintf("%s %s from %s", v.side, formatValue(v.judged.value), v.judged.from))
	default:
		res.Status = engine.MissStatus(c.rule.Level)
		msg = append(msg, fmt.Sprintf("a session gets %s %s from %s", v.side, formatValue(v.judged.value), v.judged.from))
		res.Remediation = c.st.loginPlan(h, c.user)
	}
	if v.side == "hard" && v.soft.known && v.hard.known && v.soft.value < v.hard.value {
		msg = append(msg, fmt.Sprintf("judged by the hard limit: a Go program started from the session raises its soft limit (%s) at start, to the hard limit (Go 1.19 to 1.23) or to hard − 1 (Go 1.26)", formatValue(v.soft.value)))
	}
	msg = append(msg, v.notes...)
	res.Message = strings.Join(msg, "; ")
	return res
}

// loginVerdict resolves and judges one resource for the user.
func (s *shared) loginVerdict(h *host.Host, user string, r resource, rule profile.Rule) loginVerdict {
	v := loginVerdict{acct: s.account(h, user), resName: r.name}
	pc := s.pamConfig(h)
	v.ll = pc.resolveLogin(v.acct, pc.flavor.Debian)
	v.nrOpen = s.nrOpenOf(h)
	if !v.acct.known {
		v.notes = append(v.notes, fmt.Sprintf("%s is not in /etc/passwd (a directory-service user, or not created yet): uid ranges and its primary group cannot be matched, and pam_limits refuses a user getpwnam cannot find", user))
	}
	ss := pc.flavor.openSession(v.ll, s.sessionStart(h, pc, &v))
	sl := ss.limits[r.name]
	v.soft, v.hard = sl.soft, sl.hard
	v.overNrOpen = sl.failed != "" && r.name == "nofile" && v.nrOpen.known && sl.hard.known
	v.refused = ss.refused
	v.flavor = pc.flavor.String()
	v.startFrom = v.baseline.from
	if pc.flavor.setAll() {
		v.startFrom = "PID 1's limits (/proc/1/limits): Debian's pam_limits starts every session from them"
	}
	if v.ll.noLimits != nil {
		v.notes = append(v.notes, fmt.Sprintf("%s (%q) tells pam_limits to set no limit at all for this user", v.ll.noLimits.where(), v.ll.noLimits.Domain+" -"))
	}
	v.notes = append(v.notes, sl.notes...)
	v.side = "soft"
	v.judged = v.soft
	if r.name == "nofile" && s.set.goService {
		v.side, v.judged = "hard", v.hard
	}
	if v.judged.known {
		v.ok, v.err = satisfies(rule.Expect, v.judged.value)
	}
	return v
}

// sessionStart is what a login session starts from on this host: the
// limits of sshd (the process that opens it: a systemd service with no
// Limit*= lines, so the manager's defaults) and, for Debian's pam_limits,
// PID 1's. sshd runs as root and may raise hard limits.
func (s *shared) sessionStart(h *host.Host, pc *pamConfig, v *loginVerdict) sessionStart {
	st := sessionStart{caller: map[string]startLimit{}, pid1: pc.pid1, pid1State: pc.pid1State,
		nrOpen: v.nrOpen, canRaiseHard: true}
	sshdUnknown := ""
	if h.Live() {
		if ok, why := s.booted(h); !ok {
			sshdUnknown = "sshd is not started by systemd here (" + why + "), so its limits are not known"
		}
	}
	mgr := s.manager(h)
	for name, r := range resources {
		ul := resolveUnitLimit(nil, mgr, r, s.set.sd)
		if sshdUnknown != "" {
			ul = unitLimit{level: "default", from: sshdUnknown}
		}
		if name == v.res() {
			v.baseline = ul
		}
		st.caller[name] = startLimit{Limit: ul.limit, known: ul.known, from: "sshd's: " + ul.from}
	}
	return st
}

func fromSetting(st setting) side {
	s := st
	kind := sourceNames[st.src]
	if st.src == srcUser && st.from.Domain != "" && st.from.Domain[0] != '@' && strings.Contains(st.from.Domain, ":") {
		kind = "uid range " + st.from.Domain
	} else if st.src == srcGroup {
		kind = "group " + st.from.Domain
	}
	return side{value: st.value, known: true, set: &s,
		from: fmt.Sprintf("%s line %s:%d", kind, st.from.file, st.from.line)}
}

func showSide(s side) string {
	if !s.known {
		return "unknown"
	}
	where := "inherited"
	if s.tag != "" {
		where = s.tag
	}
	if s.set != nil {
		where = fmt.Sprintf("%s:%d", path.Base(s.set.from.file), s.set.from.line)
	}
	return formatValue(s.value) + " (" + where + ")"
}

func (c *loginCheck) describe(res *engine.Result, v loginVerdict) {
	d := res.Details
	d["user_known"] = v.acct.known
	if v.acct.known {
		d["uid"] = v.acct.uid
		d["gid"] = v.acct.gid
	}
	groups := make([]string, 0, len(v.acct.groups))
	for g := range v.acct.groups {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	d["groups"] = groups
	d["judged"] = v.side
	d["soft"], d["hard"] = sideDetail(v.soft), sideDetail(v.hard)
	d["soft_from"], d["hard_from"] = v.soft.from, v.hard.from
	d["files"] = v.ll.files
	d["inherited_from"] = v.startFrom
	d["pam_limits"] = v.flavor
	if v.nrOpen.known {
		d["nr_open"] = v.nrOpen.value
	}
	var problems []string
	problems = append(problems, v.acct.problems...)
	problems = append(problems, v.ll.problems...)
	if len(problems) > 0 {
		d["problems"] = capList(problems, 50)
	}
	if len(v.ll.fatal) > 0 {
		d["unreadable"] = v.ll.fatal
	}
	if v.ll.noLimits != nil {
		d["no_limits"] = v.ll.noLimits.where()
	}
}

func sideDetail(s side) any {
	if !s.known {
		return nil
	}
	return formatValue(s.value)
}

// capList keeps a problem list readable in a report.
func capList(l []string, n int) []string {
	if len(l) <= n {
		return l
	}
	return append(l[:n:n], fmt.Sprintf("and %d more", len(l)-n))
}
