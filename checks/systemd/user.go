package systemd

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
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/unit"
)

// --- systemd/user:<unit>

type userCheck struct {
	engine.Base
	st  *shared
	nss facts.NSSRules // how the root's glibc reads nsswitch.conf
}

func (c *userCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	m, skip := c.st.prepare(h)
	if skip != nil {
		return *skip
	}
	f, bad := c.st.loadUnit(h)
	if bad != nil {
		return unusable(*bad)
	}
	res := engine.Result{Details: map[string]any{"unit": c.st.name}}
	user := lastValid(f, "Service", "User", userValid, true)
	dyn := lastValid(f, "Service", "DynamicUser", boolValid, false)
	dynamic := false
	if dyn.set {
		dynamic, _ = parseBool(dyn.value)
	}
	res.Details["user"] = user.value
	res.Details["user_from"] = user.file
	res.Details["dynamic_user"] = dynamic
	var notes []string
	notes = append(notes, user.ignored...)
	notes = append(notes, dyn.ignored...)
	switch {
	case dynamic:
		res.Status = engine.Pass
		res.Observed = "DynamicUser=yes"
		res.Message = "DynamicUser=yes in " + dyn.file + ": systemd allocates an unprivileged user for each run"
		if user.set {
			res.Observed += " (User=" + user.value + ")"
		}
	case !user.set:
		res.Status = engine.Fail
		res.Observed = "root (no User=)"
		res.Message = "no User=: the service runs as root, so any bug in it is a root compromise"
		if user.reset != "" {
			res.Message = "no User= (" + user.reset + "): the service runs as root, so any bug in it is a root compromise"
		}
		res.Remediation = c.plan(f, user)
	case user.value == "root" || user.value == "0":
		res.Status = engine.Fail
		res.Observed = "User=" + user.value
		res.Message = "User=" + user.value + " in " + user.file + ": the service runs as root: give it a dedicated unprivileged user"
		res.Remediation = c.plan(f, user)
	case strings.Contains(user.value, "%"):
		res.Status = engine.Warn
		res.Observed = "User=" + user.value
		res.Message = "User=" + user.value + " in " + user.file + " uses a specifier that only systemd expands: golive cannot tell which user runs the service"
	default:
		res.Observed = "User=" + user.value
		c.judgeAccount(h, &res, user)
	}
	if len(notes) > 0 {
		res.Message += "; " + strings.Join(notes, "; ")
	}
	if m == modeLive {
		if lp, err := c.st.liveProps(ctx, h); err == nil {
			if d := liveDiff("User", user.value, unit.PropString(lp.service, "User")); d != "" && !dynamic {
				res.Message += "; " + d
				if res.Status == engine.Pass {
					res.Status = engine.Warn
					res.Remediation = reloadPlan()
				}
			}
		} else {
			res.Details["live_error"] = err.Error()
		}
	}
	return res
}

// judgeAccount looks the user up in /etc/passwd: systemd refuses to start
// a service whose user does not exist (status 217/USER). Users from a
// directory service (nsswitch passwd: sss, ldap, ...) cannot be seen in
// the files.
func (c *userCheck) judgeAccount(h *host.Host, res *engine.Result, user assignment) {
	pw, err := facts.PasswdOf(h)
	switch {
	case h.NeedsRoot(err):
		*res = engine.SkipNeedsRoot(*res, err)
		return
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		res.Status = engine.Error
		res.Message = "cannot read /etc/passwd: " + err.Error()
		return
	}
	if acct, found := lookupUser(pw, user.value); found {
		res.Details["uid"] = acct.UID
		if acct.UID == 0 {
			res.Status = engine.Fail
			res.Message = fmt.Sprintf("User=%s in %s, but %s has uid 0 in /etc/passwd:%d: the service runs as root", user.value, user.file, user.value, acct.Line)
			res.Remediation = c.plan(nil, user)
			return
		}
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("User=%s in %s (uid %d, /etc/passwd:%d)", user.value, user.file, acct.UID, acct.Line)
		return
	}
	if isNumeric(user.value) {
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("User=%s in %s: a numeric uid (no /etc/passwd entry needed)", user.value, user.file)
		return
	}
	sources := passwdSources(h, c.nss)
	res.Details["nsswitch_passwd"] = sources
	external := facts.UnreadableSources(sources)
	if len(external) > 0 {
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("User=%s in %s is not in /etc/passwd; nsswitch.conf also asks %s, which golive cannot query: make sure it resolves there",
			user.value, user.file, strings.Join(external, ", "))
		return
	}
	res.Status = engine.Fail
	res.Message = fmt.Sprintf("User=%s in %s does not exist (not in /etc/passwd, and nsswitch.conf's passwd line asks no other source): systemd refuses to start the service (217/USER)", user.value, user.file)
	res.Remediation = &remediate.Plan{Summary: "create the user " + user.value, Actions: []remediate.Action{
		remediate.Run("create the service's system user", "useradd", "--system", "--no-create-home", "--shell", "/sbin/nologin", user.value)}}
}

func (c *userCheck) plan(f *unit.File, user assignment) *remediate.Plan {
	ours := dropIn(c.st.name, "user")
	if f != nil {
		if later := overriddenBy(f, user.file, ours); later != "" {
			return &remediate.Plan{Summary: "run " + c.st.name + " as an unprivileged user", Actions: []remediate.Action{
				remediate.Tell(later + " sets User= after " + ours + ": change it there")}}
		}
	}
	return &remediate.Plan{
		Summary: "run " + c.st.name + " as an unprivileged user",
		Actions: []remediate.Action{remediate.Tell(
			"create a system user for the service (useradd --system --no-create-home --shell /sbin/nologin NAME), give it the files the service writes, " +
				"and set User=NAME in " + ours + " (or DynamicUser=yes when the service keeps no state outside StateDirectory=); then systemctl daemon-reload and restart the service")},
	}
}

// lookupUser is getpwnam through the files module; a missing
// /etc/passwd (err is fs.ErrNotExist) has no users.
func lookupUser(pw *facts.Passwd, name string) (facts.User, bool) {
	if pw == nil {
		return facts.User{}, false
	}
	return pw.User(name)
}

// passwdSources are the services of nsswitch.conf's passwd database, as
// the root's glibc reads it (its default when there is no file or line).
func passwdSources(h *host.Host, r facts.NSSRules) []string {
	ns, err := facts.NsswitchOf(h, r)
	if err != nil {
		ns = facts.DefaultNsswitch(r)
	}
	return ns.Database("passwd").Names()
}

func isNumeric(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}
