package rpmdb

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/golive-sh/golive/internal/rpmdb/rpmdbtest"
)

// seeds are the fixture roots' real databases (testdata/roots), when
// present, so that the fuzzer starts from files rpm wrote.
func seeds(f *testing.F, names ...string) {
	for _, n := range names {
		if data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "roots", n)); err == nil {
			f.Add(data)
		}
	}
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
	})
}

// FuzzReadSQLite: any file gives packages or an error, never a panic or a
// hang.
func FuzzReadSQLite(f *testing.F) {
	seeds(f, "rocky-9/var/lib/rpm/rpmdb.sqlite", "broken/var/lib/rpm/rpmdb.sqlite")
	f.Add([]byte(sqliteMagic + "\x02\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ReadSQLite(bytes.NewReader(data), int64(len(data)))
	})
}

// FuzzReadBDB: any file gives packages or an error, never a panic or a
// hang.
func FuzzReadBDB(f *testing.F) {
	seeds(f, "centos-7/var/lib/rpm/Packages")
	meta := make([]byte, 1024)
	binary.LittleEndian.PutUint32(meta[12:], bdbHashMagic)
	binary.LittleEndian.PutUint32(meta[20:], 512)
	meta[25] = bdbHashMetaPage
	f.Add(meta)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ReadBDB(bytes.NewReader(data), int64(len(data)))
	})
}
