package rpmdb

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/golive-sh/golive/internal/rpmdb/rpmdbtest"
)

// seedFiles are the fixture roots' real databases (testdata/roots), when
// present, so that the fuzzer starts from files rpm wrote.
func seedFiles(names ...string) [][]byte {
	var out [][]byte
	for _, n := range names {
		if data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "roots", n)); err == nil {
			out = append(out, data)
		}
	}
	return out
}

// FuzzParseHeader: any blob gives a package or an error, never a panic;
// a package always has a name.
func FuzzParseHeader(f *testing.F) {
	f.Add(rpmdbtest.Header(rpmdbtest.Spec{Name: "openssl", Version: "3.0.7", Release: "27.el9", Arch: "x86_64", Epoch: 1}, 0))
	f.Add(rpmdbtest.Header(rpmdbtest.Spec{Name: "bash", Version: "5.1.8", Release: "9.el9", Epoch: -1}, 100))
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, blob []byte) {
		p, err := ParseHeader(blob)
		if err == nil && p.Name == "" {
			t.Fatal("a package without a name")
		}
		// Reading only the prefix the tags need gives the same answer.
		q, qerr := readHeader(uint64(len(blob)), func(n uint64) ([]byte, error) { return blob[:n], nil })
		if (err == nil) != (qerr == nil) || p != q {
			t.Fatalf("whole: %+v, %v; by prefix: %+v, %v", p, err, q, qerr)
		}
	})
}

// FuzzReadSQLite: any file and write-ahead log give packages or an error,
// never a panic or a hang.
func FuzzReadSQLite(f *testing.F) {
	for _, s := range seedFiles("rocky-9/var/lib/rpm/rpmdb.sqlite", "broken/var/lib/rpm/rpmdb.sqlite") {
		f.Add(s, []byte(nil))
		f.Add(s, testWAL(s, 512, 3))
	}
	f.Add([]byte(sqliteMagic+"\x02\x00"), []byte("\x37\x7f\x06\x82\x00\x2d\xe2\x18\x00\x00\x02\x00"))
	f.Fuzz(func(t *testing.T, data, wal []byte) {
		_, _ = ReadSQLite(bytes.NewReader(data), int64(len(data)), bytes.NewReader(wal), int64(len(wal)))
	})
}

// FuzzReadBDB: any file gives packages or an error, never a panic or a
// hang.
func FuzzReadBDB(f *testing.F) {
	for _, s := range seedFiles("centos-7/var/lib/rpm/Packages") {
		f.Add(s)
	}
	meta := make([]byte, 1024)
	binary.LittleEndian.PutUint32(meta[12:], bdbHashMagic)
	binary.LittleEndian.PutUint32(meta[20:], 512)
	meta[25] = bdbHashMetaPage
	f.Add(meta)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ReadBDB(bytes.NewReader(data), int64(len(data)))
	})
}

// testWAL is a valid write-ahead log for db (pages of pageSize bytes)
// holding one committed transaction that rewrites its first n pages.
func testWAL(db []byte, pageSize, n int) []byte {
	order := binary.BigEndian
	w := order.AppendUint32(nil, walMagic|1)
	for _, v := range []uint32{3007000, uint32(pageSize), 0, 0x1234, 0x5678} {
		w = order.AppendUint32(w, v)
	}
	s0, s1 := walChecksum(order, w, 0, 0)
	w = order.AppendUint32(order.AppendUint32(w, s0), s1)
	for pg := 1; pg <= n && pg*pageSize <= len(db); pg++ {
		var commit uint32
		if pg == n {
			commit = uint32(len(db) / pageSize)
		}
		fh := order.AppendUint32(order.AppendUint32(nil, uint32(pg)), commit)
		page := db[(pg-1)*pageSize : pg*pageSize]
		s0, s1 = walChecksum(order, fh, s0, s1)
		s0, s1 = walChecksum(order, page, s0, s1)
		fh = append(fh, w[16:24]...)
		fh = order.AppendUint32(order.AppendUint32(fh, s0), s1)
		w = append(append(w, fh...), page...)
	}
	return w
}

// TestWALReplacesPages: a log built by testWAL is read (the same
// packages), and one with a broken checksum is ignored, as SQLite does.
func TestWALReplacesPages(t *testing.T) {
	db := seedFiles("rocky-9/var/lib/rpm/rpmdb.sqlite")[0]
	plain, err := ReadSQLite(bytes.NewReader(db), int64(len(db)), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	wal := testWAL(db, 512, 3)
	w, err := readWAL(bytes.NewReader(wal), int64(len(wal)), 512)
	if err != nil || w == nil || len(w.pages) != 3 {
		t.Fatalf("readWAL: %+v %v", w, err)
	}
	logged, err := ReadSQLite(bytes.NewReader(db), int64(len(db)), bytes.NewReader(wal), int64(len(wal)))
	if err != nil || len(logged) != len(plain) {
		t.Fatalf("with the log: %d packages, %v; without: %d", len(logged), err, len(plain))
	}
	wal[len(wal)-1] ^= 1
	if w, err := readWAL(bytes.NewReader(wal), int64(len(wal)), 512); err != nil || w != nil {
		t.Errorf("a log whose only commit frame fails its checksum: %+v %v", w, err)
	}
}
