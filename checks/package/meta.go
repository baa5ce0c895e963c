package packages

import (
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// The two checks of a package: package/<aspect>:<name>.
const (
	aspInstalled = "installed"
	aspVersion   = "version"
)

// databases lists what is read, for Reads.
const databases = "the package database under the root, the first found of /var/lib/dpkg/status (dpkg), " +
	"/var/lib/rpm/rpmdb.sqlite or /usr/lib/sysimage/rpm/rpmdb.sqlite (rpm ≥ 4.16, SQLite), " +
	"/var/lib/rpm/Packages or /usr/lib/sysimage/rpm/Packages (rpm ≤ 4.14, Berkeley DB hash), " +
	"os-release deciding when several are present"

func explain(id string) (engine.Meta, bool) {
	parts, ok := engine.ParseID(id)
	if !ok || parts.Category != kind || validName(parts.Target) != nil {
		return engine.Meta{}, false
	}
	switch parts.Name {
	case aspInstalled, aspVersion:
		return meta(parts.Name, parts.Target, "<package."+parts.Target+">"), true
	}
	return engine.Meta{}, false
}

// meta describes the aspect check of package name expecting want.
func meta(aspect, name, want string) engine.Meta {
	m := engine.Meta{
		ID: engine.CheckID(kind, aspect, name), Category: kind, Expected: want,
		Level: profile.LevelFail, Severity: "medium", Reads: []string{databases},
	}
	switch aspect {
	case aspInstalled:
		m.Title = "package " + name + " is installed"
		if want == "absent" {
			m.Title = "package " + name + " is not installed"
		}
		m.Why = "the service needs the package's programs or libraries at run time; a package that must be gone (telnet, a debug build) is an attack surface or a conflict"
		m.Fix = "apt-get install / dnf install / yum install the package, or remove it (golive remediate renders the command for the distro's package manager)"
	case aspVersion:
		m.Title = "version of package " + name
		m.Why = "a library older than the service was built and tested against misses fixes or symbols it needs; one newer than it supports can break it"
		m.Fix = "install the version the constraint names (apt-get install NAME=VERSION, dnf install NAME-VERSION); a range is a manual choice of version"
	}
	return m
}

// expected words the aspect's expectation for a report.
func (s *spec) expected(aspect string) string {
	if aspect == aspVersion {
		return s.version.String()
	}
	if s.installed {
		return "installed"
	}
	return "absent"
}

// checks are the spec's checks: installed always, version when the
// profile constrains it.
func (s *spec) checks() []engine.Check {
	aspects := []string{aspInstalled}
	if len(s.version) > 0 {
		aspects = append(aspects, aspVersion)
	}
	var out []engine.Check
	for _, a := range aspects {
		m := meta(a, s.name, s.expected(a))
		m.Where = s.where
		if s.level != "" {
			m.Level = s.level
		}
		if s.severity != "" {
			m.Severity = s.severity
		}
		if s.why != "" {
			m.Why = s.why
		}
		out = append(out, &check{Base: engine.Base{M: m}, spec: s, aspect: a})
	}
	return out
}
