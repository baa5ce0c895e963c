package rlimit

import (
	"fmt"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// account is what pam_limits learns from getpwnam and getgrnam for a user:
// its uid, primary gid, and the groups it belongs to (by name).
type account struct {
	name   string
	uid    uint64
	gid    uint64
	known  bool            // found in /etc/passwd
	groups map[string]bool // group names: the primary group and every group listing the user
	// gids are the gids whose group (the first /etc/group line with that
	// gid, as getgrgid finds it) has the user as primary group or member.
	gids map[uint64]bool
	// problems are malformed lines of /etc/passwd and /etc/group and
	// files that could not be read.
	problems []string
}

// lookupAccount finds the user in /etc/passwd and its groups in /etc/group
// under the root, as glibc's "files" NSS module does (facts.Passwd has the
// rules: the first line of a name wins, malformed lines are skipped). A
// user only in LDAP or SSSD is not found; the caller says so.
func lookupAccount(h *host.Host, name string) *account {
	a := &account{name: name, groups: map[string]bool{}, gids: map[uint64]bool{}}
	dropped := 0
	problem := func(format string, args ...any) {
		if len(a.problems) < maxProblems {
			a.problems = append(a.problems, fmt.Sprintf(format, args...))
		} else {
			dropped++
		}
	}
	defer func() {
		if dropped > 0 {
			a.problems = append(a.problems, fmt.Sprintf("and %d more malformed lines", dropped))
		}
	}()
	pw, err := facts.PasswdOf(h)
	if err != nil {
		a.problems = append(a.problems, err.Error())
	} else {
		u, known := pw.User(name)
		for _, p := range pw.Problems {
			switch {
			case p.Name == "" && p.Text == "malformed line":
				problem("%s:%d: malformed line", facts.PasswdPath, p.Line)
			case p.Name == name && (!known || p.Line < u.Line):
				// Only the user's own lines before the one that counts
				// matter to it; other users' bad ids are theirs.
				problem("%s:%d: %s has a malformed uid or gid", facts.PasswdPath, p.Line, name)
			}
		}
		a.uid, a.gid, a.known = u.UID, u.GID, known
	}
	gr, err := facts.GroupsOf(h)
	if err != nil {
		a.problems = append(a.problems, err.Error())
		return a
	}
	for _, p := range gr.Problems {
		problem("%s:%d: %s", facts.GroupPath, p.Line, p.Text)
	}
	if !a.known {
		return a // getpwnam fails: pam_modutil finds no user to test
	}
	// pam_modutil_user_in_group_nam_nam and _nam_gid look the group up
	// with getgrnam or getgrgid (the first line of that name or gid) and
	// count the user in it when its gid is the user's primary gid, the
	// line lists the user, or getgrouplist() has the gid: the gid of any
	// line that lists the user.
	userGIDs := map[uint64]bool{a.gid: true}
	for _, gid := range gr.Supplementary(name) {
		userGIDs[gid] = true
	}
	seen := map[string]bool{}
	for _, g := range gr.Groups {
		if !seen[g.Name] && userGIDs[g.GID] {
			a.groups[g.Name] = true
		}
		seen[g.Name] = true
		if userGIDs[g.GID] {
			a.gids[g.GID] = true
		}
	}
	return a
}

// inGroup is pam_modutil_user_in_group_nam_nam.
func (a *account) inGroup(name string) bool { return a.groups[name] }

// inGID is pam_modutil_user_in_group_nam_gid.
func (a *account) inGID(gid uint64) bool { return a.gids[gid] }
