// Package logs is the log family (checks/log): journald keeps the journal
// across reboots within a bound (log/journald), and every log file of the
// service is rotated by a logrotate rule that bounds it and reopens it
// (log/rotate:<path>, and log/rotate:<unit> for the unit's
// StandardOutput=/StandardError= files). The package is not called log so
// that it does not shadow the standard library's.
//
// Profile section (all optional; log/journald runs without it):
//
//	log:
//	  journald:
//	    storage: persistent    # the storage journald must end up with
//	    max_use: 4G            # SystemMaxUse= (or its default) at most this
//	  paths: [/var/log/myapp/app.log]   # one log/rotate check each
package logs

import (
	_ "embed"
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and the checks' category.
const kind = "log"

// Defaults: a journal that survives reboots, and journald's own cap
// (journald.conf(5): SystemMaxUse= defaults to 10% of the file system,
// capped at 4G).
const (
	defaultStorage = "persistent"
	defaultMaxUse  = "4G"
	maxPaths       = 256
)

type section struct {
	Journald journaldSection `yaml:"journald" doc:"What log/journald expects of systemd-journald's storage."`
	Paths    []string        `yaml:"paths" doc:"The service's log files (absolute paths, no wildcards): one log/rotate check each, that a logrotate rule rotates, bounds and reopens it." example:"[/var/log/payments/app.log]" maxItems:"256"`
}

type journaldSection struct {
	Storage string `yaml:"storage" doc:"The storage journald must end up with: persistent (/var/log/journal, kept across reboots), volatile (/run/log/journal), or any." default:"persistent" enum:"persistent,volatile,any"`
	MaxUse  string `yaml:"max_use" doc:"The most disk the persistent journal may take: SystemMaxUse=, or journald's default (10% of the file system, capped at 4G), at most this. Bytes with an optional K, M, G or T (1024-based)." default:"4G" example:"2G"`
}

// settings are the section's values with defaults applied.
type settings struct {
	storage    string
	maxUse     int64
	maxUseText string
	defStorage string // the distro's compiled-in Storage= (facts.journald_storage)
	runner     string // how the distro runs logrotate (facts.logrotate_runner)
	service    string // the name golive's logrotate file takes
	unit       string // service.unit
	paths      []string
}

//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "Logs: journald's storage and the logrotate rules of the service's log files.", nil)
		},
		Checks: []engine.CheckDoc{
			{Heading: "`log/journald`", Example: "log/journald"},
			{Heading: "`log/rotate:<path>`", Example: "log/rotate:/var/log/payments/app.log"},
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
	set := defaults()
	set.defStorage = storageFact.Get(p)
	if set.defStorage == "" {
		set.defStorage = "auto"
	}
	set.runner = runnerFact.Get(p)
	set.unit = p.Service.Unit
	set.service = serviceName(p.Service.Name, p.Service.Unit)
	var jn *yaml.Node
	if sec != nil {
		jn = profile.FieldNode(sec, "journald")
	}
	if s.Journald.Storage != "" {
		switch s.Journald.Storage {
		case "persistent", "volatile", "any":
			set.storage = s.Journald.Storage
		default:
			return nil, p.Errorf(profile.FieldNode(jn, "storage"), "log.journald.storage: %q is not persistent, volatile or any", s.Journald.Storage)
		}
	}
	if s.Journald.MaxUse != "" {
		n, err := parseJournaldSize(s.Journald.MaxUse)
		if err != nil || n <= 0 {
			return nil, p.Errorf(profile.FieldNode(jn, "max_use"), "log.journald.max_use: %q is not a size (512M, 4G)", s.Journald.MaxUse)
		}
		set.maxUse, set.maxUseText = n, s.Journald.MaxUse
	}
	if len(s.Paths) > maxPaths {
		return nil, p.Errorf(profile.FieldNode(sec, "paths"), "log.paths: more than %d paths", maxPaths)
	}
	seen := map[string]bool{}
	for i, lp := range s.Paths {
		if err := validLogPath(lp); err != nil {
			return nil, p.Errorf(profile.FieldNode(sec, "paths").Content[i], "log.paths: %v", err)
		}
		if seen[lp] {
			return nil, p.Errorf(profile.FieldNode(sec, "paths").Content[i], "log.paths: %s is named twice", lp)
		}
		seen[lp] = true
		set.paths = append(set.paths, lp)
	}
	checks := []engine.Check{&journaldCheck{Base: engine.Base{M: metaJournald(set)}, set: set}}
	for _, lp := range set.paths {
		checks = append(checks, &rotateCheck{Base: engine.Base{M: metaRotate(lp, set)}, set: set, path: lp})
	}
	if set.unit != "" {
		checks = append(checks, &rotateCheck{Base: engine.Base{M: metaRotateUnit(set.unit, set)}, set: set, unitName: set.unit})
	}
	return checks, nil
}

func defaults() settings {
	n, _ := parseJournaldSize(defaultMaxUse)
	return settings{storage: defaultStorage, maxUse: n, maxUseText: defaultMaxUse, defStorage: "auto"}
}

// validLogPath accepts an absolute, clean path without glob characters.
func validLogPath(p string) error {
	switch {
	case !strings.HasPrefix(p, "/") || path.Clean(p) != p || p == "/":
		return fmt.Errorf("%q is not an absolute, clean file path", p)
	case strings.ContainsAny(p, "*?[\\{} \t\n\"'"):
		return fmt.Errorf("%q has a wildcard, brace, quote or blank: name the file itself", p)
	}
	return nil
}

// serviceName is the name golive gives its logrotate file: the service's
// name, else its unit's without the suffix.
func serviceName(name, unit string) string {
	n := name
	if n == "" {
		n = strings.TrimSuffix(unit, ".service")
	}
	var b strings.Builder
	for _, r := range n {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "golive"
	}
	return b.String()
}
