// Package rpmdbtest builds real rpm databases for tests: packages made by
// rpmbuild from generated spec files, installed with rpm -i --justdb into
// a SQLite database in a temp dir, the same header blobs loaded into a
// Berkeley DB hash file with db5.3_load, and rpm -qa as the reference of
// what either holds. Nothing touches the host's own rpm database.
package rpmdbtest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// Spec is one package to build.
type Spec struct {
	Name, Version, Release, Arch string
	Epoch                        int // -1: no Epoch tag
	// Description pads the header, so that some headers span overflow pages.
	Description string
}

// Line is the package as Query prints it.
func (s Spec) Line() string {
	e := max(s.Epoch, 0)
	return fmt.Sprintf("%s %d %s %s %s", s.Name, e, s.Version, s.Release, s.Arch)
}

// Need skips (fails in CI) unless rpmbuild, rpm, sqlite3 and db5.3_load
// are installed.
func Need(t testing.TB) {
	t.Helper()
	testenv.NeedCommand(t, "rpmbuild", "rpm")
	testenv.NeedCommand(t, "sqlite3", "sqlite3")
	testenv.NeedCommand(t, "db5.3_load", "db5.3-util")
	testenv.NeedNamespaces(t)
}

const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"

func word(r *rand.Rand, first, rest string, n int) string {
	b := []byte{first[r.IntN(len(first))]}
	for range r.IntN(n) {
		b = append(b, rest[r.IntN(len(rest))])
	}
	// rpmbuild refuses ".." in a tag.
	return strings.ReplaceAll(string(b), "..", ".")
}

// Random returns n specs with distinct random names and random epochs,
// versions (with ~, ^, +, _ and letters), releases and architectures.
func Random(r *rand.Rand, n int) []Spec {
	seen := map[string]bool{}
	var out []Spec
	for len(out) < n {
		name := word(r, alnum, alnum+"-_+", 20)
		if seen[name] {
			continue
		}
		seen[name] = true
		s := Spec{Name: name, Epoch: -1, Arch: []string{"noarch", "x86_64"}[r.IntN(2)],
			Version: word(r, alnum, alnum+"._+~^", 12), Release: word(r, alnum, alnum+"._+~", 10)}
		if r.IntN(2) == 0 {
			s.Epoch = []int{0, 1, 2, 7, 99, 65535, 2147483647}[r.IntN(7)]
		}
		if r.IntN(4) == 0 {
			s.Description = strings.Repeat(word(r, alnum, alnum+" ", 60)+"\n", 20+r.IntN(400))
		}
		out = append(out, s)
	}
	return out
}

// Build runs rpmbuild on the specs and returns the .rpm files.
func Build(t testing.TB, specs []Spec) []string {
	t.Helper()
	d := t.TempDir()
	var files []string
	for i, s := range specs {
		var b strings.Builder
		fmt.Fprintf(&b, "Name: %s\nVersion: %s\nRelease: %s\nSummary: generated\nLicense: MIT\nBuildArch: %s\n", s.Name, s.Version, s.Release, s.Arch)
		if s.Epoch >= 0 {
			fmt.Fprintf(&b, "Epoch: %d\n", s.Epoch)
		}
		desc := s.Description
		if desc == "" {
			desc = "generated"
		}
		fmt.Fprintf(&b, "%%description\n%s\n%%files\n", desc)
		f := filepath.Join(d, fmt.Sprintf("p%d.spec", i))
		if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	args := []string{"--define", "_topdir " + filepath.Join(d, "top"), "--define", "_build_id_links none",
		"--define", "_binary_payload w.ufdio", "--quiet", "-bb"}
	run(t, "rpmbuild", append(args, files...)...)
	rpms, err := filepath.Glob(filepath.Join(d, "top", "RPMS", "*", "*.rpm"))
	if err != nil || len(rpms) != len(specs) {
		t.Fatalf("rpmbuild made %d packages of %d (%v)", len(rpms), len(specs), err)
	}
	return rpms
}

// InstallSQLite makes a new rpm database in a temp dir (rpm's own format:
// SQLite for rpm >= 4.16) and records the packages there with rpm -i
// --justdb; it returns the database directory.
func InstallSQLite(t testing.TB, rpms []string) string {
	t.Helper()
	db := t.TempDir()
	run(t, "rpm", "--initdb", "--dbpath", db)
	if len(rpms) > 0 {
		run(t, "rpm", append([]string{"-i", "--justdb", "--nodeps", "--noscripts", "--notriggers", "--ignorearch", "--ignoreos", "--dbpath", db}, rpms...)...)
	}
	return db
}

// Blobs are a SQLite rpm database's header blobs by instance number.
func Blobs(t testing.TB, sqlitePath string) map[uint32][]byte {
	t.Helper()
	out := run(t, "sqlite3", "-readonly", sqlitePath, "SELECT hnum, hex(blob) FROM Packages")
	blobs := map[uint32][]byte{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		n, h, _ := strings.Cut(l, "|")
		num, err := strconv.ParseUint(n, 10, 32)
		if err != nil {
			t.Fatalf("sqlite3: %q", l)
		}
		var b []byte
		if _, err := fmt.Sscanf(h, "%X", &b); err != nil {
			t.Fatalf("sqlite3: %q: %v", l, err)
		}
		blobs[uint32(num)] = b
	}
	return blobs
}

// LoadBDB writes a Berkeley DB hash Packages file into dir with db5.3_load,
// as rpm's bdb backend stores it: keys are instance numbers in the
// machine's byte order, and key 0 holds the highest instance. pageSize 0
// is db_load's default.
func LoadBDB(t testing.TB, dir string, blobs map[uint32][]byte, pageSize int) string {
	t.Helper()
	return LoadBDBOrder(t, dir, blobs, pageSize, binary.NativeEndian)
}

// LoadBDBOrder is LoadBDB for a machine of the given byte order (s390x
// writes big-endian files and keys): db_load's db_lorder makes the file.
func LoadBDBOrder(t testing.TB, dir string, blobs map[uint32][]byte, pageSize int, order binary.AppendByteOrder) string {
	t.Helper()
	var dump bytes.Buffer
	dump.WriteString("VERSION=3\nformat=bytevalue\ntype=hash\n")
	if pageSize > 0 {
		fmt.Fprintf(&dump, "db_pagesize=%d\n", pageSize)
	}
	if order == binary.BigEndian {
		dump.WriteString("db_lorder=4321\n")
	} else {
		dump.WriteString("db_lorder=1234\n")
	}
	dump.WriteString("HEADER=END\n")
	key := func(n uint32) string { return fmt.Sprintf(" %x\n", order.AppendUint32(nil, n)) }
	var nums []uint32
	for n := range blobs {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	last := uint32(0)
	if len(nums) > 0 {
		last = nums[len(nums)-1]
	}
	dump.WriteString(key(0) + key(last))
	for _, n := range nums {
		fmt.Fprintf(&dump, "%s %x\n", key(n), blobs[n])
	}
	dump.WriteString("DATA=END\n")
	in := filepath.Join(t.TempDir(), "dump")
	if err := os.WriteFile(in, dump.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "Packages")
	run(t, "db5.3_load", "-f", in, out)
	return out
}

// Query is rpm -qa on the database in dir, one sorted line a package:
// NAME EPOCHNUM VERSION RELEASE ARCH. bdb reads a Berkeley DB Packages
// file with rpm's read-only bdb backend.
func Query(t testing.TB, dir string, bdb bool) []string {
	t.Helper()
	args := []string{"-qa", "--dbpath", dir, "--qf", "%{NAME} %{EPOCHNUM} %{VERSION} %{RELEASE} %{ARCH}\\n"}
	if bdb {
		args = append([]string{"--define", "_db_backend bdb_ro"}, args...)
	}
	return SortedLines(run(t, "rpm", args...))
}

// SortedLines splits out into its non-empty lines, sorted.
func SortedLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	slices.Sort(lines)
	return lines
}

// sandbox is where every program runs: a private network namespace (rpm
// has no business on the network) and a private mount namespace with an
// empty tmpfs over the host's rpm database directories, so that even a
// mistaken --dbpath cannot reach them.
var sandbox = testenv.Namespace{Net: true, Setup: "for d in /var/lib/rpm /usr/lib/sysimage/rpm; do if [ -d $d ]; then mount -t tmpfs golive-test $d; fi; done"}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	cmd := sandbox.Command(append([]string{name}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "HOME="+os.TempDir(), "LC_ALL=C")
	if err := cmd.Run(); err != nil {
		line := strings.Join(args, " ")
		if len(line) > 300 {
			line = line[:300] + "…"
		}
		t.Fatalf("%s %s: %v\n%s", name, line, err, stderr.String())
	}
	return stdout.String()
}

// Unsatisfied asks rpm which dependencies ("name >= 1.0") no package of
// the database in dir satisfies: rpmbuild makes a package that requires
// them all, and rpm -i --test lists those its dependency check fails,
// rpm's own range matching against what the database provides.
func Unsatisfied(t testing.TB, dir string, deps []string) map[string]bool {
	t.Helper()
	d := t.TempDir()
	var spec strings.Builder
	spec.WriteString("Name: golive-requires\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\nBuildArch: noarch\n")
	for _, dep := range deps {
		fmt.Fprintf(&spec, "Requires: %s\n", dep)
	}
	spec.WriteString("%description\nx\n%files\n")
	f := filepath.Join(d, "req.spec")
	if err := os.WriteFile(f, []byte(spec.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "rpmbuild", "--define", "_topdir "+filepath.Join(d, "top"), "--define", "_build_id_links none", "--quiet", "-bb", f)
	rpms, err := filepath.Glob(filepath.Join(d, "top", "RPMS", "*", "*.rpm"))
	if err != nil || len(rpms) != 1 {
		t.Fatalf("rpmbuild: %v %v", rpms, err)
	}
	cmd := sandbox.Command("rpm", "-i", "--test", "--nosignature", "--dbpath", dir, rpms[0])
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "HOME="+os.TempDir(), "LC_ALL=C")
	_ = cmd.Run() // exits 1 when a dependency fails
	failed := map[string]bool{}
	for _, l := range strings.Split(stderr.String(), "\n") {
		if dep, ok := strings.CutSuffix(strings.TrimSpace(l), " is needed by golive-requires-1-1.noarch"); ok {
			failed[dep] = true
		}
	}
	return failed
}

// Header is a minimal rpm header blob as the databases store it, for
// tests that need many packages fast: NAME, VERSION, RELEASE, ARCH (when
// set), EPOCH (when >= 0) and pad bytes of DESCRIPTION, so that headers
// span overflow pages as real ones (with their file lists) do.
func Header(s Spec, pad int) []byte {
	type entry struct {
		tag, typ uint32
		data     []byte
	}
	str := func(v string) []byte { return append([]byte(v), 0) }
	var es []entry
	if s.Epoch >= 0 {
		es = append(es, entry{1003, 4, binary.BigEndian.AppendUint32(nil, uint32(s.Epoch))})
	}
	es = append(es, entry{1000, 6, str(s.Name)}, entry{1001, 6, str(s.Version)}, entry{1002, 6, str(s.Release)})
	if s.Arch != "" {
		es = append(es, entry{1022, 6, str(s.Arch)})
	}
	if pad > 0 {
		es = append(es, entry{1005, 6, str(strings.Repeat("x", pad))})
	}
	var index, store []byte
	for _, e := range es {
		for _, v := range []uint32{e.tag, e.typ, uint32(len(store)), 1} {
			index = binary.BigEndian.AppendUint32(index, v)
		}
		store = append(store, e.data...)
	}
	blob := binary.BigEndian.AppendUint32(nil, uint32(len(es)))
	blob = binary.BigEndian.AppendUint32(blob, uint32(len(store)))
	return append(append(blob, index...), store...)
}

// WriteSQLite writes blobs (numbered from 1) into a new SQLite file at
// path with sqlite3, in the table rpm's sqlite backend creates.
func WriteSQLite(t testing.TB, path string, blobs [][]byte) {
	t.Helper()
	var sql strings.Builder
	sql.WriteString("PRAGMA page_size=4096;\nCREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL);\nBEGIN;\n")
	for i, b := range blobs {
		fmt.Fprintf(&sql, "INSERT INTO Packages VALUES (%d, X'%x');\n", i+1, b)
	}
	sql.WriteString("COMMIT;\n")
	in := filepath.Join(t.TempDir(), "load.sql")
	if err := os.WriteFile(in, []byte(sql.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "sqlite3", path, ".read "+in)
}

// Crash runs sql on the SQLite file at path in WAL mode with automatic
// checkpoints off, then kills sqlite3 before it can close the database:
// the changes stay in path-wal, as after an rpm killed mid-transaction.
func Crash(t testing.TB, path, sql string) {
	t.Helper()
	cmd := sandbox.Command("sqlite3", path, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; "+sql, ".shell kill -9 $PPID")
	cmd.Env = append(os.Environ(), "HOME="+os.TempDir(), "LC_ALL=C")
	_ = cmd.Run() // killed, by design
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("sqlite3 left no write-ahead log: %v", err)
	}
}
