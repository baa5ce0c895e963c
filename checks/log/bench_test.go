package logs

import (
	"context"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// BenchmarkFamily runs every check of the family on the ubuntu-22.04
// fixture root with a service that names log files and a unit: a new Host
// each time, so nothing is memoised across runs.
func BenchmarkFamily(b *testing.B) {
	root := hosttest.Fixture(b, "ubuntu-22.04").Root()
	h0, _ := host.New(root)
	p := profiletest.Detected(b, h0, logService)
	checks, err := build(p.Section(kind), p)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		h, err := host.New(root)
		if err != nil {
			b.Fatal(err)
		}
		out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
		if len(out.Results) != len(checks) {
			b.Fatalf("%d results", len(out.Results))
		}
	}
}

// BenchmarkJournald is what every `golive check` adds: log/journald alone
// (no service log files), on the ubuntu-22.04 fixture root.
func BenchmarkJournald(b *testing.B) {
	root := hosttest.Fixture(b, "ubuntu-22.04").Root()
	h0, _ := host.New(root)
	p := profiletest.Detected(b, h0, "")
	checks, err := build(p.Section(kind), p)
	if err != nil || len(checks) != 1 {
		b.Fatalf("%d checks, %v", len(checks), err)
	}
	b.ReportAllocs()
	for b.Loop() {
		h, err := host.New(root)
		if err != nil {
			b.Fatal(err)
		}
		if r := checks[0].Run(context.Background(), h); r.Status != engine.Pass {
			b.Fatalf("%s: %s", r.Status, r.Message)
		}
	}
}
