package rlimit

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// BenchmarkFixtureRoot is a full run of the family on a fixture root: the
// unit, system.conf, limits.conf and limits.d, passwd and group, read
// afresh each time (a new plan each iteration drops the per-run cache).
func BenchmarkFixtureRoot(b *testing.B) {
	for _, root := range []string{"centos-7", "broken"} {
		b.Run(root, func(b *testing.B) {
			h := fixture(b, root)
			p := proposedProfile(b, distroOf[root], serviceYAML)
			b.ReportAllocs()
			for b.Loop() {
				checks, err := build(p.Section(kind), p)
				if err != nil {
					b.Fatal(err)
				}
				engine.Run(context.Background(), h, checks, engine.RunOptions{Parallel: 1})
			}
		})
	}
}

// BenchmarkParseLimits measures the limits.conf parser on a large file
// (1000 lines).
func BenchmarkParseLimits(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 250; i++ {
		sb.WriteString("# a comment line\n*\tsoft\tnofile\t65536\n@ops\thard\tnproc\t16384\napp\t-\tmemlock\tunlimited\n")
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		ParseLimits("/etc/security/limits.conf", data)
	}
}

// BenchmarkFindProcessByName scans this machine's /proc for a process
// name: the expensive part of rlimit/process (one comm read per process).
func BenchmarkFindProcessByName(b *testing.B) {
	h, err := host.New("/")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat("/proc/self/comm"); err != nil {
		b.Skip("no /proc")
	}
	comm, _ := os.ReadFile("/proc/self/comm")
	name := strings.TrimSpace(string(comm))
	for b.Loop() {
		if ps := findProcesses(h, name); len(ps.procs) == 0 {
			b.Fatal("this process not found")
		}
	}
}
