package engine

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkRun10kTrivial measures the engine's own cost: 10,000 checks
// that pass at once. The budget (DESIGN.md) is under 20 µs per check.
func BenchmarkRun10kTrivial(b *testing.B) {
	const n = 10_000
	checks := make([]Check, n)
	for i := range checks {
		checks[i] = fixed(fmt.Sprintf("trivial/%d", i), "trivial", Pass)
	}
	h := testHost(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		out := Run(ctx, h, checks, RunOptions{})
		if out.Results[n-1].Status != Pass {
			b.Fatalf("last result %+v", out.Results[n-1])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n/1e3, "µs/check")
}

// BenchmarkRunSilentNetwork: 100 checks that never answer (they wait for
// their context) with a 50ms check timeout and the default parallelism. If
// they overlap, a run takes about one timeout, not 100.
func BenchmarkRunSilentNetwork(b *testing.B) {
	const n = 100
	const timeout = 50 * time.Millisecond
	checks := make([]Check, n)
	for i := range checks {
		c := check(fmt.Sprintf("silent/%d", i), func(ctx context.Context) Result {
			<-ctx.Done()
			return Result{Status: Error, Message: "no answer"}
		})
		c.M.Network = true
		checks[i] = c
	}
	h := testHost(b)
	for b.Loop() {
		Run(context.Background(), h, checks, RunOptions{CheckTimeout: timeout})
	}
	perRun := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(perRun)/float64(timeout), "timeouts/run")
	if perRun > 3*timeout {
		b.Errorf("a run of %d silent checks took %v, want about one %v timeout", n, perRun, timeout)
	}
}

// BenchmarkRunDeadline measures how long Run outlives its context when
// every check ignores it. The budget (DESIGN.md) is 100ms.
func BenchmarkRunDeadline(b *testing.B) {
	release := make(chan struct{})
	b.Cleanup(func() { close(release) })
	checks := make([]Check, 200)
	for i := range checks {
		checks[i] = check(fmt.Sprintf("stuck/%d", i), func(context.Context) Result {
			<-release
			return Result{Status: Pass}
		})
	}
	h := testHost(b)
	const deadline = 20 * time.Millisecond
	var over time.Duration
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		start := time.Now()
		Run(ctx, h, checks, RunOptions{Parallel: 16})
		over += time.Since(start) - deadline
		cancel()
	}
	b.ReportMetric(float64(over.Microseconds())/float64(b.N)/1e3, "ms-over-deadline")
}
