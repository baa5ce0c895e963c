// Package selinux checks SELinux as a RHEL-family host will run the
// service: the mode the kernel enforces now and the one the next boot
// configures (selinux/mode), and the label of each path the service needs
// (selinux/label:<path>) — the type in its real security.selinux extended
// attribute, against the profile's type or, when the profile names none,
// against what the policy's file_contexts says restorecon would set.
//
// Everything is read under the root through internal/host, including
// selinuxfs: github.com/opencontainers/selinux is used only to split
// context strings, since its mode functions look at the machine golive
// runs on. On a host whose profile says facts.mac: apparmor (Ubuntu) the
// checks skip.
//
// Profile section (see DOCS.md):
//
//	selinux:
//	  mode: enforcing
//	  paths:
//	    /opt/myapp/bin: bin_t
//	    /var/lib/myapp: var_lib_t
//	    /etc/myapp: ""            # the type the policy's file_contexts gives
package selinux

import (
	_ "embed"
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/expect"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and check category.
const kind = "selinux"

// labelXattr is the extended attribute that holds a file's SELinux context.
const labelXattr = "security.selinux"

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "SELinux: the mode and the labels of the service's paths.", profile.Named{
				"mode": profile.RuleShape("", ""),
				"paths": profile.OneOf("", "",
					profile.ListOf("Absolute paths.", "", profile.Text("An absolute path.", "")),
					profile.MapOf("Absolute path to type.", "path", "", profile.OneOf("", "", profile.Text("A type such as bin_t, or \"\" for the policy's.", ""), profile.Of(pathFields{}, "The type with its level, severity and why.")))),
			})
		},
		Checks: []engine.CheckDoc{
			{Heading: "`selinux/mode`", Example: "selinux/mode"},
			{Heading: "`selinux/label:<path>`", Example: "selinux/label:/usr/local/bin/myapp"},
		},
	})
}

type section struct {
	Mode  yaml.Node `yaml:"mode" shape:"mode" doc:"The SELinux mode the host must run in (enforcing, permissive or disabled)." example:"enforcing"`                                                                        // a rule: yaml.v3 cannot decode into *yaml.Node
	Paths yaml.Node `yaml:"paths" shape:"paths" doc:"Paths whose SELinux label is checked: a list of paths (the policy's file_contexts decides the type) or a mapping of path to type." example:"{/opt/myapp/bin: bin_t}"` // a list of paths or a mapping of path to type
}

// pathRule is one selinux.paths entry.
type pathRule struct {
	Path     string
	Type     string // "" : the policy's file_contexts decides
	Level    string
	Severity string
	Why      string
	Where    string
}

type pathFields struct {
	Type     string `yaml:"type" doc:"The SELinux type the path must have; empty: the policy's file_contexts decides." example:"bin_t"`
	Level    string `yaml:"level" doc:"The status a miss gives." default:"fail" enum:"fail,warn"`
	Severity string `yaml:"severity" doc:"The finding's severity." enum:"critical,high,medium,low,info"`
	Why      string `yaml:"why" doc:"Why the label matters."`
}

// facts is what the checks need from the profile.
type facts struct {
	mac     string // selinux | apparmor | none | "" (unknown: the generic profile)
	distro  string
	pkg     string // yum | dnf | apt | ""
	profile string
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	var s section
	if sec != nil {
		if err := p.DecodeStrict(sec, &s); err != nil {
			return nil, err
		}
	}
	f := facts{mac: macFact.Get(p), distro: p.Facts.Distro, pkg: p.Facts.PackageManager, profile: p.Name}
	st := &shared{}

	mc := &modeCheck{Base: engine.Base{M: metaMode()}, facts: f, state: st}
	if s.Mode.Kind != 0 && s.Mode.Tag != "!!null" {
		r, err := p.Rule("mode", profile.FieldNode(sec, "mode"))
		if err != nil {
			return nil, err
		}
		if err := checkModeRule(r.Expect); err != nil {
			return nil, p.Errorf(profile.FieldNode(sec, "mode"), "selinux.mode: %v", err)
		}
		mc.rule = &r
		mc.M = mc.M.WithRule(r)
	}
	checks := []engine.Check{mc}

	rules, err := parsePaths(p, sec, s.Paths)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		m := metaLabel(r.Path)
		m.Where = r.Where
		if r.Type != "" {
			m.Expected = "type " + r.Type
		}
		if r.Level != "" {
			m.Level = r.Level
		}
		if r.Severity != "" {
			m.Severity = r.Severity
		}
		if r.Why != "" {
			m.Why = r.Why
		}
		checks = append(checks, &labelCheck{Base: engine.Base{M: m}, rule: r, facts: f, state: st})
	}
	return checks, nil
}

// checkModeRule refuses expectations no mode can meet, and comparisons
// that make no sense for a word.
func checkModeRule(e expect.Expectation) error {
	switch e.Op {
	case expect.EQ, expect.NE, expect.In:
	default:
		return fmt.Errorf("%q compares numbers; use enforcing, permissive, disabled, != disabled or in [enforcing, permissive]", e.String())
	}
	for _, m := range modes {
		if ok, err := e.Eval(string(m)); err == nil && ok {
			return nil
		}
	}
	return fmt.Errorf("%q matches none of enforcing, permissive, disabled", e.String())
}

// parsePaths reads selinux.paths: a list of paths (each labelled as the
// policy says), or a mapping of path to a type, to "" (the policy's type),
// or to {type, level, severity, why}. A null value removes a path a base
// profile named, as elsewhere in profiles.
func parsePaths(p *profile.Profile, sec *yaml.Node, n yaml.Node) ([]pathRule, error) {
	if n.Kind == 0 || n.Tag == "!!null" {
		return nil, nil
	}
	node := profile.FieldNode(sec, "paths")
	var rules []pathRule
	seen := map[string]bool{}
	add := func(key *yaml.Node, r pathRule) error {
		clean, err := cleanPath(key.Value)
		if err != nil {
			return p.Errorf(key, "selinux.paths: %v", err)
		}
		if seen[clean] {
			return p.Errorf(key, "selinux.paths: %s is listed twice", clean)
		}
		seen[clean] = true
		r.Path = clean
		r.Where = p.Where(key)
		rules = append(rules, r)
		return nil
	}
	switch node.Kind {
	case yaml.SequenceNode:
		for _, item := range node.Content {
			if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
				return nil, p.Errorf(item, "selinux.paths: a list holds paths; write path: type to give a type")
			}
			if err := add(item, pathRule{}); err != nil {
				return nil, err
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(node.Content); i += 2 {
			key, val := node.Content[i], node.Content[i+1]
			r, skip, err := parsePathValue(p, key.Value, val)
			if err != nil {
				return nil, err
			}
			if skip {
				continue
			}
			if err := add(key, r); err != nil {
				return nil, err
			}
		}
	default:
		return nil, p.Errorf(node, "selinux.paths: expected a list of paths or a mapping of path to type")
	}
	return rules, nil
}

func parsePathValue(p *profile.Profile, key string, val *yaml.Node) (r pathRule, skip bool, err error) {
	switch {
	case val.Tag == "!!null":
		return r, true, nil
	case val.Kind == yaml.ScalarNode:
		r.Type = strings.TrimSpace(val.Value)
	case val.Kind == yaml.MappingNode:
		var f pathFields
		if err := p.DecodeStrict(val, &f); err != nil {
			return r, false, err
		}
		r.Type = strings.TrimSpace(f.Type)
		if f.Level != "" && f.Level != profile.LevelFail && f.Level != profile.LevelWarn {
			return r, false, p.Errorf(val, "selinux.paths: %s: level must be fail or warn, not %q", key, f.Level)
		}
		if f.Severity != "" && !validSeverity(f.Severity) {
			return r, false, p.Errorf(val, "selinux.paths: %s: severity must be one of %s, not %q", key, strings.Join(profile.Severities, ", "), f.Severity)
		}
		r.Level, r.Severity, r.Why = f.Level, f.Severity, f.Why
	default:
		return r, false, p.Errorf(val, "selinux.paths: %s: expected a type such as bin_t, \"\" (the policy's type) or a mapping with type:", key)
	}
	if r.Type != "" && !validTypeName(r.Type) {
		hint := ""
		if strings.Contains(r.Type, ":") {
			hint = " (give the type, e.g. bin_t, not a whole context)"
		}
		return r, false, p.Errorf(val, "selinux.paths: %s: %q is not an SELinux type name%s", key, r.Type, hint)
	}
	return r, false, nil
}

func validSeverity(s string) bool {
	for _, v := range profile.Severities {
		if v == s {
			return true
		}
	}
	return false
}

// cleanPath accepts an absolute path inside the root and returns it clean.
func cleanPath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("%q must be an absolute path", p)
	}
	for i := 0; i < len(p); i++ {
		if p[i] < ' ' || p[i] == 0x7f {
			return "", fmt.Errorf("%q has a control character", p)
		}
	}
	if len(p) > 4096 {
		return "", fmt.Errorf("path longer than 4096 bytes")
	}
	return path.Clean(p), nil
}

func explain(id string) (engine.Meta, bool) {
	if id == kind+"/mode" {
		return metaMode(), true
	}
	if parts, ok := engine.ParseID(id); ok && parts.Category == kind && parts.Name == "label" && parts.Target != "" {
		if clean, err := cleanPath(parts.Target); err == nil && clean == parts.Target {
			return metaLabel(parts.Target), true
		}
	}
	return engine.Meta{}, false
}

func metaMode() engine.Meta {
	return engine.Meta{
		ID: kind + "/mode", Category: kind, Title: "SELinux mode, now and after reboot",
		Expected: "the running mode and the configured mode agree (the profile names no mode)",
		Level:    profile.LevelFail, Severity: "high",
		Reads: []string{
			enforcePath + " (the running mode; no selinuxfs = disabled; a root with neither /sys/fs/selinux nor /proc/sys is an image, judged by its configuration)",
			configPath + " (SELINUX= and SELINUXTYPE=, with libselinux's parsing rules)",
			"/etc/selinux/<SELINUXTYPE>/policy/policy.NN (a policy the next boot can load)",
		},
		Why: "a service tested in permissive mode meets its denials only in production; a mode changed at runtime reverts on reboot; a host booted with SELinux disabled has unlabelled files and needs a full relabel before it can enforce; a configuration naming a policy that is not installed stops an enforcing boot",
		Fix: "set SELINUX= in /etc/selinux/config (golive remediate edits the line) and setenforce 1 for the running system; from disabled: relabel at the next boot (/.autorelabel) and reboot",
	}
}

func metaLabel(p string) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "label", p), Category: kind, Title: "SELinux label of " + p,
		Expected: "the type the policy's file_contexts gives (what restorecon sets)",
		Level:    profile.LevelFail, Severity: "high",
		Reads: []string{
			p + " (lstat, and its " + labelXattr + " extended attribute, read with lgetxattr under the root)",
			configPath + " (SELINUXTYPE=)",
			"/etc/selinux/<SELINUXTYPE>/contexts/files/file_contexts, .homedirs, .local, .subs_dist, .subs (matched as restorecon matches them)",
		},
		Why: "a confined service can only read, write or execute files whose type its policy allows: a wrong type gives AVC denials (permission denied under enforcing); a type set with chcon but not in file_contexts is reverted by the next restorecon or relabel",
		Fix: "semanage fcontext -a -t TYPE 'PATH(/.*)?' to make the rule persistent, then restorecon -Rv PATH (only restorecon when the policy already gives the type)",
	}
}
