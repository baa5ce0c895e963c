// Package mount is the mount family (checks/mount): whether a path is a
// mount point now, of the filesystem, source and options the profile
// names (mount/mounted:<path>, from the mount table), and whether the next
// boot mounts it so (mount/boot:<path>, from /etc/fstab or a systemd
// .mount unit).
//
// Profile section (a mapping of absolute mount point to what must hold):
//
//	mount:
//	  /data: {fstype: xfs, source: /dev/vdb1, options: [noatime], at_boot: true}
//	  /tmp: {options: [nosuid, nodev, noexec]}
//	  /mnt/old: {mounted: false}
package mount

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
const kind = "mount"

//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.MapOf("Mounts: a mapping of absolute mount point to the filesystem that must be mounted there now and at the next boot.",
				"absolute mount point", "/data: {fstype: xfs, source: /dev/vdb1, options: [noatime]}", profile.Of(entry{}, "What must be mounted there; every field is optional."))
		},
		Checks: []engine.CheckDoc{
			{Heading: "`mount/mounted:<path>`", Example: "mount/mounted:/data"},
			{Heading: "`mount/boot:<path>`", Example: "mount/boot:/data"},
		},
	})
}

// entry is what one mount point must be.
type entry struct {
	Mounted  *bool    `yaml:"mounted" doc:"Whether something must be mounted at the path (false: nothing may be)." default:"true"`
	FSType   string   `yaml:"fstype" doc:"The filesystem type (as mount -t and /proc/self/mountinfo name it)." example:"xfs"`
	Source   string   `yaml:"source" doc:"The device or source mounted: a path (/dev/vdb1, /dev/mapper/vg-data), UUID=, LABEL=, PARTUUID= or PARTLABEL= (resolved through /dev/disk/by-* under the root), or a network source (server:/export)." example:"/dev/vdb1"`
	Options  []string `yaml:"options" doc:"Mount options that must be in effect (each one among the mount's per-mount or filesystem options; at boot, in the fstab or unit options, or a kernel default such as rw, relatime)." example:"[noatime, nodev]"`
	AtBoot   *bool    `yaml:"at_boot" doc:"Whether the next boot must mount it (an /etc/fstab line without noauto, or an enabled .mount unit). Defaults to mounted."`
	Level    string   `yaml:"level" doc:"The status a miss gives." default:"fail" enum:"fail,warn"`
	Severity string   `yaml:"severity" doc:"The findings' severity." default:"high" enum:"critical,high,medium,low,info"`
	Why      string   `yaml:"why" doc:"Why the mount matters."`
}

// spec is one mount point's entry, parsed.
type spec struct {
	path     string
	mounted  bool
	atBoot   bool
	fstype   string
	source   string
	options  []string
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
		return nil, p.Errorf(sec, "mount: expected a mapping of absolute mount points to what each must be")
	}
	var checks []engine.Check
	seen := map[string]bool{}
	for i := 0; i+1 < len(sec.Content); i += 2 {
		key, val := sec.Content[i], sec.Content[i+1]
		if val.Tag == "!!null" {
			continue
		}
		s, err := parseEntry(p, key, val)
		if err != nil {
			return nil, err
		}
		if seen[s.path] {
			return nil, p.Errorf(key, "mount: %s is named twice", s.path)
		}
		seen[s.path] = true
		checks = append(checks,
			&mountedCheck{Base: engine.Base{M: s.meta(aspMounted)}, spec: s},
			&bootCheck{Base: engine.Base{M: s.meta(aspBoot)}, spec: s})
	}
	return checks, nil
}

func parseEntry(p *profile.Profile, key, val *yaml.Node) (*spec, error) {
	clean, err := cleanPath(key.Value)
	if err != nil {
		return nil, p.Errorf(key, "mount: %v", err)
	}
	if val.Kind != yaml.MappingNode {
		return nil, p.Errorf(val, "mount.%s: expected a mapping such as {fstype: xfs, options: [noatime]}", clean)
	}
	var e entry
	if err := p.DecodeStrict(val, &e); err != nil {
		return nil, err
	}
	field := func(name string) *yaml.Node { return profile.FieldNode(val, name) }
	bad := func(name, format string, args ...any) error {
		return p.Errorf(field(name), "mount.%s.%s: %s", clean, name, fmt.Sprintf(format, args...))
	}
	s := &spec{path: clean, mounted: e.Mounted == nil || *e.Mounted, fstype: e.FSType, source: e.Source,
		level: e.Level, severity: e.Severity, why: e.Why, where: p.Where(key)}
	s.atBoot = s.mounted
	if e.AtBoot != nil {
		s.atBoot = *e.AtBoot
	}
	if !s.mounted && (e.FSType != "" || e.Source != "" || len(e.Options) > 0) {
		return nil, bad("mounted", "mounted: false allows no fstype, source or options")
	}
	if e.FSType != "" && !word(e.FSType) {
		return nil, bad("fstype", "%q is not a filesystem type", e.FSType)
	}
	if e.Source != "" && !word(e.Source) {
		return nil, bad("source", "%q has a blank or control character", e.Source)
	}
	for _, o := range e.Options {
		if o == "" || strings.Contains(o, ",") || !word(o) {
			return nil, bad("options", "%q is not one mount option (list them: [noatime, nodev])", o)
		}
		s.options = append(s.options, o)
	}
	if e.Level != "" && e.Level != profile.LevelFail && e.Level != profile.LevelWarn {
		return nil, bad("level", "%q is not fail or warn", e.Level)
	}
	return s, nil
}

// word accepts text without blanks or control characters.
func word(s string) bool {
	if len(s) > 4096 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return false
		}
	}
	return true
}

// cleanPath accepts an absolute path without control characters, cleaned.
func cleanPath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("%q must be an absolute path", p)
	}
	if len(p) > 4096 {
		return "", fmt.Errorf("path longer than 4096 bytes")
	}
	for i := 0; i < len(p); i++ {
		if p[i] < ' ' || p[i] == 0x7f {
			return "", fmt.Errorf("%q has a control character", p)
		}
	}
	return path.Clean(p), nil
}

func (s *spec) meta(a aspect) engine.Meta {
	want := s.mounted
	if a == aspBoot {
		want = s.atBoot
	}
	m := meta(a, s.path, want, s.expected())
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

// expected words what must be mounted: "xfs /dev/vdb1 (noatime)".
func (s *spec) expected() string {
	var parts []string
	if s.fstype != "" {
		parts = append(parts, s.fstype)
	}
	if s.source != "" {
		parts = append(parts, "from "+s.source)
	}
	if len(s.options) > 0 {
		parts = append(parts, "with "+strings.Join(s.options, ","))
	}
	if len(parts) == 0 {
		return "mounted"
	}
	return "mounted: " + strings.Join(parts, " ")
}
