package cgroup

import (
	"io"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
)

func TestParseCPUList(t *testing.T) {
	good := map[string]int{"0": 1, "0-3": 4, "0-3,8,10-11\n": 7, "0,0,0-1": 2, "1 3 5": 3, "0-8191": 8192}
	for in, want := range good {
		if got, err := parseCPUList(in); err != nil || got != want {
			t.Errorf("ParseCPUList(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "\n", "a", "3-1", "-1", "0-", "0-8192", "99999999999999999999", "1--2"} {
		if got, err := parseCPUList(in); err == nil {
			t.Errorf("ParseCPUList(%q) = %d, want an error", in, got)
		}
	}
}

// Go 1.25's default: the quota rounded up, at least 2, at most the CPUs
// (runtime/cgroup_linux.go adjustCgroupGOMAXPROCS).
func TestGo125GOMAXPROCSDefault(t *testing.T) {
	cases := []struct {
		quota amount
		cpus  int
		want  int
	}{
		{amount{V: big.NewRat(1, 2)}, 8, 2},
		{amount{V: big.NewRat(3, 2)}, 8, 2},
		{amount{V: big.NewRat(5, 2)}, 8, 3},
		{num(4), 8, 4},
		{num(16), 8, 8},
		{amount{Max: true}, 8, 8},
		{amount{V: big.NewRat(1, 2)}, 1, 1},
	}
	for _, c := range cases {
		if got := awareProcs(c.quota, c.cpus); got != c.want {
			t.Errorf("quota %s on %d CPUs: %d, want %d", c.quota.text(), c.cpus, got, c.want)
		}
	}
	for v, want := range map[string]bool{"go1.25.0": true, "go1.26rc1": true, "go1.24.7": false, "go2.0": true, "devel": false, "go1": false} {
		if got := goAtLeast(v, 1, 25); got != want {
			t.Errorf("goAtLeast(%q) = %v", v, got)
		}
	}
}

// The test binary itself is a Go binary built by this toolchain (Go 1.26,
// a go.mod saying go 1.26): it gets the cgroup-aware default.
func TestInspectBinaryReadsBuildInfo(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	h := hosttest.Root(t, map[string]string{"opt/app/README": "not a binary\n"})
	dst := filepath.Join(h.Root(), "opt/app/app")
	copyFile(t, self, dst)
	b := inspectBinary(h, "/opt/app/app", false)
	if b.GoVersion == "" || !b.Aware {
		t.Errorf("%+v: a Go 1.26 binary is cgroup aware", b)
	}
	if b := inspectBinary(h, "/opt/app/app", true); b.Aware {
		t.Errorf("%+v: GODEBUG=containermaxprocs=0 turns it off", b)
	}
	if b := inspectBinary(h, "/opt/app/README", false); b.GoVersion != "" || b.Why == "" {
		t.Errorf("%+v: not a Go binary", b)
	}
	if b := inspectBinary(h, "/opt/app/missing", false); b.Why == "" {
		t.Errorf("%+v: a missing binary says so", b)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
}
