// Package kmod is the kernel-module family (checks/kmod): whether a module
// is in the running kernel now (kmod/loaded:<name>) and whether the next
// boot loads it (kmod/boot:<name>), as systemd-modules-load would.
//
// Profile section (a mapping of module name to what must hold):
//
//	kmod:
//	  br_netfilter: {loaded: true, at_boot: true}
//	  overlay: {}                  # loaded now and at boot
//	  cramfs: {loaded: false}      # not loaded, and not loaded at boot
//
// Names with "-" and "_" are the same module, as modprobe treats them.
package kmod

import (
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and the checks' category.
const kind = "kmod"

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.MapOf("Kernel modules: a mapping of module name to whether it must be loaded now and at the next boot.",
				"module name", "br_netfilter: {loaded: true, at_boot: true}", profile.Of(entry{}, "What must hold for the module; every field is optional."))
		},
		Checks: []engine.CheckDoc{
			{Heading: "`kmod/loaded:<name>`", Example: "kmod/loaded:br_netfilter"},
			{Heading: "`kmod/boot:<name>`", Example: "kmod/boot:br_netfilter"},
		},
	})
}

// entry is what one module must be.
type entry struct {
	Loaded   *bool  `yaml:"loaded" doc:"Whether the module must be in the running kernel (loaded, or built in)." default:"true"`
	AtBoot   *bool  `yaml:"at_boot" doc:"Whether the next boot must load it: named in modules-load.d (or modules_load= on the kernel command line) and not stopped by a modprobe.d blacklist or an install /bin/true or /bin/false line. Defaults to loaded."`
	Level    string `yaml:"level" doc:"The status a miss gives." default:"fail" enum:"fail,warn"`
	Severity string `yaml:"severity" doc:"The findings' severity." default:"medium" enum:"critical,high,medium,low,info"`
	Why      string `yaml:"why" doc:"Why the module matters."`
}

// spec is one module's entry, parsed.
type spec struct {
	name     string // as the profile names it (the check IDs' target)
	norm     string // with "_" for "-"
	loaded   bool
	atBoot   bool
	level    string
	severity string
	why      string
	where    string
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	if sec == nil || sec.Tag == "!!null" {
		return nil, nil
	}
	if sec.Kind != yaml.MappingNode {
		return nil, p.Errorf(sec, "kmod: expected a mapping of module names to what each must be")
	}
	var checks []engine.Check
	seen := map[string]string{}
	for i := 0; i+1 < len(sec.Content); i += 2 {
		key, val := sec.Content[i], sec.Content[i+1]
		if val.Tag == "!!null" {
			continue // a null removes a module a base profile named
		}
		s, err := parseEntry(p, key, val)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[s.norm]; dup {
			return nil, p.Errorf(key, "kmod: %s is named twice (as %s too: - and _ are the same in module names)", s.name, prev)
		}
		seen[s.norm] = s.name
		checks = append(checks,
			&loadedCheck{Base: engine.Base{M: s.meta(aspLoaded)}, spec: s},
			&bootCheck{Base: engine.Base{M: s.meta(aspBoot)}, spec: s})
	}
	return checks, nil
}

func parseEntry(p *profile.Profile, key, val *yaml.Node) (*spec, error) {
	if !validName(key.Value) {
		return nil, p.Errorf(key, "kmod: %q is not a module name (letters, digits, _ and -, at most %d bytes)", key.Value, maxModuleName)
	}
	var e entry
	if val.Kind != yaml.MappingNode {
		return nil, p.Errorf(val, "kmod.%s: expected a mapping such as {loaded: true, at_boot: true}", key.Value)
	}
	if err := p.DecodeStrict(val, &e); err != nil {
		return nil, err
	}
	field := func(name string) *yaml.Node { return profile.FieldNode(val, name) }
	s := &spec{name: key.Value, norm: Normalize(key.Value), loaded: e.Loaded == nil || *e.Loaded,
		level: e.Level, severity: e.Severity, why: e.Why, where: p.Where(key)}
	s.atBoot = s.loaded
	if e.AtBoot != nil {
		s.atBoot = *e.AtBoot
	}
	if e.Level != "" && e.Level != profile.LevelFail && e.Level != profile.LevelWarn {
		return nil, p.Errorf(field("level"), "kmod.%s.level: %q is not fail or warn", s.name, e.Level)
	}
	switch e.Severity {
	case "", "critical", "high", "medium", "low", "info":
	default:
		return nil, p.Errorf(field("severity"), "kmod.%s.severity: %q is not one of critical, high, medium, low, info", s.name, e.Severity)
	}
	return s, nil
}

// meta is the check's Meta with the entry's level, severity and why.
func (s *spec) meta(a aspect) engine.Meta {
	want := s.loaded
	if a == aspBoot {
		want = s.atBoot
	}
	m := meta(a, s.name, want)
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
	return m
}

// dropInPath is the modules-load.d file golive's fix writes.
func dropInPath(name string) string { return fmt.Sprintf("/etc/modules-load.d/golive-%s.conf", name) }
