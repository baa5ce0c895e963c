// Package process is the process family (checks/process): whether the
// service's processes run (process/running:<name>), how many
// (process/count:<name>) and as which user (process/user:<name>), from
// the root's /proc.
//
// Profile section (a mapping of a name to how its processes are found and
// what must hold):
//
//	process:
//	  etcd: {user: etcd, min: 1, max: 1}            # comm is "etcd"
//	  myapp: {cmdline: "/opt/myapp/bin/myapp( |$)"}  # RE2 on the command line
//	  telnetd: {running: false}
package process

import (
	_ "embed"
	"fmt"
	"regexp"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and the checks' category.
const kind = "process"

//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.MapOf("Processes: a mapping of a name to how its processes are found (by process name or command line) and whether they run, how many and as whom.",
				"a name (the process name, unless comm or cmdline says otherwise)", "etcd: {user: etcd, min: 1, max: 1}", profile.Of(entry{}, "How the processes are found and what must hold; every field is optional."))
		},
		Checks: []engine.CheckDoc{
			{Heading: "`process/running:<name>`", Example: "process/running:etcd"},
			{Heading: "`process/count:<name>`", Example: "process/count:etcd"},
			{Heading: "`process/user:<name>`", Example: "process/user:etcd"},
		},
	})
}

// entry is one process rule.
type entry struct {
	Comm     string `yaml:"comm" doc:"The process name exactly, as the kernel keeps it (/proc/PID/comm: the executable's name cut to 15 bytes), as pgrep -x matches it. Default: the key, unless cmdline is given." example:"etcd"`
	Cmdline  string `yaml:"cmdline" doc:"An RE2 regular expression (Go's syntax) searched in the command line, its arguments joined by blanks, as pgrep -f matches it (a kernel thread's is its name)." example:"/opt/myapp/bin/myapp( |$)"`
	Running  *bool  `yaml:"running" doc:"Whether at least one matching process must run (false: none may)." default:"true"`
	Min      *int   `yaml:"min" doc:"The fewest matching processes (process/count)." min:"0"`
	Max      *int   `yaml:"max" doc:"The most matching processes (process/count)." min:"0"`
	User     string `yaml:"user" doc:"The user every matching process runs as (its effective uid, ps's USER and pgrep -u): a name, resolved through the root's /etc/passwd, or a number." example:"etcd"`
	Level    string `yaml:"level" doc:"The status a miss gives." default:"fail" enum:"fail,warn"`
	Severity string `yaml:"severity" doc:"The findings' severity." default:"high" enum:"critical,high,medium,low,info"`
	Why      string `yaml:"why" doc:"Why the process matters."`
}

// spec is one rule, parsed.
type spec struct {
	name     string
	comm     string // "" when not matched by name
	cmdline  *regexp.Regexp
	running  bool
	min, max int // -1: no bound
	user     string
	level    string
	severity string
	why      string
	where    string
}

// maxComm is the kernel's TASK_COMM_LEN (16) less the NUL.
const maxComm = 15

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	if sec == nil || sec.Tag == "!!null" {
		return nil, nil
	}
	if sec.Kind != yaml.MappingNode {
		return nil, p.Errorf(sec, "process: expected a mapping of names to how their processes are found")
	}
	var checks []engine.Check
	for i := 0; i+1 < len(sec.Content); i += 2 {
		key, val := sec.Content[i], sec.Content[i+1]
		if val.Tag == "!!null" {
			continue
		}
		s, err := parseEntry(p, key, val)
		if err != nil {
			return nil, err
		}
		checks = append(checks, &check{Base: engine.Base{M: s.meta(aspRunning)}, spec: s, aspect: aspRunning})
		if s.min >= 0 || s.max >= 0 {
			checks = append(checks, &check{Base: engine.Base{M: s.meta(aspCount)}, spec: s, aspect: aspCount})
		}
		if s.user != "" {
			checks = append(checks, &check{Base: engine.Base{M: s.meta(aspUser)}, spec: s, aspect: aspUser})
		}
	}
	return checks, nil
}

func parseEntry(p *profile.Profile, key, val *yaml.Node) (*spec, error) {
	name := key.Value
	if !validName(name) {
		return nil, p.Errorf(key, "process: %q is not a name (no blank, \"/\", \":\" or control character; at most 256 bytes)", name)
	}
	if val.Kind != yaml.MappingNode {
		return nil, p.Errorf(val, "process.%s: expected a mapping such as {user: %s, min: 1}", name, name)
	}
	var e entry
	if err := p.DecodeStrict(val, &e); err != nil {
		return nil, err
	}
	field := func(f string) *yaml.Node { return profile.FieldNode(val, f) }
	bad := func(f, format string, args ...any) error {
		return p.Errorf(field(f), "process.%s.%s: %s", name, f, fmt.Sprintf(format, args...))
	}
	s := &spec{name: name, comm: e.Comm, running: e.Running == nil || *e.Running, min: -1, max: -1, user: e.User,
		level: e.Level, severity: e.Severity, why: e.Why, where: p.Where(key)}
	if e.Cmdline != "" {
		re, err := regexp.Compile(e.Cmdline)
		if err != nil {
			return nil, bad("cmdline", "%v (RE2 syntax, Go's regexp)", err)
		}
		s.cmdline = re
	} else if s.comm == "" {
		s.comm = name
	}
	if s.comm != "" && len(s.comm) > maxComm {
		return nil, bad("comm", "%q is longer than %d bytes: the kernel keeps only the first %d of a process name (%q); name those, or match the command line (cmdline)",
			s.comm, maxComm, maxComm, s.comm[:maxComm])
	}
	if e.Min != nil {
		if *e.Min < 0 {
			return nil, bad("min", "%d is negative", *e.Min)
		}
		s.min = *e.Min
	}
	if e.Max != nil {
		if *e.Max < 0 {
			return nil, bad("max", "%d is negative", *e.Max)
		}
		s.max = *e.Max
	}
	if s.min >= 0 && s.max >= 0 && s.min > s.max {
		return nil, bad("min", "%d is more than max %d", s.min, s.max)
	}
	if !s.running && (s.min > 0 || s.user != "") {
		return nil, bad("running", "running: false allows no min above 0 and no user")
	}
	if s.user != "" && !validName(s.user) {
		return nil, bad("user", "%q is not a user name or number", s.user)
	}
	if e.Level != "" && e.Level != profile.LevelFail && e.Level != profile.LevelWarn {
		return nil, bad("level", "%q is not fail or warn", e.Level)
	}
	return s, nil
}

// validName accepts a name for an ID or a user: no blank, "/", ":",
// control character or leading "-".
func validName(s string) bool {
	if s == "" || len(s) > 256 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == '/' || c == ':' || c == 0x7f {
			return false
		}
	}
	return true
}

func (s *spec) meta(a aspect) engine.Meta {
	m := meta(a, s.name, s.describe(), s.expected(a))
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

// describe says how the processes are found.
func (s *spec) describe() string {
	switch {
	case s.comm != "" && s.cmdline != nil:
		return fmt.Sprintf("processes named %q whose command line matches /%s/", s.comm, s.cmdline)
	case s.cmdline != nil:
		return fmt.Sprintf("processes whose command line matches /%s/", s.cmdline)
	}
	return fmt.Sprintf("processes named %q", s.comm)
}

func (s *spec) expected(a aspect) string {
	switch a {
	case aspCount:
		switch {
		case s.min >= 0 && s.max >= 0 && s.min == s.max:
			return fmt.Sprintf("== %d", s.min)
		case s.min >= 0 && s.max >= 0:
			return fmt.Sprintf("%d to %d", s.min, s.max)
		case s.min >= 0:
			return fmt.Sprintf(">= %d", s.min)
		}
		return fmt.Sprintf("<= %d", s.max)
	case aspUser:
		return s.user
	}
	if s.running {
		return "running"
	}
	return "not running"
}
