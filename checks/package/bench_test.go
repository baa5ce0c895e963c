package packages

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/rpmdb/rpmdbtest"
)

// benchPackages is the size of the databases: a large server's.
const benchPackages = 3000

// BenchmarkLookups runs 100 checks (50 packages, installed and version)
// against a 3,000-package database of each kind, on a fresh host each
// iteration, so the database is read and indexed every time: the whole
// cost of the family in a run. The rpm headers carry 24 KiB after the
// tags golive reads, as real ones carry their file lists and scripts
// there, so a database is ~75 MB: the readers read each header's first
// pages only.
func BenchmarkLookups(b *testing.B) {
	rpmdbtest.Need(b)
	r := rand.New(rand.NewPCG(20, 7))
	specs := rpmdbtest.Random(r, benchPackages)
	var blobs [][]byte
	blobByNum := map[uint32][]byte{}
	var status strings.Builder
	for i, s := range specs {
		blob := rpmdbtest.Header(s, 24<<10)
		blobs = append(blobs, blob)
		blobByNum[uint32(i+1)] = blob
		fmt.Fprintf(&status, "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s-%s\nDescription: x\n %s\n\n", s.Name, s.Version, s.Release, strings.Repeat("y", 400))
	}
	roots := map[string]string{}
	for _, kind := range []string{"dpkg", "rpm-sqlite", "rpm-bdb"} {
		root := b.TempDir()
		dir := filepath.Join(root, "var/lib/rpm")
		if kind == "dpkg" {
			dir = filepath.Join(root, "var/lib/dpkg")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		switch kind {
		case "dpkg":
			if err := os.WriteFile(filepath.Join(dir, "status"), []byte(status.String()), 0o644); err != nil {
				b.Fatal(err)
			}
		case "rpm-sqlite":
			rpmdbtest.WriteSQLite(b, filepath.Join(dir, "rpmdb.sqlite"), blobs)
		case "rpm-bdb":
			rpmdbtest.LoadBDB(b, dir, blobByNum, 0)
		}
		roots[kind] = root
	}
	var names []string
	for i := 0; i < benchPackages; i += benchPackages / 50 {
		names = append(names, specs[i].Name)
	}
	p := testProfile(b, section(names, `{version: ">= 0"}`))
	checks, err := build(p.Section(kind), p)
	if err != nil || len(checks) != 100 {
		b.Fatalf("%d checks, %v", len(checks), err)
	}
	for _, kind := range []string{"dpkg", "rpm-sqlite", "rpm-bdb"} {
		b.Run(kind, func(b *testing.B) {
			for range b.N {
				h, err := host.New(roots[kind])
				if err != nil {
					b.Fatal(err)
				}
				for _, c := range checks {
					if res := c.Run(context.Background(), h); res.Status != "pass" && res.Status != "fail" {
						b.Fatalf("%s: %s %s", c.ID(), res.Status, res.Message)
					}
				}
			}
		})
	}
}
