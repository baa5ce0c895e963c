package account

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// userCheck is one aspect of one user.
type userCheck struct {
	engine.Base
	spec   *userSpec
	aspect string
}

type groupCheck struct {
	engine.Base
	spec   *groupSpec
	aspect string
}

func (r rule) meta(kind, aspect, want string) engine.Meta {
	m := meta(kind, aspect, r.name, want)
	m.Where = r.where
	if r.level != "" {
		m.Level = r.level
	}
	if r.severity != "" {
		m.Severity = r.severity
	}
	if r.why != "" {
		m.Why = r.why
	}
	return m
}

func existence(exists bool) string {
	if exists {
		return "present"
	}
	return "absent"
}

func (s *userSpec) checks() []engine.Check {
	out := []engine.Check{&userCheck{Base: engine.Base{M: s.meta(kindUser, "exists", existence(s.exists))}, spec: s, aspect: "exists"}}
	add := func(aspect, want string, on bool) {
		if on {
			out = append(out, &userCheck{Base: engine.Base{M: s.meta(kindUser, aspect, want)}, spec: s, aspect: aspect})
		}
	}
	if s.uid != nil {
		add("uid", strconv.FormatUint(*s.uid, 10), true)
	}
	add("gid", s.gid, s.gid != "")
	add("home", s.home, s.home != "")
	add("shell", s.shell, s.shell != "")
	add("groups", strings.Join(s.groups, ", "), s.hasGroup)
	return out
}

func (s *groupSpec) checks() []engine.Check {
	out := []engine.Check{&groupCheck{Base: engine.Base{M: s.meta(kindGroup, "exists", existence(s.exists))}, spec: s, aspect: "exists"}}
	if s.gid != nil {
		out = append(out, &groupCheck{Base: engine.Base{M: s.meta(kindGroup, "gid", strconv.FormatUint(*s.gid, 10))}, spec: s, aspect: "gid"})
	}
	if s.hasMembers {
		out = append(out, &groupCheck{Base: engine.Base{M: s.meta(kindGroup, "members", strings.Join(s.members, ", "))}, spec: s, aspect: "members"})
	}
	return out
}

// unread are the NSS sources of db golive cannot read, and a note saying
// so ("" when there are none).
func unread(h *host.Host, r facts.NSSRules, db string) ([]string, string) {
	ns, err := facts.NsswitchOf(h, r)
	if err != nil {
		ns = facts.DefaultNsswitch(r)
	}
	ext := facts.UnreadableSources(ns.Database(db).Names())
	if len(ext) == 0 {
		return nil, ""
	}
	return ext, fmt.Sprintf("from the files only: nsswitch.conf's %s line also names %s, which golive cannot read", db, strings.Join(ext, ", "))
}

// loadErr is the result for account files that could not be read; a
// missing file is an empty one (glibc finds no entry).
func loadErr(res engine.Result, h *host.Host, err error) (engine.Result, bool) {
	switch {
	case err == nil, errors.Is(err, fs.ErrNotExist):
		return res, false
	case h.NeedsRoot(err):
		return engine.SkipNeedsRoot(res, err), true
	}
	res.Status, res.Message = engine.Error, err.Error()
	return res, true
}

func miss(res engine.Result, level, msg string, plan *remediate.Plan) engine.Result {
	res.Status, res.Message, res.Remediation = engine.MissStatus(level), msg, plan
	return res
}

func pass(res engine.Result, msg string) engine.Result {
	res.Status, res.Message = engine.Pass, msg
	return res
}

func commandPlan(summary, why string, argv ...string) *remediate.Plan {
	return &remediate.Plan{Summary: summary, Actions: []remediate.Action{remediate.Run(why, argv...)}}
}

func manualPlan(text string) *remediate.Plan {
	return &remediate.Plan{Summary: text, Actions: []remediate.Action{remediate.Tell(text)}}
}

func (c *userCheck) Run(_ context.Context, h *host.Host) engine.Result {
	s := c.spec
	res := engine.Result{Details: map[string]any{"user": s.name}}
	pw, err := facts.PasswdOf(h)
	if res, stop := loadErr(res, h, err); stop {
		return res
	}
	var u facts.User
	found := false
	if pw != nil {
		u, found = pw.User(s.name)
	}
	ext, note := unread(h, s.nss, "passwd")
	if len(ext) > 0 {
		res.Details["sources_unread"] = ext
	}
	if c.aspect == "exists" {
		return c.judgeExists(res, found, note)
	}
	if !found {
		res.Status, res.Observed = engine.Skip, "absent"
		res.Message = "no user " + s.name + " in " + facts.PasswdPath + " (" + engine.CheckID(kindUser, "exists", s.name) + " reports it)"
		return res
	}
	res.Details["uid"], res.Details["gid"], res.Details["line"] = u.UID, u.GID, u.Line
	gr, err := facts.GroupsOf(h)
	if c.aspect == "gid" || c.aspect == "groups" {
		if res, stop := loadErr(res, h, err); stop {
			return res
		}
	}
	switch c.aspect {
	case "uid":
		res.Observed = strconv.FormatUint(u.UID, 10)
		if u.UID == *s.uid {
			return pass(res, fmt.Sprintf("%s has uid %d", s.name, u.UID))
		}
		want := strconv.FormatUint(*s.uid, 10)
		return miss(res, c.M.Level, fmt.Sprintf("%s has uid %d, not %s", s.name, u.UID, want),
			commandPlan("give "+s.name+" uid "+want, "usermod re-owns the files in the home directory; re-own the others (find / -uid OLD)", "usermod", "--uid", want, s.name))
	case "gid":
		res.Observed = gidText(gr, u.GID)
		want, ok := resolveGID(gr, s.gid)
		if !ok {
			return miss(res, c.M.Level, "group "+s.gid+" is not in "+facts.GroupPath, manualPlan("create group "+s.gid+" (groupadd) or name an existing one in the profile"))
		}
		if u.GID == want {
			return pass(res, s.name+"'s primary group is "+res.Observed)
		}
		return miss(res, c.M.Level, s.name+"'s primary group is "+res.Observed+", not "+s.gid,
			commandPlan("make "+s.gid+" the primary group of "+s.name, "set the primary group", "usermod", "--gid", s.gid, s.name))
	case "home", "shell":
		got, want, flag := u.Home, s.home, "--home"
		if c.aspect == "shell" {
			got, want, flag = u.Shell, s.shell, "--shell"
		}
		res.Observed = got
		if got == want {
			return pass(res, s.name+"'s "+c.aspect+" is "+got)
		}
		return miss(res, c.M.Level, fmt.Sprintf("%s's %s is %q, not %s", s.name, c.aspect, got, want),
			commandPlan("set the "+c.aspect+" of "+s.name+" to "+want, "set the "+c.aspect+" in /etc/passwd", "usermod", flag, want, s.name))
	}
	return c.judgeGroups(res, u, gr)
}

func (c *userCheck) judgeExists(res engine.Result, found bool, note string) engine.Result {
	s := c.spec
	res.Observed = existence(found)
	res.Details["exists"] = found
	msg := "user " + s.name + " is in " + facts.PasswdPath
	if !found {
		msg = "user " + s.name + " is not in " + facts.PasswdPath
	}
	if note != "" {
		msg += " (" + note + ")"
	}
	switch {
	case found == s.exists:
		return pass(res, msg)
	case found:
		return miss(res, c.M.Level, msg, manualPlan("remove user "+s.name+" (userdel "+s.name+"; golive never deletes accounts: check what runs as it and what it owns first)"))
	case note != "":
		// The user may well exist in the directory service.
		res.Status, res.Message = engine.Error, "user "+s.name+" is not in "+facts.PasswdPath+" and golive cannot tell whether NSS finds it elsewhere: "+note
		return res
	}
	argv := []string{"useradd"}
	if s.uid != nil {
		argv = append(argv, "--uid", strconv.FormatUint(*s.uid, 10))
	}
	if s.gid != "" {
		argv = append(argv, "--gid", s.gid)
	}
	if s.home != "" {
		argv = append(argv, "--home-dir", s.home)
	}
	if s.shell != "" {
		argv = append(argv, "--shell", s.shell)
	}
	if sup := supplementary(s.groups, s.gid, s.name); len(sup) > 0 {
		argv = append(argv, "--groups", strings.Join(sup, ","))
	}
	argv = append(argv, s.name)
	return miss(res, c.M.Level, msg, commandPlan("create user "+s.name, "create the account with the profile's fields", argv...))
}

// supplementary are the wanted groups but the primary one (named by the
// profile's gid, or by default useradd's group of the user's own name).
func supplementary(groups []string, gid, name string) []string {
	primary := gid
	if primary == "" {
		primary = name
	}
	var out []string
	for _, g := range groups {
		if g != primary && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// judgeGroups compares the user's groups, as getgrouplist(name, gid)
// finds them in the files, with the wanted set (gids, any order).
func (c *userCheck) judgeGroups(res engine.Result, u facts.User, gr *facts.Groups) engine.Result {
	s := c.spec
	got := userGIDs(gr, s.name, u.GID)
	names := make([]string, len(got))
	for i, g := range got {
		names[i] = gidName(gr, g)
	}
	res.Observed = strings.Join(names, ", ")
	res.Details["groups"] = names
	var want []uint64
	var wantNames []string
	for _, g := range s.groups {
		id, ok := resolveGID(gr, g)
		if !ok {
			return miss(res, c.M.Level, "group "+g+" is not in "+facts.GroupPath, manualPlan("create group "+g+" (groupadd) or remove it from the profile"))
		}
		if !slices.Contains(want, id) {
			want, wantNames = append(want, id), append(wantNames, g)
		}
	}
	var extra, lacking []string
	for i, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, names[i])
		}
	}
	for i, g := range want {
		if !slices.Contains(got, g) {
			lacking = append(lacking, wantNames[i])
		}
	}
	if len(extra) == 0 && len(lacking) == 0 {
		return pass(res, s.name+" is in exactly "+res.Observed)
	}
	var why []string
	if len(lacking) > 0 {
		why = append(why, "not in "+strings.Join(lacking, ", "))
	}
	if len(extra) > 0 {
		why = append(why, "also in "+strings.Join(extra, ", "))
	}
	sup := supplementary(s.groups, gidName(gr, u.GID), s.name)
	return miss(res, c.M.Level, s.name+" is "+strings.Join(why, "; "),
		commandPlan("set the groups of "+s.name, "set the supplementary groups exactly (the primary group stays)", "usermod", "--groups", strings.Join(sup, ","), s.name))
}

// userGIDs is what getgrouplist(name, gid) returns through the files
// module, duplicates dropped: the primary gid, then the gid of every
// /etc/group line listing the user, in file order.
func userGIDs(gr *facts.Groups, name string, gid uint64) []uint64 {
	out := []uint64{gid}
	if gr == nil {
		return out
	}
	for _, g := range gr.Supplementary(name) {
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// resolveGID is a group name through getgrnam, or a number.
func resolveGID(gr *facts.Groups, g string) (uint64, bool) {
	if gr != nil {
		if e, ok := gr.Group(g); ok {
			return e.GID, true
		}
	}
	id, err := parseID(g)
	return id, err == nil
}

// gidName is getgrgid's name for gid, or the number (as id -Gn prints).
func gidName(gr *facts.Groups, gid uint64) string {
	if gr != nil {
		if g, ok := gr.GroupByGID(gid); ok {
			return g.Name
		}
	}
	return strconv.FormatUint(gid, 10)
}

func gidText(gr *facts.Groups, gid uint64) string {
	if n := gidName(gr, gid); n != strconv.FormatUint(gid, 10) {
		return fmt.Sprintf("%s (%d)", n, gid)
	}
	return strconv.FormatUint(gid, 10)
}

func (c *groupCheck) Run(_ context.Context, h *host.Host) engine.Result {
	s := c.spec
	res := engine.Result{Details: map[string]any{"group": s.name}}
	gr, err := facts.GroupsOf(h)
	if res, stop := loadErr(res, h, err); stop {
		return res
	}
	var g facts.Group
	found := false
	if gr != nil {
		g, found = gr.Group(s.name)
	}
	ext, note := unread(h, s.nss, "group")
	if len(ext) > 0 {
		res.Details["sources_unread"] = ext
	}
	if c.aspect == "exists" {
		res.Observed = existence(found)
		res.Details["exists"] = found
		msg := "group " + s.name + " is in " + facts.GroupPath
		if !found {
			msg = "group " + s.name + " is not in " + facts.GroupPath
		}
		if note != "" {
			msg += " (" + note + ")"
		}
		switch {
		case found == s.exists:
			return pass(res, msg)
		case found:
			return miss(res, c.M.Level, msg, manualPlan("remove group "+s.name+" (groupdel "+s.name+"; golive never deletes accounts)"))
		case note != "":
			res.Status, res.Message = engine.Error, "group "+s.name+" is not in "+facts.GroupPath+" and golive cannot tell whether NSS finds it elsewhere: "+note
			return res
		}
		argv := []string{"groupadd"}
		if s.gid != nil {
			argv = append(argv, "--gid", strconv.FormatUint(*s.gid, 10))
		}
		return miss(res, c.M.Level, msg, commandPlan("create group "+s.name, "create the group with the profile's gid", append(argv, s.name)...))
	}
	if !found {
		res.Status, res.Observed = engine.Skip, "absent"
		res.Message = "no group " + s.name + " in " + facts.GroupPath + " (" + engine.CheckID(kindGroup, "exists", s.name) + " reports it)"
		return res
	}
	res.Details["gid"], res.Details["line"] = g.GID, g.Line
	if c.aspect == "gid" {
		res.Observed = strconv.FormatUint(g.GID, 10)
		if g.GID == *s.gid {
			return pass(res, fmt.Sprintf("%s has gid %d", s.name, g.GID))
		}
		want := strconv.FormatUint(*s.gid, 10)
		return miss(res, c.M.Level, fmt.Sprintf("%s has gid %d, not %s", s.name, g.GID, want),
			commandPlan("give group "+s.name+" gid "+want, "re-own files with the old gid afterwards (find / -gid OLD)", "groupmod", "--gid", want, s.name))
	}
	var got []string
	for _, m := range g.Members {
		if !slices.Contains(got, m) {
			got = append(got, m)
		}
	}
	res.Observed = strings.Join(got, ", ")
	res.Details["members"] = got
	var want []string
	for _, m := range s.members {
		if !slices.Contains(want, m) {
			want = append(want, m)
		}
	}
	sameSet := len(got) == len(want)
	for _, m := range want {
		sameSet = sameSet && slices.Contains(got, m)
	}
	if sameSet {
		return pass(res, fmt.Sprintf("%s lists exactly %q", s.name, got))
	}
	return miss(res, c.M.Level, fmt.Sprintf("%s lists %q, not %q", s.name, got, want),
		commandPlan("set the members of group "+s.name, "set the member list exactly", "gpasswd", "--members", strings.Join(want, ","), s.name))
}
