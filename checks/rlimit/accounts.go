package rlimit

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// maxAccountsFile bounds /etc/passwd and /etc/group; directory-service
// hosts keep them small, and 8 MiB is tens of thousands of accounts.
const maxAccountsFile = 8 << 20

// account is what pam_limits learns from getpwnam and getgrnam for a user:
// its uid, primary gid, and the groups it belongs to (by name).
type account struct {
	Name   string
	UID    uint64
	GID    uint64
	Known  bool            // found in /etc/passwd
	Groups map[string]bool // group names: the primary group and every group listing the user
	// GIDs are the gids whose group (the first /etc/group line with that
	// gid, as getgrgid finds it) has the user as primary group or member.
	GIDs map[uint64]bool
	// Problems are malformed lines of /etc/passwd and /etc/group and
	// files that could not be read.
	Problems []string
}

// lookupAccount reads the user from /etc/passwd and its groups from
// /etc/group under the root, as glibc's "files" NSS module does: the first
// line of a name wins, malformed lines are skipped. A user only in LDAP or
// SSSD is not found; the caller says so.
func lookupAccount(h *host.Host, name string) *account {
	a := &account{Name: name, Groups: map[string]bool{}, GIDs: map[uint64]bool{}}
	dropped := 0
	problem := func(format string, args ...any) {
		if len(a.Problems) < maxProblems {
			a.Problems = append(a.Problems, fmt.Sprintf(format, args...))
		} else {
			dropped++
		}
	}
	defer func() {
		if dropped > 0 {
			a.Problems = append(a.Problems, fmt.Sprintf("and %d more malformed lines", dropped))
		}
	}()
	data, err := h.ReadFileLimit("/etc/passwd", maxAccountsFile)
	if err != nil {
		a.Problems = append(a.Problems, err.Error())
	} else {
		forEachRecord(data, 7, func(n int, f []string) {
			if f == nil {
				problem("/etc/passwd:%d: malformed line", n)
				return
			}
			if a.Known || f[0] != name {
				return
			}
			uid, err1 := strconv.ParseUint(f[2], 10, 32)
			gid, err2 := strconv.ParseUint(f[3], 10, 32)
			if err1 != nil || err2 != nil {
				problem("/etc/passwd:%d: %s has a malformed uid or gid", n, name)
				return
			}
			a.UID, a.GID, a.Known = uid, gid, true
		})
	}
	data, err = h.ReadFileLimit("/etc/group", maxAccountsFile)
	if err != nil {
		a.Problems = append(a.Problems, err.Error())
		return a
	}
	// pam_modutil_user_in_group_nam_nam and _nam_gid look the group up
	// with getgrnam or getgrgid (the first line of that name or gid) and
	// count the user in it when its gid is the user's primary gid, the
	// line lists the user, or getgrouplist() has the gid: the gid of any
	// line that lists the user.
	nameGID := map[string]uint64{}
	haveGID := map[uint64]bool{}
	userGIDs := map[uint64]bool{}
	if a.Known {
		userGIDs[a.GID] = true
	}
	forEachRecord(data, 4, func(n int, f []string) {
		if f == nil {
			problem("/etc/group:%d: malformed line", n)
			return
		}
		gid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			problem("/etc/group:%d: malformed gid", n)
			return
		}
		if _, ok := nameGID[f[0]]; !ok {
			nameGID[f[0]] = gid
		}
		haveGID[gid] = true
		for _, m := range strings.Split(f[3], ",") {
			if strings.TrimSpace(m) == name {
				userGIDs[gid] = true
			}
		}
	})
	if !a.Known {
		return a // getpwnam fails: pam_modutil finds no user to test
	}
	for g, gid := range nameGID {
		if userGIDs[gid] {
			a.Groups[g] = true
		}
	}
	for gid := range userGIDs {
		if haveGID[gid] {
			a.GIDs[gid] = true
		}
	}
	return a
}

// inGroup is pam_modutil_user_in_group_nam_nam.
func (a *account) inGroup(name string) bool { return a.Groups[name] }

// inGID is pam_modutil_user_in_group_nam_gid.
func (a *account) inGID(gid uint64) bool { return a.GIDs[gid] }

// forEachRecord calls fn with the colon-separated fields of each line that
// has exactly want fields, or nil fields for a malformed line. Blank lines
// and comments are skipped; NIS "+"/"-" compat lines are left alone.
func forEachRecord(data []byte, want int, fn func(line int, fields []string)) {
	for n := 0; len(data) > 0; n++ {
		raw := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line := strings.TrimRight(string(raw), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") ||
			strings.HasPrefix(line, "+") || strings.HasPrefix(line, "-") {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) != want || f[0] == "" {
			fn(n+1, nil)
			continue
		}
		fn(n+1, f)
	}
}
