// Package cgroup checks control groups as a Go service will meet them: which
// hierarchy the host runs (cgroup/version), which controllers it offers
// (cgroup/controllers), and the limits systemd gives the service's unit
// (cgroup/unit:<unit>/<knob>), both in the live cgroup and in the unit files.
//
// Profile section (all optional; version and controllers run without it):
//
//	cgroup:
//	  version: v2                          # default: facts.cgroup
//	  controllers: [cpu, memory, io, pids] # default: these four
//	  unit:                                # rules for service.unit's cgroup
//	    memory.max: "<= 2147483648"        # bytes, or max
//	    memory.high: {expect: "!= max", level: warn}
//	    cpu.max: ">= 1"                    # CPU cores (CPUQuota=100% is 1)
//	    pids.max: ">= 4096"
package cgroup

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/expect"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/unit"
)

// kind is the profile section and the checks' category.
const kind = "cgroup"

// defaultControllers are what a Go service's limits need: CPU quota
// (cpu.max), memory limits (memory.max/high), I/O weight and limits (io),
// and a task limit (pids).
var defaultControllers = []string{"cpu", "memory", "io", "pids"}

// v2Controllers are the controllers cgroup.controllers can list
// (Documentation/admin-guide/cgroup-v2.rst, "Controllers"). perf_event is
// enabled implicitly and never listed, so it cannot be required.
var v2Controllers = map[string]bool{
	"cpu": true, "cpuset": true, "io": true, "memory": true, "hugetlb": true,
	"pids": true, "rdma": true, "misc": true,
}

type section struct {
	Version     yaml.Node `yaml:"version" shape:"rule" doc:"The cgroup version the host must run (v1 or v2)." example:"v2"` // a rule: decoded by profile.Rule
	Controllers []string  `yaml:"controllers" doc:"Controllers that must be available." example:"[cpu, memory, io, pids]"`
	Unit        yaml.Node `yaml:"unit" shape:"knobs" doc:"Rules on service.unit's cgroup settings (MemoryMax, CPUQuota, TasksMax ...)." example:"{TasksMax: \">= 4096\"}"` // knob -> rule
}

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc, Unplanned: unplanned,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "cgroups: the version, controllers and service.unit's resource settings.", profile.Named{"rule": profile.RuleShape("", ""), "knobs": profile.Rules("", "setting", "")})
		},
		Checks: []engine.CheckDoc{
			{Heading: "`cgroup/version`", Example: "cgroup/version"},
			{Heading: "`cgroup/controllers`", Example: "cgroup/controllers"},
			{Heading: "`cgroup/unit:<unit>/<knob>`", Example: "cgroup/unit:myapp.service/memory.max"},
		},
	})
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	var s section
	if sec != nil {
		if err := p.DecodeStrict(sec, &s); err != nil {
			return nil, err
		}
	}
	distroDefault := mode(cgroupFact.Get(p))
	// hybrid is a distro default too: Ubuntu 20.04's systemd 245 was built
	// with default-hierarchy=hybrid.
	if distroDefault != "" && distroDefault != v1 && distroDefault != v2 && distroDefault != hybrid {
		return nil, fmt.Errorf("profile %s: facts.cgroup must be v1, v2 or hybrid, not %q", p.Name, distroDefault)
	}
	shared := &stateCache{distroDefault: distroDefault}

	version, err := versionRule(sec, &s, p)
	if err != nil {
		return nil, err
	}
	vm := metaVersion().WithRule(version)
	vm.Expected = wanted(version)
	checks := []engine.Check{&versionCheck{
		Base:   engine.Base{M: vm},
		rule:   version,
		family: p.Facts.Family,
		state:  shared,
	}}

	want := defaultControllers
	if n := fieldNode(sec, "controllers"); n != nil {
		if len(s.Controllers) == 0 {
			return nil, p.Errorf(n, "cgroup.controllers: list at least one controller, or remove the key")
		}
		seen := map[string]bool{}
		for i, c := range s.Controllers {
			if !v2Controllers[c] {
				return nil, p.Errorf(n.Content[i], "cgroup.controllers: %q is not a cgroup v2 controller (known: %s; on v1 hosts io is checked as blkio)", c, strings.Join(sortedKeys(v2Controllers), ", "))
			}
			if seen[c] {
				return nil, p.Errorf(n.Content[i], "cgroup.controllers: %q is listed twice", c)
			}
			seen[c] = true
		}
		want = s.Controllers
	}
	cm := metaControllers()
	cm.Expected = strings.Join(want, ", ") + " available"
	if n := fieldNode(sec, "controllers"); n != nil {
		cm.Where = p.Where(n)
	}
	checks = append(checks, &controllersCheck{Base: engine.Base{M: cm}, want: want, state: shared})

	unitChecks, err := buildUnitChecks(sec, p, shared)
	if err != nil {
		return nil, err
	}
	return append(checks, unitChecks...), nil
}

// versionRule is the profile's version rule, or one made from facts.cgroup.
func versionRule(sec *yaml.Node, s *section, p *profile.Profile) (profile.Rule, error) {
	if s.Version.Kind != 0 {
		n := fieldNode(sec, "version")
		r, err := p.Rule("version", n)
		if err != nil {
			return r, err
		}
		if err := validModes(r.Expect); err != nil {
			return r, p.Errorf(n, "cgroup.version: %v", err)
		}
		return r, nil
	}
	want, level, where := cgroupFact.Get(p), profile.LevelFail, "facts.cgroup"
	if want == "" {
		// The generic profile does not know how the distro boots: v2 is
		// what a current distro does, but not knowing is no failure.
		want, level, where = string(v2), profile.LevelWarn, "default (no facts.cgroup)"
	}
	e, err := expect.Parse(want)
	if err != nil {
		return profile.Rule{}, err
	}
	return profile.Rule{Key: "version", Expect: e, Level: level, Where: where}, nil
}

func validModes(e expect.Expectation) error {
	valid := func(v string) bool { return v == string(v1) || v == string(v2) || v == string(hybrid) }
	switch e.Op {
	case expect.EQ, expect.NE:
		if len(e.Fields) == 1 && valid(e.Fields[0]) {
			return nil
		}
	case expect.In:
		for _, alt := range e.Set {
			if len(alt) != 1 || !valid(alt[0]) {
				return fmt.Errorf("%q is not v1, v2 or hybrid", strings.Join(alt, " "))
			}
		}
		return nil
	}
	return fmt.Errorf("expected v1, v2 or hybrid (or == / != / in [...] of them), not %q", e.String())
}

// buildUnitChecks makes one check per knob rule for service.unit. Without
// a unit the rules wait for a service profile to name one.
func buildUnitChecks(sec *yaml.Node, p *profile.Profile, shared *stateCache) ([]engine.Check, error) {
	n := fieldNode(sec, "unit")
	if n == nil {
		return nil, nil
	}
	rules, err := p.Rules(n)
	if err != nil {
		return nil, err
	}
	for i, r := range rules {
		kn, ok := knobByName(r.Key)
		if !ok {
			return nil, p.Errorf(n.Content[2*i], "cgroup.unit: unknown knob %q (known: %s)", r.Key, strings.Join(knobNames(), ", "))
		}
		if _, err := compileExpect(kn, r.Expect); err != nil {
			return nil, p.Errorf(n.Content[2*i+1], "cgroup.unit.%s: %v", r.Key, err)
		}
	}
	name := unit.Normalize(p.Service.Unit)
	if name == "" {
		return nil, nil
	}
	units := &unitCache{name: name}
	var checks []engine.Check
	for _, r := range rules {
		kn, _ := knobByName(r.Key)
		want, _ := compileExpect(kn, r.Expect)
		checks = append(checks, &unitCheck{
			Base:     engine.Base{M: metaUnit(name, kn).WithRule(r)},
			unitName: name,
			knob:     kn,
			rule:     r,
			want:     want,
			binaries: p.Service.Binaries,
			state:    shared,
			units:    units,
		})
	}
	return checks, nil
}

// unplanned names cgroup.unit when no unit is named: buildUnitChecks
// read its rules, and they plan nothing.
func unplanned(s profile.Section, p *profile.Profile) []error {
	if n := fieldNode(s.Node, "unit"); n == nil || len(n.Content) == 0 || unit.Normalize(p.Service.Unit) != "" {
		return nil
	}
	return []error{p.Errorf(profile.FieldKeyNode(s.Node, "unit"), "cgroup.unit: no check plans these rules: they apply to service.unit, which is not set")}
}

// fieldNode is the value node of key in the section, or nil when absent.
func fieldNode(sec *yaml.Node, key string) *yaml.Node {
	if sec == nil {
		return nil
	}
	if n := profile.FieldNode(sec, key); n != sec {
		return n
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func explain(id string) (engine.Meta, bool) {
	switch id {
	case "cgroup/version":
		return metaVersion(), true
	case "cgroup/controllers":
		m := metaControllers()
		m.Expected = strings.Join(defaultControllers, ", ") + " available"
		return m, true
	}
	parts, ok := engine.ParseID(id)
	if !ok || parts.Category != kind || parts.Name != "unit" {
		return engine.Meta{}, false
	}
	rest := parts.Target
	i := strings.LastIndexByte(rest, '/')
	if i <= 0 {
		return engine.Meta{}, false
	}
	kn, ok := knobByName(rest[i+1:])
	if !ok {
		return engine.Meta{}, false
	}
	return metaUnit(rest[:i], kn), true
}

func metaVersion() engine.Meta {
	return engine.Meta{
		ID: "cgroup/version", Category: kind, Title: "cgroup hierarchy version",
		Level: profile.LevelFail, Severity: "medium",
		Reads: []string{
			mountInfoPath + " (what is mounted at " + root + ": cgroup2 is v2; tmpfs with a cgroup2 hierarchy at " + root + "/unified is hybrid; tmpfs with v1 hierarchies is v1); a root without it is an image",
			"/proc/filesystems and /proc/sys/kernel/osrelease (on an image: the newest /lib/modules/<release>), for whether the kernel can do v2",
			"the next boot's kernel command line: the default /boot/loader/entries entry, else GRUB_CMDLINE_LINUX(_DEFAULT) in " + grubDefault + " and grub.d/*.cfg, else on the running system /proc/cmdline (" + argUnified + ", " + argLegacy + ", " + argNoV1 + ")",
			"the profile's facts.cgroup (the distro's default) and family (rhel, debian) for the fix",
		},
		Why: "the unified hierarchy is what current systemd, container runtimes and Go expect: memory.high throttling before the OOM killer, " +
			"pressure stall information, one consistent cgroup per service; on v1 or hybrid hosts MemoryMax=/MemoryHigh= partly do not apply " +
			"(the kernel's Documentation/admin-guide/cgroup-v2.rst). A kernel without cgroup v2 (CentOS 7's 3.10) cannot be fixed by configuration: that is a warning",
		Fix: "boot with systemd.unified_cgroup_hierarchy=1: grubby --update-kernel=ALL --args=... on the RHEL family, " +
			"GRUB_CMDLINE_LINUX in /etc/default/grub and update-grub on Debian/Ubuntu; then reboot",
	}
}

func metaControllers() engine.Meta {
	return engine.Meta{
		ID: "cgroup/controllers", Category: kind, Title: "cgroup controllers available",
		Level: profile.LevelFail, Severity: "high",
		Reads: []string{
			"cgroup.controllers at the cgroup2 root (" + root + ", or " + root + "/unified on a hybrid host)",
			"the v1 hierarchies in " + mountInfoPath + " on v1 and hybrid hosts (io is checked as blkio there)",
		},
		Why: "a limit needs its controller: without memory MemoryMax= is ignored, without cpu CPUQuota= is, without pids TasksMax= is; " +
			"systemd silently runs the service unlimited",
		Fix: "a controller missing from a kernel that has it is disabled on the kernel command line (cgroup_disable=, cgroup_no_v1=) or " +
			"bound to a v1 hierarchy; otherwise the kernel lacks it and needs upgrading",
	}
}

func metaUnit(unitName string, kn knob) engine.Meta {
	return engine.Meta{
		ID:       engine.CheckID(kind, "unit", unitName+"/"+kn.Name),
		Category: kind, Title: kn.Name + " of " + unitName,
		Level: profile.LevelFail, Severity: "medium",
		Reads: []string{
			"the unit's live cgroup: " + root + "/<slice path>/" + unitName + "/" + kn.Name + " on v2 (" + kn.v1Files() + " in the v1 " + kn.Controller + " hierarchy)",
			"the unit file and drop-ins (" + kn.directives() + "), as systemd merges them",
			kn.readsMore(),
		},
		Why: kn.Why,
		Fix: "a drop-in /etc/systemd/system/" + unitName + ".d/90-golive-<Directive>.conf, systemctl daemon-reload, and " +
			"systemctl set-property --runtime to apply it to the running unit without a restart",
	}
}
