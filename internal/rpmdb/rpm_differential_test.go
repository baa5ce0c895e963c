package rpmdb_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/golive-sh/golive/internal/rpmdb"
	"github.com/golive-sh/golive/internal/rpmdb/rpmdbtest"
)

func lines(pkgs []rpmdb.Package) []string {
	var out []string
	for _, p := range pkgs {
		arch := p.Arch
		if arch == "" {
			arch = "(none)"
		}
		out = append(out, fmt.Sprintf("%s %d %s %s %s", p.Name, p.Epoch, p.Version, p.Release, arch))
	}
	slices.Sort(out)
	return out
}

func readFile(t *testing.T, path string, read func([]byte) ([]rpmdb.Package, error)) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := read(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return lines(pkgs)
}

func sqliteBytes(b []byte) ([]rpmdb.Package, error) {
	return rpmdb.ReadSQLite(bytes.NewReader(b), int64(len(b)), nil, 0)
}
func bdbBytes(b []byte) ([]rpmdb.Package, error) {
	return rpmdb.ReadBDB(bytes.NewReader(b), int64(len(b)))
}

// TestReadersAgreeWithRPM builds random packages with rpmbuild, records
// them in a real rpm SQLite database (rpm -i --justdb), loads the same
// header blobs into a Berkeley DB hash file (db5.3_load, at three page
// sizes), and holds both readers to rpm -qa on each database: rpm's sqlite
// backend for the one, its read-only bdb backend for the other.
func TestReadersAgreeWithRPM(t *testing.T) {
	rpmdbtest.Need(t)
	r := rand.New(rand.NewPCG(20, uint64(os.Getpid())))
	specs := rpmdbtest.Random(r, 120)
	var want []string
	for _, s := range specs {
		want = append(want, s.Line())
	}
	slices.Sort(want)
	dir := rpmdbtest.InstallSQLite(t, rpmdbtest.Build(t, specs))
	sqlitePath := filepath.Join(dir, "rpmdb.sqlite")
	if got := rpmdbtest.Query(t, dir, false); !slices.Equal(got, want) {
		t.Fatalf("rpm -qa does not list the generated packages:\n%q\nwant\n%q", got, want)
	}
	if got := readFile(t, sqlitePath, sqliteBytes); !slices.Equal(got, want) {
		t.Errorf("ReadSQLite:\n%q\nrpm -qa:\n%q", got, want)
	}
	walAgrees(t, sqlitePath, want)
	blobs := rpmdbtest.Blobs(t, sqlitePath)
	for _, ps := range []int{0, 512, 1024, 65536} {
		bdbDir := t.TempDir()
		path := rpmdbtest.LoadBDB(t, bdbDir, blobs, ps)
		ref := rpmdbtest.Query(t, bdbDir, true)
		if !slices.Equal(ref, want) {
			t.Fatalf("page size %d: rpm's bdb backend lists\n%q", ps, ref)
		}
		if got := readFile(t, path, bdbBytes); !slices.Equal(got, ref) {
			t.Errorf("page size %d: ReadBDB:\n%q\nrpm -qa (bdb_ro):\n%q", ps, got, ref)
		}
	}
	// A big-endian machine's file (s390x): rpm here cannot read it, so the
	// reference is the list the other files gave.
	path := rpmdbtest.LoadBDBOrder(t, t.TempDir(), blobs, 4096, binary.BigEndian)
	if data, _ := os.ReadFile(path); len(data) < 16 || binary.BigEndian.Uint32(data[12:]) != 0x061561 {
		t.Fatalf("db_load did not write a big-endian file")
	}
	if got := readFile(t, path, bdbBytes); !slices.Equal(got, want) {
		t.Errorf("big-endian: ReadBDB:\n%q\nwant\n%q", got, want)
	}
}

// walAgrees changes a copy of the database in a transaction whose
// sqlite3 is killed before it checkpoints (rows deleted, headers added
// again under new numbers), and holds ReadSQLite with the write-ahead log
// to rpm -qa on a copy of the same three files.
func walAgrees(t *testing.T, sqlitePath string, before []string) {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "rpmdb.sqlite")
	copyFile(t, sqlitePath, db)
	rpmdbtest.Crash(t, db, "DELETE FROM Packages WHERE hnum % 3 = 0; INSERT INTO Packages(blob) SELECT blob FROM Packages WHERE hnum % 5 = 1;")
	ref := t.TempDir()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		copyFile(t, db+suffix, filepath.Join(ref, "rpmdb.sqlite"+suffix))
	}
	want := rpmdbtest.Query(t, ref, false)
	if slices.Equal(want, before) {
		t.Fatal("the killed transaction changed nothing rpm sees")
	}
	data, wal := readAll(t, db), readAll(t, db+"-wal")
	pkgs, err := rpmdb.ReadSQLite(bytes.NewReader(data), int64(len(data)), bytes.NewReader(wal), int64(len(wal)))
	if err != nil {
		t.Fatal(err)
	}
	if got := lines(pkgs); !slices.Equal(got, want) {
		t.Errorf("ReadSQLite with the write-ahead log:\n%q\nrpm -qa:\n%q", got, want)
	}
	if got := readFile(t, db, sqliteBytes); slices.Equal(got, want) {
		t.Error("the file alone already lists the logged changes: the test proves nothing")
	}
}

func readAll(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.WriteFile(to, readAll(t, from), 0o644); err != nil {
		t.Fatal(err)
	}
}
