package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/golive-sh/golive/internal/host"
)

// DefaultParallel is high on purpose: most of a run's wall time is spent
// waiting on the network (100 silent endpoints must finish within about one
// check timeout), and local checks cost microseconds.
const DefaultParallel = 128

// finishGrace is how long a check whose context has ended may still
// deliver its result; far below the 100 ms a run may outlive --timeout.
const finishGrace = 10 * time.Millisecond

// DefaultCheckTimeout bounds one check.
const DefaultCheckTimeout = 5 * time.Second

// RunOptions tune a run.
type RunOptions struct {
	Parallel     int
	CheckTimeout time.Duration
	// Offline skips every check whose Meta says Network.
	Offline bool
}

// Outcome is a whole run.
type Outcome struct {
	Results  []Result // in plan order, one per check
	Started  time.Time
	Duration time.Duration
	// Aborted is set when ctx ended before every check finished (the global
	// --timeout, or a signal); Reason says which.
	Aborted bool
	Reason  string
}

// ErrAborted is the cause a caller gives when it cancels a run on a signal.
var ErrAborted = errors.New("interrupted")

// Run runs the checks with bounded parallelism. Every check gets a context
// with its own timeout under ctx; a check that panics becomes an error
// result and the run goes on; a check that overruns its timeout is
// abandoned with an error result. Results come back in plan order, whatever
// the completion order. When ctx ends, unfinished checks are recorded as
// interrupted and Run returns at once.
func Run(ctx context.Context, h *host.Host, checks []Check, opt RunOptions) Outcome {
	if opt.Parallel <= 0 {
		opt.Parallel = DefaultParallel
	}
	if opt.CheckTimeout <= 0 {
		opt.CheckTimeout = DefaultCheckTimeout
	}
	out := Outcome{Results: make([]Result, len(checks)), Started: time.Now()}
	started := make([]bool, len(checks))
	interrupted := make([]bool, len(checks))
	sem := make(chan struct{}, opt.Parallel)
	var wg sync.WaitGroup
launch:
	for i, c := range checks {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break launch
		}
		if ctx.Err() != nil { // both cases ready: do not start more work
			<-sem
			break
		}
		started[i] = true
		wg.Add(1)
		go func(i int, c Check) {
			defer wg.Done()
			defer func() { <-sem }()
			out.Results[i], interrupted[i] = runOne(ctx, h, c, opt)
		}(i, c)
	}
	wg.Wait()
	out.Duration = time.Since(out.Started)
	// A run is aborted only when the deadline or a signal cost it a result:
	// a check cut short or never started. A run whose last check finished
	// just before the deadline is complete.
	for i, c := range checks {
		if !started[i] {
			out.Aborted = true
			out.Results[i] = fill(Result{Status: Skip, Message: "not run: " + reason(ctx)}, c.Meta(), 0)
		}
		if interrupted[i] {
			out.Aborted = true
		}
	}
	if out.Aborted {
		out.Reason = reason(ctx)
	}
	return out
}

// runOne runs a check in its own goroutine so that one that ignores its
// context can be abandoned at its deadline. An abandoned check gives back
// its parallelism slot while its goroutine may still run: progress matters
// more than the bound when a check misbehaves. interrupted reports that the
// run's own context (not the check's timeout) cut the check short.
func runOne(ctx context.Context, h *host.Host, c Check, opt RunOptions) (r Result, interrupted bool) {
	m := c.Meta()
	if opt.Offline && m.Network {
		return fill(Result{Status: Skip, Message: "offline: --offline skips network checks"}, m, 0), false
	}
	start := time.Now() // before the timer, so a timed-out Duration is never below the timeout
	cctx, cancel := context.WithTimeout(ctx, opt.CheckTimeout)
	defer cancel()
	done := make(chan Result, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- Result{Status: Error, Message: fmt.Sprintf("check panicked: %v", v),
					Details: map[string]any{"stack": firstFrames(debug.Stack())}}
			}
		}()
		done <- c.Run(cctx, h)
	}()
	select {
	case r = <-done:
		// A check that honours its context returns an error as soon as the
		// run is cancelled; that result was cut short too.
		interrupted = ctx.Err() != nil && r.Status == Error
	case <-cctx.Done():
		// A check finishing at the very moment its context ends keeps its
		// own answer: give it a moment before calling it cut short.
		grace := time.NewTimer(finishGrace)
		defer grace.Stop()
		select {
		case r = <-done:
			interrupted = ctx.Err() != nil && r.Status == Error
		case <-grace.C:
			if ctx.Err() != nil {
				r = Result{Status: Error, Message: "interrupted: " + reason(ctx)}
				interrupted = true
			} else {
				r = Result{Status: Error, Message: fmt.Sprintf("timed out after %s (--check-timeout)", opt.CheckTimeout)}
			}
		}
	}
	return fill(r, m, time.Since(start)), interrupted
}

// fill completes a result from the check's Meta, so families only set what
// they found.
func fill(r Result, m Meta, d time.Duration) Result {
	if r.ID == "" {
		r.ID = m.ID
	}
	if r.Category == "" {
		r.Category = m.Category
	}
	if r.Title == "" {
		r.Title = m.Title
	}
	if r.Expected == "" {
		r.Expected = m.Expected
	}
	if r.Severity == "" {
		r.Severity = m.Severity
	}
	if r.Severity == "" {
		r.Severity = "medium"
	}
	if r.Status == "" {
		r.Status = Error
		r.Message = "check returned no status"
	}
	r.Duration = d
	return r
}

func reason(ctx context.Context) string {
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, context.DeadlineExceeded):
		return "run deadline reached (--timeout)"
	case cause != nil && !errors.Is(cause, context.Canceled):
		return cause.Error()
	}
	return "run cancelled"
}

// firstFrames keeps a panic's stack short enough for a report.
func firstFrames(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	if len(lines) > 16 {
		lines = lines[:16]
	}
	return strings.Join(lines, "\n")
}
