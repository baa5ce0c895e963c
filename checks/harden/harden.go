// Package harden is the hardening family (checks/harden): kernel lockdown
// (harden/lockdown), auditd rules watching the service's binaries and the
// paths the profile names (harden/audit:<path>), and where core dumps go
// (harden/coredump). Every check runs only when the profile's harden
// section asks for it; the built-in distro profiles say which.
//
// Profile section:
//
//	harden:
//	  lockdown: integrity            # minimum: none | integrity | confidentiality
//	  audit:
//	    enabled: true                # harden/audit for service.binaries (or the unit's ExecStart)
//	    paths: {/etc/myapp: wa}      # and these paths, with the access types to record
//	    level: warn                  # a missing watch warns (default) or fails
//	  coredump: required             # required | forbidden | any
//	  coredump_level: fail           # what a miss gives: warn | fail
package harden

import (
	_ "embed"
	"fmt"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and the checks' category.
const kind = "harden"

type section struct {
	Lockdown      string        `yaml:"lockdown" doc:"The least kernel lockdown mode (harden/lockdown runs only with it): the running kernel's and the next boot's lockdown= must be at least this." enum:"none,integrity,confidentiality"`
	Audit         *auditSection `yaml:"audit" doc:"auditd rules: harden/audit:<path> for each service binary and each path named here."`
	CoredumpLevel string        `yaml:"coredump_level" doc:"What a core kept nowhere (required) or unbounded gives." default:"fail" enum:"warn,fail"`
	Coredump      string        `yaml:"coredump" doc:"Where a crash's core dump must go (harden/coredump runs only with it): required (kept somewhere bounded), forbidden (kept nowhere), any (reported; only an unbounded place warns)." enum:"required,forbidden,any"`
}

type auditSection struct {
	Enabled *bool             `yaml:"enabled" doc:"Check that auditd records each execution of service.binaries (or, without them, of service.unit's ExecStart= binary)." default:"false"`
	Paths   map[string]string `yaml:"paths" doc:"More absolute paths auditd must watch, each with the access types to record (r, w, x, a, as auditctl -p takes them)." example:"{/etc/myapp: wa}"`
	Level   string            `yaml:"level" doc:"What a missing watch gives." default:"warn" enum:"warn,fail"`
}

// The lockdown modes, weakest first (security/lockdown/lockdown.c).
var lockdownModes = []string{"none", "integrity", "confidentiality"}

func lockdownRank(mode string) int {
	for i, m := range lockdownModes {
		if m == mode {
			return i
		}
	}
	return -1
}

// auditTarget is one harden/audit check: a path and the access types
// auditd must record for it, or the service unit whose ExecStart= binary
// is found at run time.
type auditTarget struct {
	path, perms, unit string
	level             string
}

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "Hardening: kernel lockdown, auditd watches, core dumps.", nil)
		},
		Checks: []engine.CheckDoc{
			{Heading: "`harden/lockdown`", Example: "harden/lockdown"},
			{Heading: "`harden/audit:<path>`", Example: "harden/audit:/opt/myapp/bin/myapp"},
			{Heading: "`harden/coredump`", Example: "harden/coredump"},
		},
	})
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	if sec == nil {
		return nil, nil
	}
	var s section
	if err := p.DecodeStrict(sec, &s); err != nil {
		return nil, err
	}
	var checks []engine.Check
	if s.Lockdown != "" {
		if lockdownRank(s.Lockdown) < 0 {
			return nil, p.Errorf(profile.FieldNode(sec, "lockdown"), "harden.lockdown: %q is not none, integrity or confidentiality", s.Lockdown)
		}
		checks = append(checks, &lockdownCheck{Base: engine.Base{M: metaLockdown(s.Lockdown)}, want: s.Lockdown})
	}
	if s.Audit != nil {
		targets, err := auditTargets(s.Audit, p, profile.FieldNode(sec, "audit"))
		if err != nil {
			return nil, err
		}
		for _, t := range targets {
			checks = append(checks, &auditCheck{Base: engine.Base{M: metaAudit(t)}, t: t})
		}
	}
	if s.Coredump != "" {
		switch s.Coredump {
		case "required", "forbidden", "any":
		default:
			return nil, p.Errorf(profile.FieldNode(sec, "coredump"), "harden.coredump: %q is not required, forbidden or any", s.Coredump)
		}
		level := profile.LevelFail
		if s.CoredumpLevel != "" {
			if s.CoredumpLevel != profile.LevelWarn && s.CoredumpLevel != profile.LevelFail {
				return nil, p.Errorf(profile.FieldNode(sec, "coredump_level"), "harden.coredump_level: %q is not warn or fail", s.CoredumpLevel)
			}
			level = s.CoredumpLevel
		}
		checks = append(checks, &coredumpCheck{Base: engine.Base{M: metaCoredump(s.Coredump, level)}, want: s.Coredump, unit: p.Service.Unit,
			level: level, defaultLimit: coreLimitFact.Get(p)})
	}
	return checks, nil
}

// auditTargets are the service's binaries with "x" and the section's
// paths with their access types, in that order, each once.
func auditTargets(a *auditSection, p *profile.Profile, sec *yaml.Node) ([]auditTarget, error) {
	level := profile.LevelWarn
	if a.Level != "" {
		if a.Level != profile.LevelWarn && a.Level != profile.LevelFail {
			return nil, p.Errorf(profile.FieldNode(sec, "level"), "harden.audit.level: %q is not warn or fail", a.Level)
		}
		level = a.Level
	}
	var out []auditTarget
	byPath := map[string]int{}
	add := func(t auditTarget) {
		if i, ok := byPath[t.path]; ok && t.path != "" {
			out[i].perms += missing(t.perms, out[i].perms)
			out[i].perms = ordered(out[i].perms)
			return
		}
		byPath[t.path] = len(out)
		out = append(out, t)
	}
	if a.Enabled != nil && *a.Enabled {
		for _, b := range p.Service.Binaries {
			add(auditTarget{path: path.Clean(b), perms: "x", level: level})
		}
		if len(p.Service.Binaries) == 0 && p.Service.Unit != "" {
			add(auditTarget{unit: p.Service.Unit, perms: "x", level: level})
		}
	}
	keys := make([]string, 0, len(a.Paths))
	for k := range a.Paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		n := profile.FieldNode(profile.FieldNode(sec, "paths"), k)
		perms := a.Paths[k]
		if !strings.HasPrefix(k, "/") || strings.ContainsAny(k, " \t\n\x00") {
			return nil, p.Errorf(n, "harden.audit.paths: %q is not an absolute path", k)
		}
		if perms == "" || strings.Trim(perms, allPerms) != "" || len(perms) > 4 {
			return nil, p.Errorf(n, "harden.audit.paths.%s: %q is not a set of r, w, x, a", k, perms)
		}
		add(auditTarget{path: path.Clean(k), perms: ordered(perms), level: level})
	}
	return out, nil
}

// ordered writes a set of access types in rwxa order, each once.
func ordered(perms string) string {
	var out string
	for _, b := range []byte(allPerms) {
		if strings.IndexByte(perms, b) >= 0 {
			out += string(b)
		}
	}
	return out
}

// target is the check ID's target: the path, or the unit.
func (t auditTarget) target() string {
	if t.path != "" {
		return t.path
	}
	return t.unit
}

func (t auditTarget) String() string { return fmt.Sprintf("%s (%s)", t.target(), t.perms) }
