package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// gcPercent reads the collector's GOGC without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestCollectionStartsLate: collection is off under a soft limit until the
// first cycle, and the defaults are back after it.
func TestCollectionStartsLate(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	t.Cleanup(func() { debug.SetGCPercent(100); debug.SetMemoryLimit(math.MaxInt64) })
	collectLate()
	if p, l := gcPercent(), debug.SetMemoryLimit(-1); p != -1 || l != firstCollection {
		t.Fatalf("after collectLate: GOGC %d, limit %d; want off, %d", p, l, firstCollection)
	}
	runtime.GC()
	deadline := time.Now().Add(5 * time.Second)
	for gcPercent() != 100 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		if time.Now().After(deadline) {
			t.Fatalf("after the first cycle: GOGC %d, limit %d; want 100, no limit", gcPercent(), debug.SetMemoryLimit(-1))
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

// TestCollectionTunedByTheEnvironment: GOGC or GOMEMLIMIT in the
// environment leave the collector as the runtime set it from them.
func TestCollectionTunedByTheEnvironment(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, "200")
			collectLate()
			if p, l := gcPercent(), debug.SetMemoryLimit(-1); p == -1 || l == firstCollection {
				t.Errorf("with %s set: GOGC %d, limit %d; want them untouched", env, p, l)
			}
		})
	}
}
