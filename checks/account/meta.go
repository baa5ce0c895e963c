package account

import (
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/profile"
)

// The aspects: each is a check's name, <kind>/<aspect>:<account>.
var (
	userAspects  = []string{"exists", "uid", "gid", "home", "shell", "groups"}
	groupAspects = []string{"exists", "gid", "members"}
)

func aspectDocs(kind string, aspects []string, example string) []engine.CheckDoc {
	out := make([]engine.CheckDoc, len(aspects))
	for i, a := range aspects {
		out[i] = engine.CheckDoc{Heading: "`" + kind + "/" + a + ":<name>`", Example: kind + "/" + a + ":" + example}
	}
	return out
}

func explainUser(id string) (engine.Meta, bool)  { return explainKind(id, kindUser, userAspects) }
func explainGroup(id string) (engine.Meta, bool) { return explainKind(id, kindGroup, groupAspects) }

func explainKind(id, kind string, aspects []string) (engine.Meta, bool) {
	parts, ok := engine.ParseID(id)
	if !ok || parts.Category != kind || !validName(parts.Target) {
		return engine.Meta{}, false
	}
	for _, a := range aspects {
		if a == parts.Name {
			return meta(kind, a, parts.Target, "<"+kind+"."+parts.Target+"."+a+">"), true
		}
	}
	return engine.Meta{}, false
}

// meta describes one aspect check of an account expecting want.
func meta(kind, aspect, name, want string) engine.Meta {
	m := engine.Meta{
		ID: engine.CheckID(kind, aspect, name), Category: kind, Expected: want,
		Level: profile.LevelFail, Severity: "medium",
	}
	passwd := facts.PasswdPath + " under the root, as glibc's files NSS module reads it (the first line of a name wins; malformed lines are skipped)"
	group := facts.GroupPath + " under the root, the same way"
	nss := facts.NsswitchPath + " (the passwd and group lines: a source golive cannot read, such as sss or ldap, is named in the verdict)"
	if kind == kindUser {
		m.Reads = []string{passwd, nss}
		switch aspect {
		case "exists":
			m.Title = "user " + name + " exists"
			if want == "absent" {
				m.Title = "user " + name + " does not exist"
			}
			m.Why = "the service runs as its own user, which must exist before the unit starts; an account that must be gone (telnet, a former employee) must not linger"
			m.Fix = "useradd with the profile's fields (golive remediate builds the command); an account that must be gone: userdel, by hand (golive never deletes accounts)"
		case "uid":
			m.Title = "uid of user " + name
			m.Why = "files on shared storage and in images are owned by number: the same user must have the same uid on every host"
			m.Fix = "usermod --uid UID NAME (it re-owns files in the home directory only)"
		case "gid":
			m.Title = "primary group of user " + name
			m.Reads = append(m.Reads, group)
			m.Why = "the primary group owns the files the service creates"
			m.Fix = "usermod --gid GROUP NAME"
		case "home":
			m.Title = "home directory of user " + name
			m.Why = "the home directory is where the service's tools look for their dotfiles and caches"
			m.Fix = "usermod --home DIR NAME (add --move-home to move the contents)"
		case "shell":
			m.Title = "login shell of user " + name
			m.Why = "a service account with a real shell is one an attacker with its password can log in as; /sbin/nologin refuses the login"
			m.Fix = "usermod --shell SHELL NAME"
		case "groups":
			m.Title = "groups of user " + name
			m.Reads = append(m.Reads, group+"; the groups are getgrouplist(3)'s: the primary gid and the gid of every line listing the user, comment and NIS lines included, as id -G prints them")
			m.Why = "group membership is what lets the service read its configuration and sockets, and what gives it (unwanted) privileges such as wheel or docker"
			m.Fix = "usermod --groups GROUP,... NAME (sets the supplementary groups exactly)"
		}
		return m
	}
	m.Reads = []string{group, nss}
	switch aspect {
	case "exists":
		m.Title = "group " + name + " exists"
		if want == "absent" {
			m.Title = "group " + name + " does not exist"
		}
		m.Why = "the service's files and sockets are shared through its group"
		m.Fix = "groupadd with the profile's gid; a group that must be gone: groupdel, by hand (golive never deletes accounts)"
	case "gid":
		m.Title = "gid of group " + name
		m.Why = "files on shared storage and in images carry the gid: the same group must have the same gid on every host"
		m.Fix = "groupmod --gid GID NAME"
	case "members":
		m.Title = "members of group " + name
		m.Why = "a group's members can read what it owns: an unexpected member of the service's group (or of wheel) is a finding"
		m.Fix = "gpasswd --members USER,... NAME (sets the member list exactly)"
	}
	return m
}
