package harden

import (
	"context"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// BenchmarkFamilyRocky9 runs the whole family (lockdown, two audit
// checks, coredump) on the rocky-9 fixture root, a new Host each time so
// nothing is memoised across runs.
func BenchmarkFamilyRocky9(b *testing.B) {
	h0 := hosttest.Fixture(b, "rocky-9")
	p := profiletest.Detected(b, h0, serviceYAML)
	checks, err := build(p.Section(kind), p)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		h := hosttest.Fixture(b, "rocky-9")
		out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
		if len(out.Results) != 4 {
			b.Fatalf("%d results", len(out.Results))
		}
	}
}
