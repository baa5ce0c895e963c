package cli_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/cli"
)

// BenchmarkFullRunRocky9 is a whole `golive check --format json` on the
// rocky-9 fixture root, in process: host facts, profile resolution, plan,
// parallel run and rendering. DESIGN.md's budget is that a full local run
// costs little next to process start (within 5 ms of `golive version`).
func BenchmarkFullRunRocky9(b *testing.B) {
	streams := cli.IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard,
		Getenv: func(string) string { return "" }, Now: func() time.Time { return goldenNow }}
	args := []string{"check", "--root", "../../testdata/roots/rocky-9", "--format", "json"}
	for b.Loop() {
		if code := cli.Execute(args, streams); code != 1 {
			b.Fatalf("exit %d", code)
		}
	}
}
