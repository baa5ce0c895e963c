package file

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// unknownName is a wanted owner or group the root's files do not have.
type unknownName struct{ what, name, file string }

func (e *unknownName) Error() string { return e.what + " " + e.name + " is not in " + e.file }

// userName is getpwuid through the root's /etc/passwd.
func userName(h *host.Host, uid uint64) (string, bool) {
	pw, err := facts.PasswdOf(h)
	if err != nil {
		return "", false
	}
	u, ok := pw.UserByUID(uid)
	return u.Name, ok
}

// groupName is getgrgid through the root's /etc/group.
func groupName(h *host.Host, gid uint64) (string, bool) {
	gr, err := facts.GroupsOf(h)
	if err != nil {
		return "", false
	}
	g, ok := gr.GroupByGID(gid)
	return g.Name, ok
}

// wantUID resolves an owner as chown(1) would: a name through getpwnam
// (the root's /etc/passwd), else a number. note names the NSS sources of
// passwd golive cannot read, when a name is not in the files.
func wantUID(h *host.Host, owner string, r facts.NSSRules) (uint64, string, error) {
	pw, err := facts.PasswdOf(h)
	if err == nil {
		if u, ok := pw.User(owner); ok {
			return u.UID, "", nil
		}
	}
	if id, perr := strconv.ParseUint(owner, 10, 32); perr == nil {
		return id, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("user %s: %w", owner, err)
	}
	return 0, sourcesNote(h, r, "passwd"), &unknownName{"user", owner, facts.PasswdPath}
}

// wantGID is wantUID for groups (getgrnam, /etc/group).
func wantGID(h *host.Host, group string, r facts.NSSRules) (uint64, string, error) {
	gr, err := facts.GroupsOf(h)
	if err == nil {
		if g, ok := gr.Group(group); ok {
			return g.GID, "", nil
		}
	}
	if id, perr := strconv.ParseUint(group, 10, 32); perr == nil {
		return id, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("group %s: %w", group, err)
	}
	return 0, sourcesNote(h, r, "group"), &unknownName{"group", group, facts.GroupPath}
}

// sourcesNote is "" when nsswitch.conf's db line names only sources
// golive reads, else a note that the answer is from the files only.
func sourcesNote(h *host.Host, r facts.NSSRules, db string) string {
	ns, err := facts.NsswitchOf(h, r)
	if err != nil {
		ns = facts.DefaultNsswitch(r)
	}
	if ext := facts.UnreadableSources(ns.Database(db).Names()); len(ext) > 0 {
		return fmt.Sprintf(" (from the files only: nsswitch.conf's %s line also names %s, which golive cannot read)", db, strings.Join(ext, ", "))
	}
	return ""
}
