package disk

import (
	"context"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// BenchmarkFamilyOnFixtureRoot: the whole family without the fsync probe
// on the centos-7 root (LVM on sda), a new Host each run so nothing is
// memoised across runs. Issue 17's budget is 5 ms.
func BenchmarkFamilyOnFixtureRoot(b *testing.B) {
	h0 := hosttest.Fixture(b, "centos-7")
	checks := mustBuild(b, profiletest.Detected(b, h0, serviceConfig))
	b.ReportAllocs()
	for b.Loop() {
		h, err := host.New(h0.Root())
		if err != nil {
			b.Fatal(err)
		}
		out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
		if len(out.Results) != len(checks) {
			b.Fatal("results missing")
		}
	}
}
