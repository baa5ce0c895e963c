package rpmdb_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/golive-sh/golive/internal/rpmdb"
	"github.com/golive-sh/golive/internal/rpmdb/rpmdbtest"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r *bytes.Reader
	n atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// TestReadsOnlyWhatItNeeds: with headers that carry 24 KiB after the tags
// golive reads (as real ones carry file lists), both readers list every
// package while reading under a third of the file.
func TestReadsOnlyWhatItNeeds(t *testing.T) {
	rpmdbtest.Need(t)
	r := rand.New(rand.NewPCG(20, 8))
	specs := rpmdbtest.Random(r, 300)
	var blobs [][]byte
	byNum := map[uint32][]byte{}
	var want []string
	for i, s := range specs {
		b := rpmdbtest.Header(s, 24<<10)
		blobs = append(blobs, b)
		byNum[uint32(i+1)] = b
		want = append(want, s.Line())
	}
	slices.Sort(want)
	dir := t.TempDir()
	sqlitePath := filepath.Join(dir, "rpmdb.sqlite")
	rpmdbtest.WriteSQLite(t, sqlitePath, blobs)
	bdbPath := rpmdbtest.LoadBDB(t, dir, byNum, 4096)
	for name, c := range map[string]struct {
		path string
		read func(*countingReader, int64) ([]rpmdb.Package, error)
	}{
		"sqlite": {sqlitePath, func(cr *countingReader, n int64) ([]rpmdb.Package, error) { return rpmdb.ReadSQLite(cr, n, nil, 0) }},
		"bdb":    {bdbPath, func(cr *countingReader, n int64) ([]rpmdb.Package, error) { return rpmdb.ReadBDB(cr, n) }},
	} {
		data := readAll(t, c.path)
		cr := &countingReader{r: bytes.NewReader(data)}
		pkgs, err := c.read(cr, int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, p := range pkgs {
			e := int64(-1)
			if p.HasEpoch {
				e = int64(p.Epoch)
			}
			got = append(got, rpmdbtest.Spec{Name: p.Name, Version: p.Version, Release: p.Release, Arch: p.Arch, Epoch: int(e)}.Line())
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d packages, want %d", name, len(got), len(want))
		}
		if read := cr.n.Load(); read*3 > int64(len(data)) {
			t.Errorf("%s: read %d of %d bytes", name, read, len(data))
		} else {
			t.Logf("%s: read %s of %s", name, fmt.Sprint(read), fmt.Sprint(len(data)))
		}
	}
}
