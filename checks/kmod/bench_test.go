package kmod

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// BenchmarkFamilyOnFixtureRoot: 20 modules (40 checks) on the
// ubuntu-22.04 root, a new Host each run so every file is read again.
func BenchmarkFamilyOnFixtureRoot(b *testing.B) {
	h0 := hosttest.Fixture(b, "ubuntu-22.04")
	var yaml strings.Builder
	yaml.WriteString("extends: none\nkmod:\n  br_netfilter: {}\n  overlay: {}\n  cramfs: {loaded: false}\n  unix: {}\n")
	for i := 0; i < 16; i++ {
		fmt.Fprintf(&yaml, "  mod_%02d: {loaded: false}\n", i)
	}
	checks := mustBuild(b, profiletest.Detected(b, h0, yaml.String()))
	b.ReportAllocs()
	for b.Loop() {
		h, err := host.New(h0.Root())
		if err != nil {
			b.Fatal(err)
		}
		out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
		if len(out.Results) != 40 {
			b.Fatal("results missing")
		}
	}
}
