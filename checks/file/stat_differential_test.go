package file

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/expect"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// The accounts of the differential's root: names for some ids, two names
// for uid 1000 (getpwuid takes the first), and ids with no name.
const (
	diffPasswd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/sbin/nologin\napp:x:1000:1000::/opt/app:/bin/sh\n" +
		"app2:x:1000:1000::/:/bin/sh\nsvc:x:1001:1001::/:/sbin/nologin\nnobody:x:65534:65534::/:/sbin/nologin\n"
	diffGroup = "root:x:0:\ndaemon:x:1:\napp:x:1000:\nsvc:x:1001:app\nwheel:x:10:app\nnogroup:x:65534:\n"
	diffMount = "/mnt/golive-file-diff"
)

// diffCase is one generated path and how it was made.
type diffCase struct {
	path string // as seen inside the namespace and by golive (root R)
	kind string
}

// TestStatDifferential generates a tree (regular files of random sizes
// and contents, directories, fifos, a socket, symlinks: relative,
// absolute, chained, dangling and looping; random modes with setuid,
// setgid and sticky; random owners and groups, named and not) and
// compares, for every path, what GNU stat (-c '%F %a %U %G %s %N', and
// with -L for the file a link leads to) and sha256sum say inside a mount
// namespace where the root's passwd and group are bound over /etc with
// what golive's checks observe and judge: each aspect with the
// reference's value as its expectation must pass, and with a changed one
// must fail.
func TestStatDifferential(t *testing.T) {
	testenv.NeedNamespaces(t)
	testenv.NeedCommand(t, "stat", "coreutils")
	testenv.NeedCommand(t, "sha256sum", "coreutils")
	root := t.TempDir()
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"passwd": diffPasswd, "group": diffGroup, "nsswitch.conf": "passwd: files\ngroup: files\n"} {
		writeTestFile(t, filepath.Join(root, "etc", name), data)
	}
	tree := filepath.Join(root, diffMount)
	cases := generateTree(t, tree, rand.New(rand.NewPCG(20, 1)), 260)

	var ns testenv.Namespace
	ns.Tmpfs = []string{"/mnt"}
	for _, d := range []string{"/run/nscd"} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			ns.Tmpfs = append(ns.Tmpfs, d)
		}
	}
	ns.Setup = "mkdir -p " + diffMount
	ns.Binds = []testenv.Bind{{Source: tree, Target: diffMount}}
	for _, f := range []string{"passwd", "group", "nsswitch.conf"} {
		ns.Binds = append(ns.Binds, testenv.Bind{Source: filepath.Join(root, "etc", f), Target: "/etc/" + f, ReadOnly: true})
	}
	list := filepath.Join(t.TempDir(), "paths")
	var paths []string
	for _, c := range cases {
		paths = append(paths, c.path)
	}
	writeTestFile(t, list, strings.Join(paths, "\n")+"\n")
	// One line per path: the path's own stat, the followed stat (or ERR)
	// and, for a regular file, its sha256sum.
	script := `while IFS= read -r p; do
  a=$(stat -c '%F|%a|%U|%G|%s|%u|%g|%N' "$p" 2>/dev/null || echo ERR)
  b=$(stat -L -c '%F|%a|%U|%G|%s|%u|%g' "$p" 2>/dev/null || echo ERR)
  s=-
  case "$b" in "regular file|"*|"regular empty file|"*) s=$(sha256sum < "$p" | cut -d' ' -f1);; esac
  printf '%s\t%s\t%s\n' "$a" "$b" "$s"
done < "$1"`
	cmd := ns.Command("sh", "-c", script, "sh", list)
	cmd.Env = append(os.Environ(), "QUOTING_STYLE=literal", "LC_ALL=C")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("namespace: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(cases) {
		t.Fatalf("%d reference lines for %d paths", len(lines), len(cases))
	}
	h, err := host.New(root)
	if err != nil {
		t.Fatal(err)
	}
	compared, agree := 0, 0
	for i, c := range cases {
		ref := parseRef(t, lines[i])
		for _, d := range judgeAgainst(t, h, c, ref) {
			compared++
			if d == "" {
				agree++
				continue
			}
			t.Errorf("%s (%s): %s\nreference: %s", c.path, c.kind, d, lines[i])
		}
	}
	t.Logf("differential: %d paths, %d verdicts compared, %d agree", len(cases), compared, agree)
	if len(cases) < 200 {
		t.Errorf("only %d cases", len(cases))
	}
}

// statRef is the reference's view of one path.
type statRef struct {
	own, followed []string // %F %a %U %G %s (%N): nil when stat failed
	sha256        string   // "-" when not a regular file
}

func parseRef(t *testing.T, line string) statRef {
	f := strings.Split(line, "\t")
	if len(f) != 3 {
		t.Fatalf("reference line %q", line)
	}
	var r statRef
	if f[0] != "ERR" {
		r.own = strings.SplitN(f[0], "|", 8)
	}
	if f[1] != "ERR" {
		r.followed = strings.Split(f[1], "|")
	}
	r.sha256 = f[2]
	return r
}

// gnuType maps stat's %F to type: names.
var gnuType = map[string]string{
	"regular file": "file", "regular empty file": "file", "directory": "directory", "symbolic link": "symlink",
	"fifo": "fifo", "socket": "socket", "block special file": "block-device", "character special file": "char-device",
}

// judgeAgainst runs golive's checks of c with the reference's values as
// expectations (each must pass, and observe what the reference saw) and
// with changed ones (each must fail). It returns one entry per verdict
// compared: "" when it agrees, else what differs.
func judgeAgainst(t *testing.T, h *host.Host, c diffCase, ref statRef) []string {
	var out []string
	agree := func(ok bool, format string, args ...any) {
		if ok {
			out = append(out, "")
		} else {
			out = append(out, fmt.Sprintf(format, args...))
		}
	}
	run := func(s *spec, a aspect) engine.Result {
		for _, ch := range s.checks() {
			if ch.(*check).aspect == a {
				return ch.Run(context.Background(), h)
			}
		}
		t.Fatalf("no %s check built for %s", a, s.path)
		return engine.Result{}
	}
	if ref.own == nil {
		res := run(&spec{path: c.path, exists: true}, aspExists)
		agree(res.Status == engine.Fail, "stat fails but file/exists says %s", res.Status)
		return out
	}
	res := run(&spec{path: c.path, exists: true}, aspExists)
	agree(res.Status == engine.Pass, "exists: %s %s", res.Status, res.Message)
	typ := gnuType[ref.own[0]]
	res = run(&spec{path: c.path, exists: true, ftype: typ}, aspType)
	agree(res.Status == engine.Pass && res.Observed == typ, "type %s: %s %s", typ, res.Status, res.Observed)
	other := "directory"
	if typ == "directory" {
		other = "file"
	}
	res = run(&spec{path: c.path, exists: true, ftype: other}, aspType)
	agree(res.Status == engine.Fail, "type %s on a %s: %s", other, typ, res.Status)
	if typ == "symlink" {
		_, target, _ := strings.Cut(ref.own[7], " -> ")
		res = run(&spec{path: c.path, exists: true, target: target}, aspTarget)
		agree(res.Status == engine.Pass && res.Observed == target, "target %q: %s %q", target, res.Status, res.Observed)
		res = run(&spec{path: c.path, exists: true, target: target + "x"}, aspTarget)
		agree(res.Status == engine.Fail, "target %q+x: %s", target, res.Status)
	}
	if ref.followed == nil {
		// stat -L fails: a dangling link or a loop.
		res = run(&spec{path: c.path, exists: true, hasMode: true, mode: modeExpr{op: modeExact}}, aspMode)
		agree(res.Status == engine.Fail || res.Status == engine.Error, "stat -L fails, mode check says %s %s", res.Status, res.Observed)
		return out
	}
	mode, err := strconv.ParseUint(ref.followed[1], 8, 32)
	if err != nil {
		t.Fatalf("mode %q", ref.followed[1])
	}
	res = run(&spec{path: c.path, exists: true, hasMode: true, mode: modeExpr{op: modeExact, bits: uint32(mode)}}, aspMode)
	agree(res.Status == engine.Pass && res.Observed == octal(uint32(mode)), "mode %s: %s %s", ref.followed[1], res.Status, res.Observed)
	res = run(&spec{path: c.path, exists: true, hasMode: true, mode: modeExpr{op: modeExact, bits: uint32(mode) ^ 0o4002}}, aspMode)
	agree(res.Status == engine.Fail, "mode %o^4002: %s", mode, res.Status)
	for _, id := range []struct {
		a               aspect
		name, num, miss string
		detail          string
	}{{aspOwner, ref.followed[2], ref.followed[5], "svc", "user"}, {aspGroup, ref.followed[3], ref.followed[6], "wheel", "group"}} {
		// The name stat prints (getpwuid/getgrgid), or the number when
		// it prints UNKNOWN; golive must observe the same name.
		want := id.name
		if want == "UNKNOWN" {
			want = id.num
		}
		s := &spec{path: c.path, exists: true, owner: want, group: want}
		res = run(s, id.a)
		agree(res.Status == engine.Pass, "%s %s: %s %s", id.a, want, res.Status, res.Message)
		name, _ := res.Details[id.detail].(string)
		agree(name == id.name || id.name == "UNKNOWN" && name == "", "%s name: stat %s, golive %q", id.a, id.name, name)
		if want != id.miss {
			s = &spec{path: c.path, exists: true, owner: id.miss, group: id.miss}
			res = run(s, id.a)
			agree(res.Status == engine.Fail, "%s %s on %s: %s", id.a, id.miss, want, res.Status)
		}
	}
	size := ref.followed[4]
	eq, _ := expect.Parse(size)
	res = run(&spec{path: c.path, exists: true, size: &eq}, aspSize)
	agree(res.Status == engine.Pass && res.Observed == size, "size %s: %s %s", size, res.Status, res.Observed)
	gt, _ := expect.Parse("> " + size)
	res = run(&spec{path: c.path, exists: true, size: &gt}, aspSize)
	agree(res.Status == engine.Fail, "size > %s: %s", size, res.Status)
	if ref.sha256 != "-" {
		res = run(&spec{path: c.path, exists: true, sha256: ref.sha256}, aspSHA256)
		agree(res.Status == engine.Pass && res.Observed == ref.sha256, "sha256: %s %s", res.Status, res.Observed)
		flipped := strings.Repeat("0", 64)
		if ref.sha256 == flipped {
			flipped = strings.Repeat("1", 64)
		}
		res = run(&spec{path: c.path, exists: true, sha256: flipped}, aspSHA256)
		agree(res.Status == engine.Fail, "sha256 0…: %s", res.Status)
	}
	return out
}

// generateTree makes n paths under dir (which the namespace shows at
// diffMount) and returns them as the namespace and golive name them.
func generateTree(t *testing.T, dir string, r *rand.Rand, n int) []diffCase {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ids := []int{0, 1, 1000, 1001, 10, 65534, 4242, 77777}
	var cases []diffCase
	var files []string // made so far, for links to point at
	add := func(name, kind string) string {
		p := diffMount + "/" + name
		cases = append(cases, diffCase{path: p, kind: kind})
		return filepath.Join(dir, name)
	}
	own := func(real string) {
		if err := os.Lchown(real, ids[r.IntN(len(ids))], ids[r.IntN(len(ids))]); err != nil {
			t.Fatal(err)
		}
	}
	chmod := func(real string) {
		// chown clears setuid and setgid: chmod after it.
		if err := syscall.Chmod(real, uint32(r.IntN(0o10000))); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; len(cases) < n; i++ {
		name := fmt.Sprintf("p%03d", i)
		switch k := r.IntN(10); {
		case k < 4 || len(files) == 0:
			real := add(name, "file")
			data := make([]byte, []int{0, 1, 100, 4096, 70000}[r.IntN(5)])
			for j := range data {
				data[j] = byte(r.IntN(256))
			}
			writeTestFile(t, real, string(data))
			own(real)
			chmod(real)
			files = append(files, name)
		case k < 6:
			real := add(name, "directory")
			if err := os.Mkdir(real, 0o755); err != nil {
				t.Fatal(err)
			}
			own(real)
			chmod(real)
			files = append(files, name)
		case k == 6:
			real := add(name, "fifo")
			if err := syscall.Mkfifo(real, 0o600); err != nil {
				t.Fatal(err)
			}
			own(real)
			chmod(real)
		default:
			var target, kind string
			switch r.IntN(5) {
			case 0:
				target, kind = files[r.IntN(len(files))], "symlink relative"
			case 1:
				target, kind = diffMount+"/"+files[r.IntN(len(files))], "symlink absolute"
			case 2:
				target, kind = fmt.Sprintf("p%03d", r.IntN(i+3)), "symlink chain or dangling"
			case 3:
				target, kind = "missing/../"+files[r.IntN(len(files))], "symlink through a missing dir"
			default:
				target, kind = name, "symlink loop"
			}
			real := add(name, kind)
			if err := os.Symlink(target, real); err != nil {
				t.Fatal(err)
			}
			own(real)
		}
	}
	// A socket, and a path that does not exist.
	real := add("sock", "socket")
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: real}); err != nil {
		t.Fatal(err)
	}
	add("absent", "absent")
	return cases
}

func writeTestFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
