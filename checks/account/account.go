// Package account holds the user and group families (checks/account):
// the service's accounts as the root's account files define them —
// whether a user or group exists, its ids, a user's home, shell and
// groups (as getgrouplist computes them), a group's members. One check
// per aspect: user/<aspect>:<name>, group/<aspect>:<name>.
//
// Profile sections (mappings of name to what the account must be):
//
//	user:
//	  myapp: {uid: 1001, gid: myapp, home: /opt/myapp, shell: /sbin/nologin, groups: [myapp, wheel]}
//	  telnet: {exists: false}
//	group:
//	  myapp: {gid: 1001, members: [deploy]}
//
// The accounts are read through internal/facts (glibc's files NSS module,
// differential-tested against glibc); a name the files do not have is
// reported with the other NSS sources nsswitch.conf names, which golive
// cannot read.
package account

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/profile"
)

// The families' sections and categories.
const (
	kindUser  = "user"
	kindGroup = "group"
)

var (
	//go:embed user.md
	docUser string
	//go:embed group.md
	docGroup string
)

// glibcFact says how the root's glibc reads nsswitch.conf.
var (
	glibcUser  = profile.DeclareFact(profile.FactSpec[string]{Key: "glibc", Family: kindUser, Doc: "the distro's glibc version"})
	glibcGroup = profile.DeclareFact(profile.FactSpec[string]{Key: "glibc", Family: kindGroup, Doc: "the distro's glibc version"})
)

func init() {
	engine.Register(engine.Family{
		Name: kindUser, Build: buildUsers, Explain: explainUser, Doc: docUser,
		Section: func() *profile.Shape {
			return profile.MapOf("Users: a mapping of user name to what the account must be (existence, uid, primary group, home, shell, groups); one check per aspect.",
				"user name", "myapp: {uid: 1001, shell: /sbin/nologin, groups: [myapp]}", profile.Of(userEntry{}, "What the user must be; every field is optional."))
		},
		Checks: aspectDocs(kindUser, userAspects, "myapp"),
	})
	engine.Register(engine.Family{
		Name: kindGroup, Build: buildGroups, Explain: explainGroup, Doc: docGroup,
		Section: func() *profile.Shape {
			return profile.MapOf("Groups: a mapping of group name to what the group must be (existence, gid, members); one check per aspect.",
				"group name", "myapp: {gid: 1001, members: [deploy]}", profile.Of(groupEntry{}, "What the group must be; every field is optional."))
		},
		Checks: aspectDocs(kindGroup, groupAspects, "myapp"),
	})
}

type userEntry struct {
	Exists   *bool    `yaml:"exists" doc:"Whether the user must exist. Default true; false allows no other field." default:"true"`
	UID      string   `yaml:"uid" doc:"The user's uid." example:"1001"`
	GID      string   `yaml:"gid" doc:"The primary group: a name (resolved through the root's /etc/group) or a gid." example:"myapp"`
	Home     string   `yaml:"home" doc:"The home directory, as /etc/passwd has it." example:"/opt/myapp"`
	Shell    string   `yaml:"shell" doc:"The login shell, as /etc/passwd has it." example:"/sbin/nologin"`
	Groups   []string `yaml:"groups" doc:"Exactly the groups the user is in, as id -Gn lists them: the primary group and every group listing the user (getgrouplist); names or gids, in any order." example:"[myapp, wheel]"`
	Level    string   `yaml:"level" doc:"The status a miss gives." default:"fail" enum:"fail,warn"`
	Severity string   `yaml:"severity" doc:"The findings' severity." default:"medium" enum:"critical,high,medium,low,info"`
	Why      string   `yaml:"why" doc:"Why the account matters."`
}

type groupEntry struct {
	Exists   *bool    `yaml:"exists" doc:"Whether the group must exist. Default true; false allows no other field." default:"true"`
	GID      string   `yaml:"gid" doc:"The group's gid." example:"1001"`
	Members  []string `yaml:"members" doc:"Exactly the members /etc/group lists for the group (getent group), in any order; [] for none." example:"[deploy]"`
	Level    string   `yaml:"level" doc:"The status a miss gives." default:"fail" enum:"fail,warn"`
	Severity string   `yaml:"severity" doc:"The findings' severity." default:"medium" enum:"critical,high,medium,low,info"`
	Why      string   `yaml:"why" doc:"Why the group matters."`
}

// rule is the part of an entry every check of it shares.
type rule struct {
	name     string
	exists   bool
	level    string
	severity string
	why      string
	where    string
	nss      facts.NSSRules
}

// userSpec is one user entry, parsed; ids are numbers or names as written.
type userSpec struct {
	rule
	uid      *uint64
	gid      string
	home     string
	shell    string
	groups   []string
	hasGroup bool
}

type groupSpec struct {
	rule
	gid        *uint64
	members    []string
	hasMembers bool
}

// entries walks a section: a mapping of account name to a mapping.
func entries(p *profile.Profile, sec *yaml.Node, kind string, fn func(key, val *yaml.Node) error) error {
	if sec == nil || sec.Tag == "!!null" {
		return nil
	}
	if sec.Kind != yaml.MappingNode {
		return p.Errorf(sec, "%s: expected a mapping of names to what each must be", kind)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(sec.Content); i += 2 {
		key, val := sec.Content[i], sec.Content[i+1]
		if val.Tag == "!!null" {
			continue // a null removes an account a base profile named
		}
		if !validName(key.Value) {
			return p.Errorf(key, "%s: %q is not an account name (no blank, colon, comma, slash or control character; not a number)", kind, key.Value)
		}
		if seen[key.Value] {
			return p.Errorf(key, "%s: %s is named twice", kind, key.Value)
		}
		seen[key.Value] = true
		if val.Kind != yaml.MappingNode {
			return p.Errorf(val, "%s.%s: expected a mapping such as {exists: false}", kind, key.Value)
		}
		if err := fn(key, val); err != nil {
			return err
		}
	}
	return nil
}

func parseRule(p *profile.Profile, kind string, key, val *yaml.Node, exists *bool, level, severity, why string, nss facts.NSSRules) (rule, error) {
	r := rule{name: key.Value, exists: exists == nil || *exists, level: level, severity: severity, why: why, where: p.Where(key), nss: nss}
	if level != "" && level != profile.LevelFail && level != profile.LevelWarn {
		return r, p.Errorf(profile.FieldNode(val, "level"), "%s.%s.level: %q is not fail or warn", kind, r.name, level)
	}
	switch severity {
	case "", "critical", "high", "medium", "low", "info":
	default:
		return r, p.Errorf(profile.FieldNode(val, "severity"), "%s.%s.severity: %q is not one of critical, high, medium, low, info", kind, r.name, severity)
	}
	return r, nil
}

// onlyExists refuses other fields next to exists: false.
func onlyExists(p *profile.Profile, kind, name string, val *yaml.Node, fields ...string) error {
	for i := 0; i+1 < len(val.Content); i += 2 {
		k := val.Content[i].Value
		for _, f := range fields {
			if k == f {
				return p.Errorf(val.Content[i], "%s.%s.%s: exists: false allows no other aspect", kind, name, k)
			}
		}
	}
	return nil
}

func buildUsers(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	nss := facts.NSSRulesFor(glibcUser.Get(p))
	var checks []engine.Check
	err := entries(p, sec, kindUser, func(key, val *yaml.Node) error {
		var e userEntry
		if err := p.DecodeStrict(val, &e); err != nil {
			return err
		}
		r, err := parseRule(p, kindUser, key, val, e.Exists, e.Level, e.Severity, e.Why, nss)
		if err != nil {
			return err
		}
		if !r.exists {
			if err := onlyExists(p, kindUser, r.name, val, "uid", "gid", "home", "shell", "groups"); err != nil {
				return err
			}
		}
		s := &userSpec{rule: r, gid: e.GID, home: e.Home, shell: e.Shell}
		if e.UID != "" {
			id, err := parseID(e.UID)
			if err != nil {
				return p.Errorf(profile.FieldNode(val, "uid"), "user.%s.uid: %v", r.name, err)
			}
			s.uid = &id
		}
		if e.GID != "" && !validName(e.GID) && !isID(e.GID) {
			return p.Errorf(profile.FieldNode(val, "gid"), "user.%s.gid: %q is not a group name or gid", r.name, e.GID)
		}
		for _, f := range []struct{ name, v string }{{"home", e.Home}, {"shell", e.Shell}} {
			if f.v != "" && (!strings.HasPrefix(f.v, "/") || strings.ContainsAny(f.v, ":\n\x00")) {
				return p.Errorf(profile.FieldNode(val, f.name), "user.%s.%s: %q is not an absolute path without a colon", r.name, f.name, f.v)
			}
		}
		if n := profile.FieldNode(val, "groups"); n != val {
			s.hasGroup = true
			for j, g := range e.Groups {
				if !validName(g) && !isID(g) {
					return p.Errorf(n.Content[j], "user.%s.groups: %q is not a group name or gid", r.name, g)
				}
			}
			s.groups = e.Groups
		}
		checks = append(checks, s.checks()...)
		return nil
	})
	return checks, err
}

func buildGroups(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	nss := facts.NSSRulesFor(glibcGroup.Get(p))
	var checks []engine.Check
	err := entries(p, sec, kindGroup, func(key, val *yaml.Node) error {
		var e groupEntry
		if err := p.DecodeStrict(val, &e); err != nil {
			return err
		}
		r, err := parseRule(p, kindGroup, key, val, e.Exists, e.Level, e.Severity, e.Why, nss)
		if err != nil {
			return err
		}
		if !r.exists {
			if err := onlyExists(p, kindGroup, r.name, val, "gid", "members"); err != nil {
				return err
			}
		}
		s := &groupSpec{rule: r}
		if e.GID != "" {
			id, err := parseID(e.GID)
			if err != nil {
				return p.Errorf(profile.FieldNode(val, "gid"), "group.%s.gid: %v", r.name, err)
			}
			s.gid = &id
		}
		if n := profile.FieldNode(val, "members"); n != val {
			s.hasMembers = true
			for j, m := range e.Members {
				if !validName(m) {
					return p.Errorf(n.Content[j], "group.%s.members: %q is not a user name", r.name, m)
				}
			}
			s.members = e.Members
		}
		checks = append(checks, s.checks()...)
		return nil
	})
	return checks, err
}

// parseID reads a uid or gid: a decimal number below 2^32-1 (-1 is no id).
func parseID(s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || v == 1<<32-1 {
		return 0, fmt.Errorf("%q is not an id (0 to 4294967294)", s)
	}
	return v, nil
}

func isID(s string) bool {
	_, err := parseID(s)
	return err == nil
}

// validName accepts what shadow-utils would create (and more): no blank,
// colon, comma, slash or control character, not empty, not all digits,
// not starting with '-', '+' or '#' (which the files read differently).
func validName(s string) bool {
	if s == "" || len(s) > 256 || isID(s) || strings.ContainsAny(s[:1], "-+#") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == ':' || c == ',' || c == '/' || c == 0x7f {
			return false
		}
	}
	return true
}
