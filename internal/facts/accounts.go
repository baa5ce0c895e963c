package facts

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// The account files, and a bound on them: directory-service hosts keep them
// small, and 8 MiB is tens of thousands of accounts.
const (
	PasswdPath      = "/etc/passwd"
	GroupPath       = "/etc/group"
	maxAccountsFile = 8 << 20
)

// User is one /etc/passwd entry glibc's files module accepts.
type User struct {
	Name     string
	UID, GID uint64
	// Home and Shell are the sixth and seventh fields ("" when the line
	// stops before them); the shell is the rest of the line, colons and
	// a trailing '\r' included, as glibc's parser leaves it.
	Home, Shell string
	Line        int
}

// Group is one /etc/group entry glibc's files module accepts.
type Group struct {
	Name    string
	GID     uint64
	Members []string
	Line    int
}

// AccountProblem is a line glibc's files module skips. Name is the entry's
// name when the line got that far ("" when the line has no usable fields).
type AccountProblem struct {
	Line int
	Name string
	Text string
}

// Passwd is /etc/passwd read the way glibc's files NSS module reads it
// (nss_files, files-parse.c and pwd's line parser):
//   - a line ends at its newline or at a NUL; leading blanks are skipped,
//     and so are empty lines and lines starting with '#';
//   - a trailing '\r' stays: a CRLF "name:x:uid:gid" line has the gid
//     "gid\r", which glibc rejects, so the line is skipped;
//   - NIS compat lines ("+..." and "-...") are left to the compat module;
//   - an entry needs name:passwd:uid:gid (fewer fields is a line glibc
//     skips); gecos, home and shell may be missing, and the shell is the
//     rest of the line, colons included;
//   - uid and gid are read by strtoul (leading blanks, a sign) and must
//     fit 32 bits with nothing after them, else glibc skips the line
//     (see parseID);
//   - lookups take the first accepted line of a name or uid.
//
// TestAccountsDifferentialGlibc compares all of this with the glibc the
// tests run on.
type Passwd struct {
	Users    []User
	Problems []AccountProblem
}

// Groups is /etc/group read the way glibc's files module reads it: the
// line rules of Passwd, name:passwd:gid (the member list may be missing),
// and members separated by ',' with leading blanks skipped.
type Groups struct {
	Groups   []Group
	Problems []AccountProblem
	// memberships are the lines the files module's initgroups reads: it
	// parses every line, comments and NIS compat lines included.
	memberships []Group
}

// ParsePasswd parses /etc/passwd (see Passwd).
func ParsePasswd(data []byte) *Passwd {
	p := &Passwd{}
	forEachEntry(data, func(n int, line string) {
		f := strings.SplitN(line, ":", 7)
		if len(f) < 4 {
			p.Problems = append(p.Problems, AccountProblem{Line: n, Text: "malformed line"})
			return
		}
		uid, ok1 := parseID(f[2])
		gid, ok2 := parseID(f[3])
		if !ok1 || !ok2 {
			p.Problems = append(p.Problems, AccountProblem{Line: n, Name: f[0], Text: "malformed uid or gid"})
			return
		}
		u := User{Name: f[0], UID: uid, GID: gid, Line: n}
		if len(f) > 5 {
			u.Home = f[5]
		}
		if len(f) > 6 {
			u.Shell = f[6]
		}
		p.Users = append(p.Users, u)
	})
	return p
}

// ParseGroups parses /etc/group (see Groups).
func ParseGroups(data []byte) *Groups {
	g := &Groups{}
	forEachLine(data, func(n int, line string, entry bool) {
		gr, problem := parseGroupLine(n, line)
		if problem == nil {
			g.memberships = append(g.memberships, gr)
		}
		switch {
		case !entry:
		case problem != nil:
			g.Problems = append(g.Problems, *problem)
		default:
			g.Groups = append(g.Groups, gr)
		}
	})
	return g
}

func parseGroupLine(n int, line string) (Group, *AccountProblem) {
	f := strings.SplitN(line, ":", 4)
	if len(f) < 3 {
		return Group{}, &AccountProblem{Line: n, Text: "malformed line"}
	}
	gid, ok := parseID(f[2])
	if f[2] == "" && len(f) == 4 && (line[0] == '+' || line[0] == '-') {
		// A NIS compat line's gid may be empty (INT_FIELD_MAYBE_NULL):
		// it is 0 then, which only initgroups sees.
		gid, ok = 0, true
	}
	if !ok {
		return Group{}, &AccountProblem{Line: n, Name: f[0], Text: "malformed gid"}
	}
	gr := Group{Name: f[0], GID: gid, Line: n}
	if len(f) == 4 {
		for _, m := range strings.Split(f[3], ",") {
			if m = strings.TrimLeft(m, cSpace); m != "" {
				gr.Members = append(gr.Members, m)
			}
		}
	}
	return gr, nil
}

// forEachEntry calls fn with each line (numbered from 1) that is not blank,
// a comment or a NIS compat line, cut at a NUL as C sees it.
func forEachEntry(data []byte, fn func(line int, text string)) {
	forEachLine(data, func(n int, line string, entry bool) {
		if entry {
			fn(n, line)
		}
	})
}

// forEachLine calls fn with each non-blank line, cut at a NUL and without
// its leading blanks; entry is false for a comment or a NIS compat line,
// which lookups skip.
func forEachLine(data []byte, fn func(line int, text string, entry bool)) {
	for n := 1; len(data) > 0; n++ {
		raw := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if i := bytes.IndexByte(raw, 0); i >= 0 {
			raw = raw[:i]
		}
		line := strings.TrimLeft(string(raw), cSpace)
		if line == "" {
			continue
		}
		fn(n, line, line[0] != '#' && line[0] != '+' && line[0] != '-')
	}
}

// parseID reads a uid or gid as files-parse.c's INT_FIELD does: strtoul
// in base 10 (leading blanks, then an optional sign; "-n" is n negated
// modulo 2^64, an overflow is ULONG_MAX), at least one digit, nothing
// after it, and a value that fits 32 bits. So " 12" and "+12" are 12,
// "-0" is 0, and "-1" or "12 " skip the line.
func parseID(s string) (uint64, bool) {
	s = strings.TrimLeft(s, cSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	switch {
	case err != nil:
		v = math.MaxUint64 // ERANGE
	case neg:
		v = -v
	}
	return v, v <= math.MaxUint32
}

// User is the first entry named name (getpwnam).
func (p *Passwd) User(name string) (User, bool) {
	for _, u := range p.Users {
		if u.Name == name {
			return u, true
		}
	}
	return User{}, false
}

// UserByUID is the first entry with uid (getpwuid).
func (p *Passwd) UserByUID(uid uint64) (User, bool) {
	for _, u := range p.Users {
		if u.UID == uid {
			return u, true
		}
	}
	return User{}, false
}

// Group is the first entry named name (getgrnam).
func (g *Groups) Group(name string) (Group, bool) {
	for _, gr := range g.Groups {
		if gr.Name == name {
			return gr, true
		}
	}
	return Group{}, false
}

// GroupByGID is the first entry with gid (getgrgid).
func (g *Groups) GroupByGID(gid uint64) (Group, bool) {
	for _, gr := range g.Groups {
		if gr.GID == gid {
			return gr, true
		}
	}
	return Group{}, false
}

// Supplementary are the gids of every line that lists user as a member, in
// file order, a gid once per line: what the files module's initgroups
// adds to the primary gid (getgrouplist), which skips the lines whose gid
// is the primary one. Unlike lookups, initgroups reads comment and NIS
// compat lines too ("#wheel:x:10:app" puts app in gid 10).
func (g *Groups) Supplementary(user string) []uint64 {
	var out []uint64
	for _, gr := range g.memberships {
		if slices.Contains(gr.Members, user) {
			out = append(out, gr.GID)
		}
	}
	return out
}

type passwdKey struct{}
type groupKey struct{}

// PasswdOf is the host's /etc/passwd, read and parsed once per run. The
// error is the read's (fs.ErrNotExist, fs.ErrPermission, too large).
func PasswdOf(h *host.Host) (*Passwd, error) {
	return memoErr(h, passwdKey{}, func(h *host.Host) (*Passwd, error) {
		data, err := h.ReadFileLimit(PasswdPath, maxAccountsFile)
		if err != nil {
			return nil, err
		}
		return ParsePasswd(data), nil
	})
}

// GroupsOf is the host's /etc/group, read and parsed once per run.
func GroupsOf(h *host.Host) (*Groups, error) {
	return memoErr(h, groupKey{}, func(h *host.Host) (*Groups, error) {
		data, err := h.ReadFileLimit(GroupPath, maxAccountsFile)
		if err != nil {
			return nil, err
		}
		return ParseGroups(data), nil
	})
}
