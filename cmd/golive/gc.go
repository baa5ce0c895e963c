package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
)

// firstCollection is the heap at which a golive process collects for the
// first time.
//
// A run lives for tens of milliseconds and allocates a few MiB. The
// collector's first cycle, due at 4 MiB, costs such a run more than the
// memory it frees: on the 2-core VM of issue 19 it was ~150 of a full
// check's ~2,000 page faults and about 5 ms of 50, and peak RSS was higher
// with it than without (mark bits, sweep queues, the workers' stacks). So
// collection starts off, under a soft memory limit; when the heap reaches
// it, the first cycle runs and then the usual GOGC=100 without a limit
// takes over, so a large run (a fleet report of many hosts) collects as any
// Go program does.
const firstCollection = 16 << 20

// collectLate defers the first collection to firstCollection, unless the
// environment tunes the collector itself.
func collectLate() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(firstCollection)
	// The sentinel is unreachable at once, so the first cycle frees it and
	// its cleanup restores the defaults. It holds a pointer so that the
	// tiny allocator does not batch it with other objects.
	sentinel := &struct{ _ *int }{}
	runtime.AddCleanup(sentinel, func(struct{}) {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	}, struct{}{})
}
