package cgroup

import (
	"fmt"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

// BenchmarkParseMountInfo parses the mount table of a busy container host:
// 10,000 lines, overlay mounts with long lowerdir= options among them.
func BenchmarkParseMountInfo(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(hybridLine)
	layers := strings.Repeat("/var/lib/docker/overlay2/l/ABCDEFGHIJKLMNOPQRSTUVWXYZ:", 40)
	for i := 0; sb.Len() < 4<<20 && i < 10000; i++ {
		if i%10 == 0 {
			fmt.Fprintf(&sb, "%d 29 0:%d / /var/lib/docker/overlay2/%d/merged rw,relatime - overlay overlay rw,lowerdir=%s,upperdir=/u,workdir=/w\n", 100+i, 100+i, i, layers)
			continue
		}
		fmt.Fprintf(&sb, "%d 29 0:%d / /run/netns/cni-%08d rw,nosuid,nodev,noexec,relatime shared:%d - nsfs nsfs rw\n", 100+i, 100+i, i, i)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		mi := parseMountInfo(data)
		if detect(mi.mounts).mode != hybrid {
			b.Fatal("layout")
		}
	}
}

// BenchmarkFixtureChecks runs every cgroup check of the Rocky 9 fixture with
// a service: the mount table, unit files and cgroup files are read once per
// host and shared.
func BenchmarkFixtureChecks(b *testing.B) {
	h := hosttest.Fixture(b, "rocky-9")
	p := testProfile(b, "extends: rocky-9\n"+serviceConfig)
	b.ReportAllocs()
	for b.Loop() {
		checks := plan(b, p) // fresh caches: each run reads the host again
		out := engine.Run(b.Context(), h, checks, engine.RunOptions{})
		if len(out.Results) != 6 {
			b.Fatal(len(out.Results))
		}
	}
}
