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
	Value uint64
	Known bool
	From  string   // where it comes from, for people
	Set   *setting // the limits.conf line, when pam_limits set it
}

// loginVerdict is what pam_limits gives the user for one resource.
type loginVerdict struct {
	acct    *account
	ll      *LoginLimits
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
	baseline   unitLimit
	nrOpen     nrOpen
}

func (c *loginCheck) Run(_ context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"user": c.user, "resource": c.res.name}}
	v := c.st.loginVerdict(h, c.user, c.res, c.rule)
	c.describe(&res, v)
	if len(v.ll.NeedsRoot) > 0 {
		res.Status = engine.Skip
		res.Message = "needs root: " + strings.Join(v.ll.NeedsRoot, "; ")
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
	case !v.judged.Known:
		res.Status = engine.Warn
		msg = append(msg, fmt.Sprintf("cannot tell the %s limit: no limits.conf line sets it, and what the session inherits from sshd is not known (%s)", v.side, v.baseline.From))
		res.Remediation = c.st.loginPlan(h, c.user)
	case v.ok:
		res.Status = engine.Pass
		msg = append(msg, fmt.Sprintf("%s %s from %s", v.side, formatValue(v.judged.Value), v.judged.From))
	default:
		res.Status = missStatus(c.rule)
		msg = append(msg, fmt.Sprintf("a session gets %s %s from %s", v.side, formatValue(v.judged.Value), v.judged.From))
		res.Remediation = c.st.loginPlan(h, c.user)
	}
	if v.side == "hard" && v.soft.Known && v.hard.Known && v.soft.Value < v.hard.Value {
		msg = append(msg, fmt.Sprintf("judged by the hard limit: a Go program started from the session raises its soft limit (%s) to it", formatValue(v.soft.Value)))
	}
	msg = append(msg, v.notes...)
	res.Message = strings.Join(msg, "; ")
	return res
}

// loginVerdict resolves and judges one resource for the user.
func (s *shared) loginVerdict(h *host.Host, user string, r resource, rule profile.Rule) loginVerdict {
	v := loginVerdict{acct: s.account(h, user)}
	v.ll = s.pamConfig(h).resolveLogin(v.acct, s.set.rootExempt)
	v.baseline = resolveUnitLimit(nil, s.manager(h), r, s.set.sd)
	if h.Live() {
		if ok, why := s.booted(h); !ok {
			// sshd is not a systemd service here: its limits come from
			// whatever started it.
			v.baseline = unitLimit{Level: "default", From: "sshd is not started by systemd here (" + why + "), so what it passes on is not known"}
		}
	}
	v.nrOpen = s.nrOpenOf(h)
	if !v.acct.Known {
		v.notes = append(v.notes, fmt.Sprintf("%s is not in /etc/passwd (a directory-service user, or not created yet): uid ranges and its primary group cannot be matched, and pam_limits refuses a user getpwnam cannot find", user))
	}
	inherited := func(val uint64) side {
		return side{Value: val, Known: v.baseline.Known, From: "sshd's own limit, which the session inherits (" + v.baseline.From + ")"}
	}
	v.soft, v.hard = inherited(v.baseline.Limit.Soft), inherited(v.baseline.Limit.Hard)
	if v.ll.NoLimits != nil {
		v.notes = append(v.notes, fmt.Sprintf("%s (%q) tells pam_limits to set no limit at all for this user", v.ll.NoLimits.Where(), v.ll.NoLimits.Domain+" -"))
	} else {
		set := false
		if st, ok := v.ll.Soft[r.name]; ok {
			v.soft = fromSetting(st)
			set = true
		}
		if st, ok := v.ll.Hard[r.name]; ok {
			v.hard = fromSetting(st)
			set = true
		}
		if set {
			v.applyPam(r)
		}
	}
	for _, f := range v.ll.Fatal {
		v.refused = append(v.refused, "cannot read "+f+" (pam_limits then fails every session it handles)")
	}
	v.side = "soft"
	v.judged = v.soft
	if r.name == "nofile" && s.set.goService {
		v.side, v.judged = "hard", v.hard
	}
	if v.judged.Known {
		v.ok, v.err = satisfies(rule.Expect, v.judged.Value)
	}
	return v
}

// applyPam is setup_limits for a resource pam_limits set: unlimited nofile
// becomes fs.nr_open (pam_limits 1.4 and later), a soft limit above the
// hard one is lowered to it, and a value the kernel refuses fails the
// session.
func (v *loginVerdict) applyPam(r resource) {
	if r.name == "nofile" {
		for _, sd := range []*side{&v.soft, &v.hard} {
			if sd.Set != nil && sd.Value == Infinity {
				if v.nrOpen.Known {
					sd.Value = v.nrOpen.Value
					v.notes = append(v.notes, fmt.Sprintf("%s sets nofile unlimited: pam_limits 1.4 and later use fs.nr_open (%d) instead; CentOS 7's 1.1.8 fails the session", sd.Set.From.Where(), v.nrOpen.Value))
				} else {
					v.notes = append(v.notes, sd.Set.From.Where()+" sets nofile unlimited: the kernel refuses that (newer pam_limits use fs.nr_open)")
				}
			}
		}
	}
	if v.soft.Known && v.hard.Known && v.soft.Value > v.hard.Value {
		v.notes = append(v.notes, fmt.Sprintf("the soft limit %s is above the hard limit %s: pam_limits lowers it to %s",
			formatValue(v.soft.Value), formatValue(v.hard.Value), formatValue(v.hard.Value)))
		v.soft.Value = v.hard.Value
	}
	if r.name == "nofile" && v.nrOpen.Known {
		for _, sd := range []*side{&v.hard, &v.soft} {
			if sd.Known && sd.Value > v.nrOpen.Value {
				v.refused = append(v.refused, fmt.Sprintf("nofile %s (%s) is above fs.nr_open %d (%s): setrlimit fails",
					formatValue(sd.Value), sd.From, v.nrOpen.Value, v.nrOpen.From))
				v.overNrOpen = true
				break
			}
		}
	}
}

func fromSetting(st setting) side {
	s := st
	kind := sourceNames[st.Src]
	if st.Src == srcUser && st.From.Domain != "" && st.From.Domain[0] != '@' && strings.Contains(st.From.Domain, ":") {
		kind = "uid range " + st.From.Domain
	} else if st.Src == srcGroup {
		kind = "group " + st.From.Domain
	}
	return side{Value: st.Value, Known: true, Set: &s,
		From: fmt.Sprintf("%s line %s:%d", kind, st.From.File, st.From.Line)}
}

func showSide(s side) string {
	if !s.Known {
		return "unknown"
	}
	where := "inherited"
	if s.Set != nil {
		where = fmt.Sprintf("%s:%d", path.Base(s.Set.From.File), s.Set.From.Line)
	}
	return formatValue(s.Value) + " (" + where + ")"
}

func (c *loginCheck) describe(res *engine.Result, v loginVerdict) {
	d := res.Details
	d["user_known"] = v.acct.Known
	if v.acct.Known {
		d["uid"] = v.acct.UID
		d["gid"] = v.acct.GID
	}
	groups := make([]string, 0, len(v.acct.Groups))
	for g := range v.acct.Groups {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	d["groups"] = groups
	d["judged"] = v.side
	d["soft"], d["hard"] = sideDetail(v.soft), sideDetail(v.hard)
	d["soft_from"], d["hard_from"] = v.soft.From, v.hard.From
	d["files"] = v.ll.Files
	d["inherited_from"] = v.baseline.From
	if v.nrOpen.Known {
		d["nr_open"] = v.nrOpen.Value
	}
	var problems []string
	problems = append(problems, v.acct.Problems...)
	problems = append(problems, v.ll.Problems...)
	if len(problems) > 0 {
		d["problems"] = capList(problems, 50)
	}
	if len(v.ll.Fatal) > 0 {
		d["unreadable"] = v.ll.Fatal
	}
	if v.ll.NoLimits != nil {
		d["no_limits"] = v.ll.NoLimits.Where()
	}
}

func sideDetail(s side) any {
	if !s.Known {
		return nil
	}
	return formatValue(s.Value)
}

// capList keeps a problem list readable in a report.
func capList(l []string, n int) []string {
	if len(l) <= n {
		return l
	}
	return append(l[:n:n], fmt.Sprintf("and %d more", len(l)-n))
}
