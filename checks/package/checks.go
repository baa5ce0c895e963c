package packages

import (
	"context"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// check is one aspect of one package.
type check struct {
	engine.Base
	spec   *spec
	aspect string
}

func (c *check) Run(_ context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"package": c.spec.name}}
	db := readDatabase(h)
	switch {
	case db.none:
		res.Status = engine.Skip
		res.Message = "no package database under the root (no /var/lib/dpkg/status, rpmdb.sqlite or rpm Packages file)"
		return res
	case db.err != nil:
		res.Details["database"], res.Details["path"] = db.fmt.name, db.path
		if h.NeedsRoot(db.err) {
			return engine.SkipNeedsRoot(res, db.err)
		}
		res.Status, res.Message = engine.Error, "cannot read the "+db.fmt.name+": "+db.err.Error()
		return res
	}
	res.Details["database"], res.Details["path"] = db.fmt.name, db.path
	var installed, known []instance
	for _, in := range db.byName[c.spec.name] {
		if in.installed {
			installed = append(installed, in)
		} else {
			known = append(known, in)
		}
	}
	var versions []string
	for _, in := range installed {
		versions = append(versions, in.version)
	}
	res.Details["installed"] = len(installed) > 0
	if len(installed) > 0 {
		res.Details["versions"] = versions
	}
	if c.aspect == aspInstalled {
		res = c.judgeInstalled(res, db, installed, known)
	} else {
		res = c.judgeVersion(res, db, installed)
	}
	if db.note != "" {
		res.Message += " (" + db.note + ")"
	}
	return res
}

// seen describes the installed instances: "3.0.7-27.el9 (x86_64)".
func seen(ins []instance) string {
	parts := make([]string, len(ins))
	for i, in := range ins {
		parts[i] = in.version
		if in.arch != "" {
			parts[i] += " (" + in.arch + ")"
		}
	}
	return strings.Join(parts, ", ")
}

func (c *check) judgeInstalled(res engine.Result, db *database, installed, known []instance) engine.Result {
	name, from := c.spec.name, " (read from "+db.describe()+")"
	if len(installed) > 0 {
		res.Observed = "installed " + seen(installed)
		if c.spec.installed {
			res.Status, res.Message = engine.Pass, name+" "+seen(installed)+" is installed"+from
			return res
		}
		res.Status = engine.MissStatus(c.M.Level)
		res.Message = name + " " + seen(installed) + " is installed and must not be" + from
		res.Remediation = c.plan("remove "+name, remediate.RemovePackage(c.manager(db), name))
		return res
	}
	res.Observed = "absent"
	state := ""
	if len(known) > 0 && known[0].state != "" {
		state = " (dpkg state: " + known[0].state + ")"
		res.Details["state"] = known[0].state
		res.Observed = "not installed: " + known[0].state
	}
	if !c.spec.installed {
		res.Status, res.Message = engine.Pass, name+" is not installed"+state+from
		return res
	}
	res.Status = engine.MissStatus(c.M.Level)
	res.Message = name + " is not installed" + state + from
	version, _ := c.spec.version.exact()
	res.Remediation = c.plan("install "+name, remediate.InstallPackage(c.manager(db), name, version))
	return res
}

func (c *check) judgeVersion(res engine.Result, db *database, installed []instance) engine.Result {
	name, from := c.spec.name, " (read from "+db.describe()+")"
	if len(installed) == 0 {
		res.Status, res.Observed = engine.Skip, "absent"
		res.Message = name + " is not installed" + from + "; " + engine.CheckID(kind, aspInstalled, name) + " reports it"
		return res
	}
	res.Observed = seen(installed)
	for _, in := range installed {
		if c.spec.version.met(db.fmt.eco, in.version) {
			res.Status = engine.Pass
			res.Message = name + " " + in.version + " meets " + c.spec.version.String() + " by " + string(db.fmt.eco) + "'s version rules" + from
			return res
		}
	}
	res.Status = engine.MissStatus(c.M.Level)
	res.Message = name + " " + seen(installed) + " does not meet " + c.spec.version.String() + " by " + string(db.fmt.eco) + "'s version rules" + from
	if v, ok := c.spec.version.exact(); ok {
		res.Remediation = c.plan("install "+name+" "+v, remediate.InstallPackage(c.manager(db), name, v))
	} else {
		text := "install a version of " + name + " that meets " + c.spec.version.String() + ": a range names no single version, so pick one the repositories have (" + listCommand(c.manager(db), name) + ")"
		res.Remediation = &remediate.Plan{Summary: text, Actions: []remediate.Action{remediate.Tell(text)}}
	}
	return res
}

func (c *check) plan(summary string, a remediate.Action) *remediate.Plan {
	return &remediate.Plan{Summary: summary + " (" + a.Manager + ")", Actions: []remediate.Action{a}}
}

// manager is the package manager a fix runs: the profile's when it
// belongs to the database's ecosystem, else the ecosystem's usual one
// (dnf for SQLite rpm databases, yum for Berkeley DB ones).
func (c *check) manager(db *database) string {
	m := c.spec.manager
	switch {
	case db.fmt.eco == dpkg:
		return "apt"
	case m == "dnf" || m == "yum":
		return m
	case db.fmt == rpmBDB:
		return "yum"
	}
	return "dnf"
}

// listCommand shows the versions a repository offers.
func listCommand(manager, name string) string {
	if manager == "apt" {
		return "apt-cache policy " + name
	}
	return manager + " --showduplicates list " + name
}
