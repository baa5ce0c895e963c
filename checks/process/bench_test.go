package process

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// BenchmarkFamilyOnProcessTable: ten rules (by name, by command line,
// counts and users: 24 checks) over a root holding 500 processes, a new
// Host each run so the table is read again (1,500 files).
func BenchmarkFamilyOnProcessTable(b *testing.B) {
	procs := map[int][]string{}
	for pid := 1; pid <= 500; pid++ {
		procs[pid] = []string{fmt.Sprintf("worker%d", pid%10), "S", strconv.Itoa(pid % 3), strconv.Itoa(pid % 3), "/usr/bin/worker", "--id", strconv.Itoa(pid)}
	}
	h0 := procRoot(b, procs)
	yaml := "extends: none\nprocess:\n"
	for i := 0; i < 5; i++ {
		yaml += fmt.Sprintf("  worker%d: {user: \"%d\", min: 1, max: 60}\n  w%d: {cmdline: \"--id %d[0-9]$\"}\n", i, i%3, i, i)
	}
	checks := mustBuild(b, profiletest.Detected(b, h0, yaml))
	b.ReportAllocs()
	for b.Loop() {
		h, err := host.New(h0.Root())
		if err != nil {
			b.Fatal(err)
		}
		if out := engine.Run(context.Background(), h, checks, engine.RunOptions{}); len(out.Results) != len(checks) {
			b.Fatal("results missing")
		}
	}
}
