package mount

import (
	"context"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// BenchmarkFamilyOnFixtureRoot: the five mount points of the fixture
// test (ten checks: the mount table, fstab and .mount units) on the
// rocky-9 root, a new Host each run so nothing is memoised across runs.
func BenchmarkFamilyOnFixtureRoot(b *testing.B) {
	h0 := hosttest.Fixture(b, "rocky-9")
	checks := mustBuild(b, profiletest.Detected(b, h0, serviceConfig))
	b.ReportAllocs()
	for b.Loop() {
		h, err := host.New(h0.Root())
		if err != nil {
			b.Fatal(err)
		}
		if out := engine.Run(context.Background(), h, checks, engine.RunOptions{}); len(out.Results) != 10 {
			b.Fatal("results missing")
		}
	}
}
