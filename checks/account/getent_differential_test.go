package account

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// accountCase is one generated pair of account files and the names asked.
type accountCase struct {
	dir           string // the case's root: etc/passwd, etc/group, etc/nsswitch.conf
	passwd, group string
	names         []string
}

// TestGetentDifferential generates /etc/passwd and /etc/group pairs
// (duplicate names and ids, members with blanks, comment and malformed
// lines, ids as strtoul reads them), runs getent passwd, getent group,
// id -G and id -Gn for every name inside a mount namespace where each
// pair in turn is bound over /etc (nsswitch.conf: files), and judges
// every user and group aspect with the reference's answer as the
// expectation: each must pass, and a changed expectation must fail.
func TestGetentDifferential(t *testing.T) {
	testenv.NeedNamespaces(t)
	testenv.NeedCommand(t, "getent", "libc-bin")
	testenv.NeedCommand(t, "id", "coreutils")
	for _, f := range []string{"/etc/passwd", "/etc/group", "/etc/nsswitch.conf"} {
		if _, err := os.Stat(f); err != nil {
			testenv.Missing(t, f+" is missing: nothing to bind over")
		}
	}
	base := t.TempDir()
	cases := randomAccountCases(t, base, rand.New(rand.NewPCG(20, 2)), 200)
	stage := filepath.Join(base, "stage")
	var ns testenv.Namespace
	for _, f := range []string{"passwd", "group", "nsswitch.conf"} {
		writeCaseFile(t, filepath.Join(stage, f), "passwd: files\ngroup: files\n")
		ns.Binds = append(ns.Binds, testenv.Bind{Source: filepath.Join(stage, f), Target: "/etc/" + f})
	}
	if st, err := os.Stat("/run/nscd"); err == nil && st.IsDir() {
		ns.Tmpfs = append(ns.Tmpfs, "/run/nscd")
	}
	var dirs []string
	for _, c := range cases {
		dirs = append(dirs, c.dir)
	}
	// Each case: its files copied into the bound ones (the inode stays;
	// a shell loop, not a process, per file), then getent and id once
	// each for all the names (every case asks the same; id prints a line
	// for each name it finds, in order).
	script := `copy() { while IFS= read -r l; do printf '%s\n' "$l"; done < "$1" > "$2"; }
names=$(cat "$1/names")
for d in "$@"; do
  copy "$d/etc/passwd" /etc/passwd; copy "$d/etc/group" /etc/group
  getent passwd $names > "$d/out.passwd"
  getent group $names > "$d/out.group"
  id -G $names > "$d/out.G" 2>/dev/null
  id -Gn $names > "$d/out.Gn" 2>/dev/null
done; true`
	if out, err := ns.Output(append([]string{"sh", "-c", script, "sh"}, dirs...)...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	compared, agree, skipped := 0, 0, 0
	for _, c := range cases {
		h, err := host.New(c.dir)
		if err != nil {
			t.Fatal(err)
		}
		read := func(name string) []string {
			data, err := os.ReadFile(filepath.Join(c.dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if len(data) == 0 {
				return nil
			}
			return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		}
		users, groups := byName(read("out.passwd")), byName(read("out.group"))
		idG, idGn := read("out.G"), read("out.Gn")
		pw := facts.ParsePasswd([]byte(c.passwd))
		k := 0
		for _, name := range c.names {
			ref := refAnswer{passwd: users[name], group: groups[name]}
			if ref.passwd != "" {
				if k >= len(idG) || k >= len(idGn) {
					t.Fatalf("%s: id printed %d lines", c.dir, len(idG))
				}
				ref.gids, ref.gidNames = strings.Fields(idG[k]), strings.Fields(idGn[k])
				k++
				// id -G NAME starts the group list from the gid of
				// getpwuid(uid), another line's when two lines share the
				// uid (docs/truth.md); initgroups uses the named entry's.
				u, _ := pw.User(name)
				if first, _ := pw.UserByUID(u.UID); first.GID != u.GID {
					ref.gids, ref.gidNames = nil, nil
					skipped++
				}
			}
			for _, d := range compareAccount(t, h, name, ref) {
				compared++
				if d == "" {
					agree++
					continue
				}
				t.Errorf("%s: %s\npasswd: %q\ngroup: %q\nreference: %+v", name, d, c.passwd, c.group, ref)
			}
		}
	}
	t.Logf("differential: %d cases, %d verdicts compared, %d agree; id -G left out for %d users sharing a uid (idSharedUID)", len(cases), compared, agree, skipped)
	if len(cases) < 200 {
		t.Errorf("only %d cases", len(cases))
	}
}

// compareAccount judges name's user and group aspects with the
// reference's answers as expectations.
func compareAccount(t *testing.T, h *host.Host, name string, ref refAnswer) []string {
	var out []string
	agree := func(ok bool, format string, args ...any) {
		if ok {
			out = append(out, "")
		} else {
			out = append(out, fmt.Sprintf(format, args...))
		}
	}
	runUser := func(s *userSpec, aspect string) engine.Result {
		s.name = name
		for _, c := range s.checks() {
			if c.(*userCheck).aspect == aspect {
				return c.Run(context.Background(), h)
			}
		}
		t.Fatalf("no user/%s check", aspect)
		return engine.Result{}
	}
	runGroup := func(s *groupSpec, aspect string) engine.Result {
		s.name = name
		for _, c := range s.checks() {
			if c.(*groupCheck).aspect == aspect {
				return c.Run(context.Background(), h)
			}
		}
		t.Fatalf("no group/%s check", aspect)
		return engine.Result{}
	}
	userExists := ref.passwd != ""
	res := runUser(&userSpec{rule: rule{exists: userExists}}, "exists")
	agree(res.Status == engine.Pass, "user/exists (getent: %q): %s %s", ref.passwd, res.Status, res.Message)
	res = runUser(&userSpec{rule: rule{exists: !userExists}}, "exists")
	agree(res.Status == engine.Fail, "user/exists negated (getent: %q): %s", ref.passwd, res.Status)
	if userExists {
		f := strings.SplitN(ref.passwd, ":", 7)
		for len(f) < 7 {
			f = append(f, "")
		}
		uid, _ := strconv.ParseUint(f[2], 10, 32)
		res = runUser(&userSpec{rule: rule{exists: true}, uid: &uid}, "uid")
		agree(res.Status == engine.Pass, "user/uid %d: %s %s", uid, res.Status, res.Observed)
		other := uid + 1
		res = runUser(&userSpec{rule: rule{exists: true}, uid: &other}, "uid")
		agree(res.Status == engine.Fail, "user/uid %d+1: %s", uid, res.Status)
		res = runUser(&userSpec{rule: rule{exists: true}, gid: f[3]}, "gid")
		agree(res.Status == engine.Pass, "user/gid %s: %s %s", f[3], res.Status, res.Message)
		for _, a := range []struct{ aspect, v string }{{"home", f[5]}, {"shell", f[6]}} {
			if a.v == "" || !strings.HasPrefix(a.v, "/") {
				continue // the profile only takes absolute paths
			}
			s := &userSpec{rule: rule{exists: true}, home: a.v, shell: a.v}
			res = runUser(s, a.aspect)
			agree(res.Status == engine.Pass, "user/%s %q: %s %q", a.aspect, a.v, res.Status, res.Observed)
			s = &userSpec{rule: rule{exists: true}, home: a.v + "x", shell: a.v + "x"}
			res = runUser(s, a.aspect)
			agree(res.Status == engine.Fail, "user/%s %q+x: %s", a.aspect, a.v, res.Status)
		}
		// id -G: the gids getgrouplist gives; id -Gn: their names.
		if gids := ref.gids; gids != nil {
			res = runUser(&userSpec{rule: rule{exists: true}, groups: gids, hasGroup: true}, "groups")
			agree(res.Status == engine.Pass, "user/groups %v: %s %s", gids, res.Status, res.Message)
			names, _ := res.Details["groups"].([]string)
			agree(sameSet(names, ref.gidNames), "user/groups names: id -Gn %q, golive %q", ref.gidNames, names)
			res = runUser(&userSpec{rule: rule{exists: true}, groups: append(slices.Clone(gids), "4294967294"), hasGroup: true}, "groups")
			agree(res.Status == engine.Fail, "user/groups %v + 4294967294: %s", gids, res.Status)
		}
	}
	groupExists := ref.group != ""
	res = runGroup(&groupSpec{rule: rule{exists: groupExists}}, "exists")
	agree(res.Status == engine.Pass, "group/exists (getent: %q): %s %s", ref.group, res.Status, res.Message)
	if groupExists {
		f := strings.SplitN(ref.group, ":", 4)
		for len(f) < 4 {
			f = append(f, "")
		}
		gid, _ := strconv.ParseUint(f[2], 10, 32)
		res = runGroup(&groupSpec{rule: rule{exists: true}, gid: &gid}, "gid")
		agree(res.Status == engine.Pass, "group/gid %d: %s %s", gid, res.Status, res.Observed)
		var members []string
		if f[3] != "" {
			members = strings.Split(f[3], ",")
		}
		res = runGroup(&groupSpec{rule: rule{exists: true}, members: members, hasMembers: true}, "members")
		agree(res.Status == engine.Pass, "group/members %q: %s %s", members, res.Status, res.Message)
		res = runGroup(&groupSpec{rule: rule{exists: true}, members: append(slices.Clone(members), "nosuchmember"), hasMembers: true}, "members")
		agree(res.Status == engine.Fail, "group/members %q+1: %s", members, res.Status)
	}
	return out
}

// refAnswer is what getent and id said about one name: the entries
// ("" when not found) and, for a user, id -G and id -Gn.
type refAnswer struct {
	passwd, group  string
	gids, gidNames []string
}

// byName keys getent's lines by their first field.
func byName(lines []string) map[string]string {
	out := map[string]string{}
	for _, l := range lines {
		name, _, _ := strings.Cut(l, ":")
		out[name] = l
	}
	return out
}

func sameSet(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}

// randomAccountCases writes n cases under base.
func randomAccountCases(t *testing.T, base string, r *rand.Rand, n int) []accountCase {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	pool := []string{"root", "app", "bob", "svc-1", "web_2", "ops", "wheel", "docker", "Ünï"}
	id := func() string {
		return pick("0", "10", "100", "1000", "1001", "65534", "4242", " 12", "+14", "1000", "1001", "x", "")
	}
	members := func() string {
		var m []string
		for range r.IntN(4) {
			m = append(m, pick("", "", " ")+pool[r.IntN(len(pool))])
		}
		return strings.Join(m, pick(",", ",", ",,"))
	}
	// getent cannot print an entry with a colon in a field (putpwent and
	// putgrent refuse it), so no line gets a colon after its last field;
	// the facts package's glibc probe covers those lines.
	decorate := func(line string, passwd bool) string {
		switch r.IntN(14) {
		case 0:
			return "#" + line
		case 1:
			return pick(" ", "\t") + line
		case 2:
			if !passwd {
				return line + "," + pool[r.IntN(len(pool))]
			}
		case 3:
			return ""
		}
		return line
	}
	var out []accountCase
	for i := range n {
		var pw, gr []string
		for range 1 + r.IntN(8) {
			f := []string{pool[r.IntN(len(pool))], "x", id(), id(), pick("", "gecos"), pick("/", "/home/app", "", "/opt/a b"), pick("/bin/sh", "", "/sbin/nologin")}
			pw = append(pw, decorate(strings.Join(f[:4+r.IntN(4)], ":"), true))
		}
		for range 1 + r.IntN(8) {
			f := []string{pool[r.IntN(len(pool))], "x", id(), members()}
			gr = append(gr, decorate(strings.Join(f[:3+r.IntN(2)], ":"), false))
		}
		c := accountCase{dir: filepath.Join(base, fmt.Sprintf("case%03d", i)), passwd: strings.Join(pw, "\n") + "\n", group: strings.Join(gr, "\n") + "\n"}
		c.names = append(slices.Clone(pool), "ghost")
		writeCaseFile(t, filepath.Join(c.dir, facts.PasswdPath), c.passwd)
		writeCaseFile(t, filepath.Join(c.dir, facts.GroupPath), c.group)
		writeCaseFile(t, filepath.Join(c.dir, facts.NsswitchPath), "passwd: files\ngroup: files\n")
		writeCaseFile(t, filepath.Join(c.dir, "names"), strings.Join(c.names, "\n")+"\n")
		out = append(out, c)
	}
	return out
}

func writeCaseFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
