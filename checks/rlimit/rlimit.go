// Package rlimit checks resource limits as the service will really get them
// — not golive's own: the Go runtime raises its soft NOFILE limit at start,
// so getrlimit inside golive answers nothing about the service.
//
//   - rlimit/unit:<unit>/<res>: what systemd gives the service's unit, from
//     Limit*= in the unit and its drop-ins, DefaultLimit*= in system.conf
//     and system.conf.d, or systemd's own default; on a running systemd,
//     also what it has loaded and what the running process has.
//   - rlimit/login:<user>/<res>: what pam_limits gives a login or ssh
//     session of the service user, from limits.conf and limits.d.
//   - rlimit/process:<name|pid>/<res>: a running process, from
//     /proc/<pid>/limits (live only).
//
// Profile section (see DOCS.md):
//
//	rlimits:
//	  go_service: true                       # nofile is judged by the hard limit
//	  systemd: {version: 252, defaults: {nofile: "1024:524288", core: "0:infinity"}}
//	  unit: {nofile: ">= 1048576"}           # for service.unit
//	  login: {nofile: ">= 65536", nproc: ">= 16384"}   # for service.user
//	  process: {myapp: {nofile: ">= 1048576"}}         # live only
package rlimit

import (
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/unit"
)

// Kind is the profile section; Category the check category.
const (
	kind     = "rlimits"
	category = "rlimit"
)

type section struct {
	GoService *bool           `yaml:"go_service" doc:"The service is a Go program: nofile is judged by the hard limit, which the Go runtime raises the soft limit to." default:"true"`
	Systemd   *systemdSection `yaml:"systemd" doc:"What the distro's systemd gives a unit (built-in profiles set it)."`
	Pam       *pamSection     `yaml:"pam" doc:"The distro's pam_limits (built-in profiles set it)."`
	Unit      yaml.Node       `yaml:"unit" shape:"limits" doc:"Limits service.unit must get from systemd." example:"{nofile: \">= 1048576\"}"`
	Login     yaml.Node       `yaml:"login" shape:"limits" doc:"Limits a login or ssh session of service.user must get from pam_limits." example:"{nofile: \">= 65536\"}"`
	Process   yaml.Node       `yaml:"process" shape:"process" doc:"Limits a running process (by name or pid) must have; live hosts only." example:"{myapp: {nofile: \">= 1048576\"}}"`
}

type systemdSection struct {
	Version  int               `yaml:"version" doc:"The systemd release (0: unknown, assumed recent)." example:"252"`
	Defaults map[string]string `yaml:"defaults" doc:"What a unit gets with no Limit*=: resource to soft:hard." example:"{nofile: \"1024:524288\"}"`
}

// pamSection is what the profile says about the distro's pam_limits.
type pamSection struct {
	Version string `yaml:"version" doc:"The Linux-PAM release." example:"1.5.2"`                                                                              // Linux-PAM release: 1.5.2
	Flavor  string `yaml:"flavor" doc:"Which pam_limits: debian's patched one or upstream's (default: debian for the debian family)." enum:"debian,upstream"` // debian or upstream (default: debian for the debian family)
}

// systemdInfo is what the profile says about the distro's systemd.
type systemdInfo struct {
	// Version is the systemd release (0: unknown, assumed recent). Before
	// 229 a Limit*= value is one integer or infinity.
	Version int
	// Defaults are what a unit gets with no Limit*= and no DefaultLimit*=:
	// what systemd sets (1024:524288 for nofile since 240) or inherits
	// from the kernel (1024:4096 with systemd 219).
	Defaults map[string]Limit
}

// settings are the section's options shared by every check.
type settings struct {
	goService bool
	sd        systemdInfo
	// pam is the distro's build of pam_limits.
	pam pamFlavor
	// nrOpenDefault is the profile's boot value of fs.nr_open, for images.
	nrOpenDefault string
}

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc, Unplanned: unplanned,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "Resource limits as the service really gets them. The section is rlimits (plural); the checks' category and IDs are rlimit/... (singular): --only rlimit, waivers: [{check: rlimit/...}].", profile.Named{
				"limits":  profile.Rules("", "resource", ""),
				"process": profile.MapOf("", "process name or pid", "", profile.Rules("", "resource", "")),
			})
		},
		Checks: []engine.CheckDoc{
			{Heading: "How systemd's limit is resolved (`rlimit/unit`)", Example: "rlimit/unit:myapp.service/nofile"},
			{Heading: "How pam_limits' limit is resolved (`rlimit/login`)", Example: "rlimit/login:myapp/nofile"},
			{Heading: "`rlimit/process:<name|pid>/<res>`", Example: "rlimit/process:myapp/nofile"},
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
	set := settings{goService: true, nrOpenDefault: sysctlDefaultsFact.Get(p)["fs.nr_open"]}
	if s.GoService != nil {
		set.goService = *s.GoService
	}
	sd, err := parseSystemdSection(p, sec, s.Systemd)
	if err != nil {
		return nil, err
	}
	set.sd = sd
	if set.pam, err = parsePamSection(p, sec, s.Pam); err != nil {
		return nil, err
	}
	st := &shared{set: set}

	var checks []engine.Check
	// The unit's and the login's rules are read whether or not the service
	// names a unit and a user: a typo is reported now, not on the day the
	// rules start to plan checks.
	if n := field(sec, "unit"); n != nil {
		rules, err := limitRules(p, n, "rlimits.unit")
		if err != nil {
			return nil, err
		}
		if name := serviceUnit(p); name != "" {
			st.unitRules = rules
			for _, r := range rules {
				res, _ := lookupResource(r.Key)
				checks = append(checks, &unitCheck{Base: engine.Base{M: metaUnit(name, res, set).WithRule(r)}, unit: name, res: res, rule: r, st: st})
			}
		}
	}
	if n := field(sec, "login"); n != nil {
		rules, err := limitRules(p, n, "rlimits.login")
		if err != nil {
			return nil, err
		}
		if user := serviceUser(p); user != "" {
			st.loginRules = rules
			for _, r := range rules {
				res, _ := lookupResource(r.Key)
				checks = append(checks, &loginCheck{Base: engine.Base{M: metaLogin(user, res, set).WithRule(r)}, user: user, res: res, rule: r, st: st})
			}
		}
	}
	if n := field(sec, "process"); n != nil {
		if n.Kind != yaml.MappingNode {
			return nil, p.Errorf(n, "rlimits.process: expected a mapping of process names (or pids) to limits")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			name := strings.TrimSpace(n.Content[i].Value)
			if err := validProcessName(name); err != nil {
				return nil, p.Errorf(n.Content[i], "rlimits.process: %v", err)
			}
			rules, err := limitRules(p, n.Content[i+1], "rlimits.process."+name)
			if err != nil {
				return nil, err
			}
			for _, r := range rules {
				res, _ := lookupResource(r.Key)
				checks = append(checks, &processCheck{Base: engine.Base{M: metaProcess(name, res).WithRule(r)}, name: name, res: res, rule: r, st: st})
			}
		}
	}
	return checks, nil
}

// serviceUnit is the unit rlimits.unit applies to, "" when the profile
// names none.
func serviceUnit(p *profile.Profile) string {
	if strings.TrimSpace(p.Service.Unit) == "" {
		return ""
	}
	return unit.Normalize(p.Service.Unit)
}

// serviceUser is the user rlimits.login applies to, "" when none.
func serviceUser(p *profile.Profile) string { return strings.TrimSpace(p.Service.User) }

// unplanned names rlimits.unit and rlimits.login when the service they
// apply to is not set: build read them, and they plan nothing.
func unplanned(s profile.Section, p *profile.Profile) []error {
	var out []error
	for _, part := range []struct{ key, service, value string }{
		{"unit", "service.unit", serviceUnit(p)},
		{"login", "service.user", serviceUser(p)},
	} {
		if field(s.Node, part.key) == nil || part.value != "" {
			continue
		}
		out = append(out, p.Errorf(profile.FieldKeyNode(s.Node, part.key), "rlimits.%s: no check plans these limits: they apply to %s, which is not set", part.key, part.service))
	}
	return out
}

// field returns the node under key, or nil when the section lacks it or
// it is empty (a key whose entries are all commented out).
func field(sec *yaml.Node, key string) *yaml.Node {
	if sec == nil {
		return nil
	}
	n := profile.FieldNode(sec, key)
	if n == sec || n.Tag == "!!null" {
		return nil
	}
	return n
}

// limitRules parses a mapping of resource names to expectations.
func limitRules(p *profile.Profile, n *yaml.Node, where string) ([]profile.Rule, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.Errorf(n, "%s: expected a mapping of limits (%s) to expectations", where, resourceNames())
	}
	rules, err := p.Rules(n)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, r := range rules {
		res, ok := lookupResource(r.Key)
		if !ok {
			return nil, p.Errorf(n.Content[2*i], "%s: unknown limit %q (known: %s)", where, r.Key, resourceNames())
		}
		if seen[res.name] {
			return nil, p.Errorf(n.Content[2*i], "%s: %s is listed twice", where, res.name)
		}
		seen[res.name] = true
		if err := validExpectation(r.Expect); err != nil {
			return nil, p.Errorf(n.Content[2*i+1], "%s.%s: %v", where, r.Key, err)
		}
		rules[i].Key = res.name
	}
	return rules, nil
}

func parseSystemdSection(p *profile.Profile, sec *yaml.Node, s *systemdSection) (systemdInfo, error) {
	info := systemdInfo{Defaults: map[string]Limit{}}
	if s == nil {
		return info, nil
	}
	sn := profile.FieldNode(sec, "systemd")
	if s.Version < 0 || s.Version > 10000 {
		return info, p.Errorf(profile.FieldNode(sn, "version"), "rlimits.systemd.version: %d is not a systemd release", s.Version)
	}
	info.Version = s.Version
	dn := profile.FieldNode(sn, "defaults")
	keys := make([]string, 0, len(s.Defaults))
	for k := range s.Defaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r, ok := lookupResource(k)
		if !ok {
			return info, p.Errorf(dn, "rlimits.systemd.defaults: unknown limit %q (known: %s)", k, resourceNames())
		}
		l, err := parseSystemdLimit(r, s.Defaults[k], 0)
		if err != nil {
			return info, p.Errorf(profile.FieldNode(dn, k), "rlimits.systemd.defaults.%s: %v (write soft:hard, one value, or infinity)", k, err)
		}
		info.Defaults[r.name] = l
	}
	return info, nil
}

// parsePamSection reads rlimits.pam; without it the flavor follows the
// distro family (Debian's patches on the debian family).
func parsePamSection(p *profile.Profile, sec *yaml.Node, s *pamSection) (pamFlavor, error) {
	f := pamFlavor{Debian: p.Facts.Family == "debian", FromOSRelease: p.Facts.Family == ""}
	if s == nil {
		return f, nil
	}
	pn := profile.FieldNode(sec, "pam")
	if s.Version != "" {
		v, err := parsePamVersion(s.Version)
		if err != nil {
			return f, p.Errorf(profile.FieldNode(pn, "version"), "rlimits.pam.version: %v", err)
		}
		f.Version = v
	}
	switch s.Flavor {
	case "":
	case "debian":
		f.Debian, f.FromOSRelease = true, false
	case "upstream":
		f.Debian, f.FromOSRelease = false, false
	default:
		return f, p.Errorf(profile.FieldNode(pn, "flavor"), "rlimits.pam.flavor: %q is not debian or upstream", s.Flavor)
	}
	return f, nil
}

// validProcessName accepts a pid or a process name as /proc/<pid>/comm or
// argv[0] gives it.
func validProcessName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty process name")
	case len(name) > 255:
		return fmt.Errorf("process name longer than 255 characters")
	case strings.ContainsAny(name, "/\x00\n"):
		return fmt.Errorf("%q: give a process name or a pid, not a path", name)
	}
	if _, err := strconv.ParseUint(name, 10, 32); err == nil && name == "0" {
		return fmt.Errorf("pid 0 is not a process")
	}
	return nil
}

// isPID reports whether a process target is a pid.
func isPID(name string) bool {
	_, err := strconv.ParseUint(name, 10, 32)
	return err == nil
}
