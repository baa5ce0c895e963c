// Package packages is the package family (checks/package): whether the
// packages a service needs are installed (or ones it must not have are
// absent), and whether their versions meet the profile's constraints, read
// offline from the package database under the root — dpkg's status file,
// rpm's SQLite database (RHEL 9) or its Berkeley DB Packages file (CentOS
// 7, RHEL 8) — and compared with that ecosystem's own version rules. The
// directory is checks/package; the Go package is packages because package
// is a keyword.
//
// Profile section (a mapping of package name to what it must be):
//
//	package:
//	  openssl: {version: ">= 3.0"}
//	  chrony: {}                        # installed, any version
//	  telnet: {installed: false}
//	  myapp: {version: ">= 1.4, < 2"}
//
// Check IDs: package/installed:<name> and package/version:<name>.
package packages

import (
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and the checks' category.
const kind = "package"

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.MapOf("Packages: a mapping of package name to whether it must be installed and which versions it may have, read from the root's dpkg or rpm database.",
				"package name", `openssl: {version: ">= 3.0"}`, profile.Of(entry{}, "What the package must be; every field is optional ({} means installed, any version)."))
		},
		Checks: []engine.CheckDoc{
			{Heading: "`package/installed:<name>`", Example: "package/installed:openssl"},
			{Heading: "`package/version:<name>`", Example: "package/version:openssl"},
		},
	})
}

// entry is what one package must be.
type entry struct {
	Installed *bool  `yaml:"installed" doc:"Whether the package must be installed. false allows no version." default:"true"`
	Version   string `yaml:"version" doc:"Version constraints, comma-separated, all of which one installed version must meet: \">= 3.0\", \">= 1.1, < 2\", \"== 1:2.4.6-1.el9\" or a bare version (==); operators >=, >, <=, <, ==, !=. A constraint compares the parts it writes: without an epoch the installed epoch is left out, without a release (rpm) or revision (dpkg) the installed one is; the rest by the database's rules (dpkg --compare-versions, rpm's rpmvercmp)." example:"\">= 3.0, < 4\""`
	Level     string `yaml:"level" doc:"The status a miss gives." default:"fail" enum:"fail,warn"`
	Severity  string `yaml:"severity" doc:"The findings' severity." default:"medium" enum:"critical,high,medium,low,info"`
	Why       string `yaml:"why" doc:"Why the package matters."`
}

// spec is one package's entry, parsed.
type spec struct {
	name      string
	installed bool
	version   constraint // empty: any version
	level     string
	severity  string
	why       string
	where     string
	manager   string // the profile's package_manager fact: apt, dnf, yum or ""
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	if sec == nil || sec.Tag == "!!null" {
		return nil, nil
	}
	if sec.Kind != yaml.MappingNode {
		return nil, p.Errorf(sec, "package: expected a mapping of package names to what each must be, such as openssl: {version: \">= 3.0\"}")
	}
	var checks []engine.Check
	seen := map[string]bool{}
	for i := 0; i+1 < len(sec.Content); i += 2 {
		key, val := sec.Content[i], sec.Content[i+1]
		if val.Tag == "!!null" {
			continue // a null removes a package a base profile named
		}
		s, err := parseEntry(p, key, val)
		if err != nil {
			return nil, err
		}
		if seen[s.name] {
			return nil, p.Errorf(key, "package: %s is named twice", s.name)
		}
		seen[s.name] = true
		s.manager = p.Facts.PackageManager
		checks = append(checks, s.checks()...)
	}
	return checks, nil
}

// parseEntry decodes and validates one package's entry.
func parseEntry(p *profile.Profile, key, val *yaml.Node) (*spec, error) {
	if err := validName(key.Value); err != nil {
		return nil, p.Errorf(key, "package: %v", err)
	}
	name := key.Value
	if val.Kind != yaml.MappingNode {
		return nil, p.Errorf(val, "package.%s: expected a mapping such as {version: \">= 3.0\"} or {installed: false}", name)
	}
	var e entry
	if err := p.DecodeStrict(val, &e); err != nil {
		return nil, err
	}
	bad := func(field, format string, args ...any) error {
		return p.Errorf(profile.FieldNode(val, field), "package.%s.%s: %s", name, field, fmt.Sprintf(format, args...))
	}
	s := &spec{name: name, installed: e.Installed == nil || *e.Installed,
		level: e.Level, severity: e.Severity, why: e.Why, where: p.Where(key)}
	if e.Version != "" {
		if !s.installed {
			return nil, bad("version", "installed: false allows no version")
		}
		c, err := parseConstraint(e.Version)
		if err != nil {
			return nil, bad("version", "%v", err)
		}
		s.version = c
	}
	if e.Level != "" && e.Level != profile.LevelFail && e.Level != profile.LevelWarn {
		return nil, bad("level", "%q is not fail or warn", e.Level)
	}
	switch e.Severity {
	case "", "critical", "high", "medium", "low", "info":
	default:
		return nil, bad("severity", "%q is not one of critical, high, medium, low, info", e.Severity)
	}
	return s, nil
}

// validName accepts what dpkg and rpm take as a package name: letters,
// digits and . _ + ~ -, starting with a letter or digit (a leading '-'
// would be an option to apt-get or dnf).
func validName(n string) error {
	if n == "" || len(n) > 256 {
		return fmt.Errorf("%q is not a package name", n)
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if i == 0 && !alnum || !alnum && c != '.' && c != '_' && c != '+' && c != '~' && c != '-' {
			return fmt.Errorf("%q is not a package name (letters, digits and . _ + ~ -, starting with a letter or digit)", n)
		}
	}
	return nil
}
