package memory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addFixtures(f *testing.F, rel string) {
	for _, root := range []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"} {
		if data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "roots", root, rel)); err == nil {
			f.Add(data)
		}
	}
}

// FuzzParseSwaps: any bytes give swap areas and problems, never a panic;
// what is kept is consistent.
func FuzzParseSwaps(f *testing.F) {
	addFixtures(f, "proc/swaps")
	f.Add([]byte(header + "/a\\040b file 10 5 -1\n/x partition 1 2 3\n"))
	f.Add([]byte("/dev/sda2 partition 1 0 -2"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		s := parseSwaps(data)
		if len(s.problems) > maxProblems || len(s.areas) > maxSwapLines {
			t.Fatalf("%d problems, %d areas", len(s.problems), len(s.areas))
		}
		for _, a := range s.areas {
			if !strings.HasPrefix(a.Filename, "/") || a.UsedKiB > a.SizeKiB || a.Line < 1 {
				t.Fatalf("kept %+v", a)
			}
		}
	})
}

// FuzzParseFstabSwaps: every entry kept is a swap line with a spec.
func FuzzParseFstabSwaps(f *testing.F) {
	addFixtures(f, "etc/fstab")
	f.Add([]byte("/swap\\040file none swap sw,noauto 0 0\n#x none swap\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range parseFstabSwaps(data) {
			if e.Spec == "" || e.Line < 1 || len(e.Text) > 256+3 {
				t.Fatalf("kept %+v", e)
			}
		}
	})
}
