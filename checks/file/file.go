// Package file is the file family (checks/file): the service's own files
// as the profile describes them — whether a path exists, its type and
// symlink target, mode, owner, group, size, SHA-256 and the lines it
// contains. Each aspect is its own check, file/<aspect>:<path>, so that a
// finding names exactly what is wrong and carries exactly its fix.
//
// Profile section (a mapping of absolute path to what it must be):
//
//	file:
//	  /etc/myapp/config.yaml:
//	    type: file
//	    mode: "0640"                # or "<= 0750", ">= 0400", "none 0022"
//	    owner: myapp                # a name (resolved through the root's accounts) or a number
//	    group: myapp
//	    size: "> 0"
//	    contains: ["listen: ", "/^log_level: (info|warn)$/", "!debug: true"]
//	  /usr/local/bin/myapp: {sha256: 9f86d0…, selinux: bin_t}
//	  /etc/myapp/old.conf: {exists: false}
//
// Everything is read under the root through internal/host: the path
// itself for exists, type and target (lstat), the file it leads to
// (symlinks followed inside the root) for the rest.
package file

import (
	_ "embed"
	"fmt"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/expect"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/secontext"
)

// kind is the profile section and the checks' category.
const kind = "file"

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

// glibcFact says how the root's glibc reads nsswitch.conf, for the note
// on owners and groups only a directory service knows.
var glibcFact = profile.DeclareFact(profile.FactSpec[string]{
	Key: "glibc", Family: kind, Doc: "the distro's glibc version",
})

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.MapOf("Files: a mapping of absolute path to what it must be (existence, type, symlink target, mode, owner, group, size, SHA-256, contents); one check per aspect.",
				"absolute path", `/etc/myapp/config.yaml: {mode: "0640", owner: myapp}`, profile.Of(entry{}, "What the path must be; every field is optional."))
		},
		Checks: checkDocs(),
	})
}

// entry is what one path must be.
type entry struct {
	Exists   *bool    `yaml:"exists" doc:"Whether the path must exist (the path itself: a dangling symlink exists). Default true; false allows no other field." default:"true"`
	Type     string   `yaml:"type" doc:"What the path itself is (not followed)." enum:"file,directory,symlink,fifo,socket,block-device,char-device"`
	Target   string   `yaml:"target" doc:"The symlink's target, as written in the link (readlink); implies type symlink." example:"/opt/myapp/releases/1.4.2"`
	Mode     string   `yaml:"mode" doc:"Permission bits of the file the path leads to: exactly (\"0640\"), at most (\"<= 0755\": no bit outside it), at least (\">= 0600\") or none of (\"none 0022\": no group or other write). Quote it: YAML reads 0640 as a number." example:"\"0640\""`
	Owner    string   `yaml:"owner" doc:"The owning user: a name, resolved through the root's /etc/passwd, or a number." example:"myapp"`
	Group    string   `yaml:"group" doc:"The owning group: a name, resolved through the root's /etc/group, or a number." example:"myapp"`
	Size     string   `yaml:"size" doc:"The size in bytes, as an expectation (\"> 0\", \"<= 1048576\", \"4096\")." example:"\"> 0\""`
	SHA256   string   `yaml:"sha256" doc:"The SHA-256 of the file's contents (64 hex digits); files up to 1 GiB." example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	SELinux  string   `yaml:"selinux" doc:"The SELinux label of the file the path leads to (its security.selinux attribute): a type (\"etc_t\", compared with the label's type) or a whole context (\"system_u:object_r:etc_t:s0\")." example:"etc_t"`
	Contains []string `yaml:"contains" doc:"Lines the file must have (first 16 MiB): \"text\" (a line containing it), \"/re/\" (an RE2 regular expression, Go's syntax, not PCRE), \"!...\" (no line may match)." example:"[\"listen: \", \"/^log_level: (info|warn)$/\", \"!debug: true\"]"`
	Level    string   `yaml:"level" doc:"The status a miss gives." default:"fail" enum:"fail,warn"`
	Severity string   `yaml:"severity" doc:"The findings' severity." default:"medium" enum:"critical,high,medium,low,info"`
	Why      string   `yaml:"why" doc:"Why the file matters."`
}

// spec is one path's entry, parsed.
type spec struct {
	path     string
	exists   bool
	ftype    string
	target   string
	hasMode  bool
	mode     modeExpr
	owner    string
	group    string
	size     *expect.Expectation
	sha256   string
	selinux  string
	contains []pattern
	level    string
	severity string
	why      string
	where    string
	nss      facts.NSSRules
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	if sec == nil || sec.Tag == "!!null" {
		return nil, nil
	}
	if sec.Kind != yaml.MappingNode {
		return nil, p.Errorf(sec, "file: expected a mapping of absolute paths to what each must be")
	}
	nss := facts.NSSRulesFor(glibcFact.Get(p))
	var checks []engine.Check
	seen := map[string]bool{}
	for i := 0; i+1 < len(sec.Content); i += 2 {
		key, val := sec.Content[i], sec.Content[i+1]
		if val.Tag == "!!null" {
			continue // a null removes a path a base profile named
		}
		s, err := parseEntry(p, key, val)
		if err != nil {
			return nil, err
		}
		if seen[s.path] {
			return nil, p.Errorf(key, "file: %s is named twice", s.path)
		}
		seen[s.path] = true
		s.nss = nss
		checks = append(checks, s.checks()...)
	}
	return checks, nil
}

// parseEntry decodes and validates one path's entry.
func parseEntry(p *profile.Profile, key, val *yaml.Node) (*spec, error) {
	clean, err := cleanPath(key.Value)
	if err != nil {
		return nil, p.Errorf(key, "file: %v", err)
	}
	var e entry
	if val.Kind == yaml.MappingNode || val.Kind == 0 {
		if err := p.DecodeStrict(val, &e); err != nil {
			return nil, err
		}
	} else {
		return nil, p.Errorf(val, "file.%s: expected a mapping such as {mode: \"0640\", owner: myapp}", clean)
	}
	field := func(name string) *yaml.Node { return profile.FieldNode(val, name) }
	bad := func(name, format string, args ...any) error {
		return p.Errorf(field(name), "file.%s.%s: %s", clean, name, fmt.Sprintf(format, args...))
	}
	s := &spec{path: clean, exists: e.Exists == nil || *e.Exists, ftype: e.Type, target: e.Target,
		owner: e.Owner, group: e.Group, sha256: e.SHA256, selinux: e.SELinux,
		level: e.Level, severity: e.Severity, why: e.Why, where: p.Where(key)}
	if !s.exists {
		for _, f := range []struct{ name, v string }{{"type", e.Type}, {"target", e.Target}, {"mode", e.Mode}, {"owner", e.Owner},
			{"group", e.Group}, {"size", e.Size}, {"sha256", e.SHA256}, {"selinux", e.SELinux}} {
			if f.v != "" {
				return nil, bad(f.name, "exists: false allows no other aspect")
			}
		}
		if len(e.Contains) > 0 {
			return nil, bad("contains", "exists: false allows no other aspect")
		}
	}
	if e.Type != "" && !validType(e.Type) {
		return nil, bad("type", "%q is not one of %s", e.Type, strings.Join(typeNames, ", "))
	}
	if e.Target != "" {
		if e.Type != "" && e.Type != "symlink" {
			return nil, bad("target", "a target makes the path a symlink, but type is %s", e.Type)
		}
		if strings.ContainsRune(e.Target, 0) || len(e.Target) > 4096 {
			return nil, bad("target", "not a symlink target")
		}
	}
	if e.Mode != "" {
		m, err := parseMode(modeText(field("mode"), e.Mode))
		if err != nil {
			return nil, bad("mode", "%v", err)
		}
		s.hasMode, s.mode = true, m
	}
	for _, id := range []struct{ name, v string }{{"owner", e.Owner}, {"group", e.Group}} {
		if id.v != "" && !validAccount(id.v) {
			return nil, bad(id.name, "%q is not a user or group name or number", id.v)
		}
	}
	if e.Size != "" {
		x, err := expect.Parse(e.Size)
		if err != nil {
			return nil, bad("size", "%v", err)
		}
		for _, f := range append(x.Fields, flatten(x.Set)...) {
			if strings.Trim(f, "0123456789") != "" {
				return nil, bad("size", "%q: sizes are whole numbers of bytes", f)
			}
		}
		s.size = &x
	}
	if e.SHA256 != "" {
		s.sha256 = strings.ToLower(e.SHA256)
		if !sha256Hex.MatchString(s.sha256) {
			return nil, bad("sha256", "%q is not 64 hex digits", e.SHA256)
		}
	}
	if e.SELinux != "" {
		if strings.Contains(e.SELinux, ":") {
			if _, err := secontext.Parse(e.SELinux); err != nil {
				return nil, bad("selinux", "%v", err)
			}
		} else if !secontext.ValidType(e.SELinux) {
			return nil, bad("selinux", "%q is not an SELinux type (etc_t) or context (system_u:object_r:etc_t:s0)", e.SELinux)
		}
	}
	for j, c := range e.Contains {
		pat, err := parsePattern(c)
		if err != nil {
			return nil, p.Errorf(field("contains").Content[j], "file.%s.contains: %v", clean, err)
		}
		s.contains = append(s.contains, pat)
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

// modeText is the mode as written: YAML reads an unquoted 0640 as the
// number 416, so the node's own text is taken.
func modeText(n *yaml.Node, decoded string) string {
	if n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return decoded
}

func flatten(set [][]string) []string {
	var out []string
	for _, s := range set {
		out = append(out, s...)
	}
	return out
}

// cleanPath accepts an absolute path without control characters and
// returns it cleaned, as check IDs name it.
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

// validAccount accepts what useradd would take as a name, or a number:
// no colon, blank, comma or control character, and no leading '-' (chown
// would read it as an option).
func validAccount(s string) bool {
	if s == "" || len(s) > 256 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == ':' || c == ',' || c == 0x7f {
			return false
		}
	}
	return true
}
