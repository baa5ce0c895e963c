package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/golive-sh/golive/internal/host"
)

// Without RunOptions.Parallel, a run has two bounds. A network check
// waiting on a socket costs a goroutine and a file descriptor, not a CPU:
// network checks run as many at once as the process's open-file limit has
// room for (NetworkParallel), so up to 1,000 silent peers end within about
// one check timeout. Local checks read files and compute: a few per CPU
// keep the CPUs busy (LocalParallel), and more would only contend. The two
// bounds are independent, so a local check never queues behind network
// checks that wait for their timeouts.
const (
	// fdsPerNetworkCheck is what one network check may hold open at once:
	// its connection and a resolver's socket.
	fdsPerNetworkCheck = 2
	// fdReserve is kept for everything else: standard streams, the local
	// checks' files, the runtime's own descriptors, the report's output.
	fdReserve = 64
	// MaxNetworkParallel caps the network bound on hosts with a huge limit:
	// each waiting check also costs memory (a goroutine, a TLS or gRPC
	// client), and 4,096 is well past what one host's profile names.
	MaxNetworkParallel = 4096
)

// LocalParallel is the default bound of local checks: two per CPU the Go
// scheduler uses, and never below 4.
func LocalParallel() int {
	return max(4, 2*runtime.GOMAXPROCS(0))
}

// NetworkParallel is the default bound of network checks: what the soft
// RLIMIT_NOFILE leaves after fdReserve, fdsPerNetworkCheck each, between
// LocalParallel and MaxNetworkParallel. Go raises the soft limit to the
// hard limit when a process starts (os package, Go 1.19+), so this is the
// hard limit the process was given: golive changes nothing else.
func NetworkParallel() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return LocalParallel()
	}
	return networkBound(lim.Cur)
}

// networkBound is NetworkParallel for a soft open-file limit of nofile.
func networkBound(nofile uint64) int {
	if nofile <= fdReserve {
		return LocalParallel()
	}
	n := min((nofile-fdReserve)/fdsPerNetworkCheck, MaxNetworkParallel)
	return max(int(n), LocalParallel())
}

// finishGrace is how long a check whose context has ended may still
// deliver its result; far below the 100 ms a run may outlive --timeout.
const finishGrace = 10 * time.Millisecond

// DefaultCheckTimeout bounds one check.
const DefaultCheckTimeout = 5 * time.Second

// RunOptions tune a run.
type RunOptions struct {
	// Parallel, when above 0, bounds every check alike, local and network,
	// launched in plan order (--parallel N). At 0 the run has the two
	// default bounds, LocalParallel and NetworkParallel.
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

// CauseInterrupted is details.cause of a check that did not finish because
// the run ended (the global --timeout, or a signal): not the peer's fault
// and not a finding, so waivers, tickets and remediation leave it alone.
const CauseInterrupted = "interrupted"

// errRunEnded is the cause with which a check's context is cancelled when
// the run's context ends. A check's context ends in one of two ways: its
// own --check-timeout (context.DeadlineExceeded: the family's reading, a
// peer timeout, stands) or the run's end (context.Canceled with this
// cause: the check was interrupted). Families tell them apart by ctx.Err().
var errRunEnded = errors.New("the run ended before the check finished")

// Interrupted reports whether r is a check that the run's end cut short.
func Interrupted(r Result) bool {
	return r.Status == Error && r.Details["cause"] == CauseInterrupted
}

// Run runs the checks with bounded parallelism. Every check gets a context
// with its own timeout; a check that panics becomes an error result and the
// run goes on; a check that overruns its timeout is abandoned with an error
// result. Results come back in plan order, whatever the completion order.
// When ctx ends, every check not finished (or not started) becomes an
// interrupted error (see Interrupted) and Run returns at once.
func Run(ctx context.Context, h *host.Host, checks []Check, opt RunOptions) Outcome {
	if opt.CheckTimeout <= 0 {
		opt.CheckTimeout = DefaultCheckTimeout
	}
	out := Outcome{Results: make([]Result, len(checks)), Started: time.Now()}
	started := make([]bool, len(checks))
	var wg sync.WaitGroup
	// launch starts the checks at idx in order, at most bound at once,
	// until ctx ends.
	launch := func(idx []int, bound int) {
		sem := make(chan struct{}, bound)
		for _, i := range idx {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			if ctx.Err() != nil { // both cases ready: do not start more work
				<-sem
				return
			}
			started[i] = true
			wg.Add(1)
			go func(i int, c Check) {
				defer wg.Done()
				defer func() { <-sem }()
				out.Results[i] = runOne(ctx, h, c, opt)
			}(i, checks[i])
		}
	}
	if opt.Parallel > 0 {
		all := make([]int, len(checks))
		for i := range all {
			all[i] = i
		}
		launch(all, opt.Parallel)
	} else {
		var local, network []int
		for i, c := range checks {
			if c.Meta().Network && !opt.Offline {
				network = append(network, i)
			} else {
				local = append(local, i)
			}
		}
		var launchers sync.WaitGroup
		if len(network) > 0 {
			launchers.Go(func() { launch(network, NetworkParallel()) })
		}
		launch(local, LocalParallel())
		launchers.Wait() // every wg.Add is done before wg.Wait
	}
	wg.Wait()
	out.Duration = time.Since(out.Started)
	// A run is aborted only when the deadline or a signal cost it a result:
	// a check cut short or never started. A run whose last check finished
	// just before the deadline is complete.
	for i, c := range checks {
		if !started[i] {
			out.Results[i] = interrupted(ctx, Result{}, c.Meta(), 0, "before the check started")
		}
		if Interrupted(out.Results[i]) {
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
// more than the bound when a check misbehaves.
func runOne(ctx context.Context, h *host.Host, c Check, opt RunOptions) Result {
	m := c.Meta()
	if opt.Offline && m.Network {
		return fill(Result{Status: Skip, Message: "offline: --offline skips network checks"}, m, 0)
	}
	start := time.Now() // before the timer, so a timed-out Duration is never below the timeout
	cctx, cancel := checkContext(ctx, opt.CheckTimeout)
	defer cancel()
	type answer struct {
		r Result
		// cut: the run's end reached the check before it answered, so
		// what it says may be its reading of the cancellation.
		cut bool
	}
	done := make(chan answer, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- answer{r: Result{Status: Error, Message: fmt.Sprintf("check panicked: %v", v),
					Details: map[string]any{"stack": firstFrames(debug.Stack())}}}
			}
		}()
		r := c.Run(cctx, h)
		done <- answer{r: r, cut: runEnded(cctx)}
	}()
	var a answer
	select {
	case a = <-done:
	case <-cctx.Done():
		// A check finishing at the very moment its context ends keeps its
		// own answer: give it a moment before calling it cut short.
		grace := time.NewTimer(finishGrace)
		defer grace.Stop()
		select {
		case a = <-done:
		case <-grace.C:
			if runEnded(cctx) {
				return interrupted(ctx, Result{}, m, time.Since(start), "before the check finished")
			}
			a.r = Result{Status: Error, Message: fmt.Sprintf("timed out after %s (--check-timeout)", opt.CheckTimeout),
				Details: map[string]any{"cause": "timeout"}}
		}
	}
	// Only an answer the cancellation cannot have produced survives the
	// run's end: a pass or a skip. A fail, warn or error given after the
	// run's end reached the check is its reading of the cancellation
	// (a "timeout", a "connection closed"), not a finding about the host.
	if a.cut && a.r.Status != Pass && a.r.Status != Skip {
		return interrupted(ctx, a.r, m, time.Since(start), "before the check finished")
	}
	return fill(a.r, m, time.Since(start))
}

// checkContext is a check's context: it ends at the check's own timeout
// (context.DeadlineExceeded) or, cancelled with errRunEnded, when the run's
// context ends, whichever comes first. Detached from ctx's deadline so that
// a run's --timeout never looks like the check's own deadline to a family.
func checkContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	base, cancelRun := context.WithCancelCause(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { cancelRun(errRunEnded) })
	cctx, cancelTimeout := context.WithTimeout(base, timeout)
	return cctx, func() {
		stop()
		cancelTimeout()
		cancelRun(context.Canceled)
	}
}

// runEnded reports whether the run's end (not the check's own timeout)
// cancelled the check's context.
func runEnded(cctx context.Context) bool {
	return errors.Is(context.Cause(cctx), errRunEnded)
}

// interrupted is the result of a check that the run's end cut short (or
// never started): an error with details.cause "interrupted", never the
// peer's fault. The family's own words, if it gave any, are kept in
// details.partial for a person debugging the run; no remediation, since
// nothing was found.
func interrupted(ctx context.Context, r Result, m Meta, d time.Duration, when string) Result {
	details := map[string]any{"cause": CauseInterrupted, "reason": reason(ctx)}
	if r.Status != "" {
		details["partial"] = string(r.Status) + ": " + r.Message
	}
	return fill(Result{
		Status:  Error,
		Message: fmt.Sprintf("interrupted: the run ended (%s) %s", reason(ctx), when),
		Details: details,
	}, m, d)
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
	if r.Why == "" {
		r.Why = m.Why
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
