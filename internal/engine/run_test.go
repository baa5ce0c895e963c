package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

func testHost(t testing.TB) *host.Host {
	t.Helper()
	h, err := host.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func check(id string, run func(ctx context.Context) Result) *funcCheck {
	cat, _, _ := strings.Cut(id, "/")
	return &funcCheck{Base: Base{M: Meta{ID: id, Category: cat}}, run: run}
}

// stubborn returns a check that ignores its context and sleeps until the
// test ends (or d passes): the runner must abandon it.
func stubborn(t *testing.T, id string, d time.Duration) *funcCheck {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return check(id, func(context.Context) Result {
		select {
		case <-release:
		case <-time.After(d):
		}
		return Result{Status: Pass}
	})
}

func TestRunKeepsPlanOrder(t *testing.T) {
	const n = 20
	var checks []Check
	var finished []string
	var mu sync.Mutex
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("order/%02d", i)
		d := time.Duration(n-i) * 2 * time.Millisecond // the first finishes last
		checks = append(checks, check(id, func(context.Context) Result {
			time.Sleep(d)
			mu.Lock()
			finished = append(finished, id)
			mu.Unlock()
			return Result{Status: Pass, Observed: id}
		}))
	}
	out := Run(context.Background(), testHost(t), checks, RunOptions{})
	if len(out.Results) != n {
		t.Fatalf("%d results, want %d", len(out.Results), n)
	}
	for i, r := range out.Results {
		if r.ID != checks[i].ID() || r.Observed != checks[i].ID() || r.Status != Pass {
			t.Errorf("Results[%d] = %s %s (observed %s), want %s pass", i, r.ID, r.Status, r.Observed, checks[i].ID())
		}
	}
	if finished[0] == checks[0].ID() {
		t.Logf("completion order matched plan order; the test proves less on this run")
	}
	if out.Aborted || out.Reason != "" {
		t.Errorf("Aborted %v Reason %q on a complete run", out.Aborted, out.Reason)
	}
	if out.Duration <= 0 || out.Started.IsZero() {
		t.Errorf("Started %v Duration %v", out.Started, out.Duration)
	}
}

func TestRunEmptyPlan(t *testing.T) {
	out := Run(context.Background(), testHost(t), nil, RunOptions{})
	if len(out.Results) != 0 || out.Aborted {
		t.Errorf("Run(nil) = %+v", out)
	}
}

func TestCheckTimeout(t *testing.T) {
	checks := []Check{
		stubborn(t, "slow/ignores-ctx", 10*time.Second),
		check("slow/honours-ctx", func(ctx context.Context) Result {
			<-ctx.Done()
			return Result{Status: Error, Message: "gave up: " + ctx.Err().Error()}
		}),
		check("fast/ok", func(context.Context) Result { return Result{Status: Pass} }),
	}
	start := time.Now()
	out := Run(context.Background(), testHost(t), checks, RunOptions{CheckTimeout: 50 * time.Millisecond})
	if d := time.Since(start); d > time.Second {
		t.Errorf("Run took %v with a 50ms check timeout", d)
	}
	r := out.Results[0]
	if r.Status != Error || !strings.Contains(r.Message, "timed out") || !strings.Contains(r.Message, "--check-timeout") {
		t.Errorf("stubborn check = %s %q, want error timed out", r.Status, r.Message)
	}
	if r.Duration < 50*time.Millisecond {
		t.Errorf("stubborn check Duration %v, want at least the timeout", r.Duration)
	}
	if r := out.Results[1]; r.Status != Error {
		t.Errorf("cooperating check = %s %q, want error", r.Status, r.Message)
	}
	if r := out.Results[2]; r.Status != Pass {
		t.Errorf("fast check = %s, want pass", r.Status)
	}
	if out.Aborted {
		t.Error("a check timeout aborted the run")
	}
}

func TestPanickingCheckBecomesAnError(t *testing.T) {
	checks := []Check{
		check("ok/before", func(context.Context) Result { return Result{Status: Pass} }),
		check("bad/panics", func(context.Context) Result { panic("boom: index out of range") }),
		check("bad/panics-error", func(context.Context) Result { panic(errors.New("wrapped failure")) }),
		check("ok/after", func(context.Context) Result { return Result{Status: Pass} }),
	}
	out := Run(context.Background(), testHost(t), checks, RunOptions{})
	for _, i := range []int{0, 3} {
		if out.Results[i].Status != Pass {
			t.Errorf("%s = %s, want pass", out.Results[i].ID, out.Results[i].Status)
		}
	}
	for i, msg := range map[int]string{1: "boom: index out of range", 2: "wrapped failure"} {
		r := out.Results[i]
		if r.Status != Error || !strings.Contains(r.Message, "panicked") || !strings.Contains(r.Message, msg) {
			t.Errorf("%s = %s %q, want error naming %q", r.ID, r.Status, r.Message, msg)
		}
		if r.ID != checks[i].ID() {
			t.Errorf("panicked result ID %q, want %q", r.ID, checks[i].ID())
		}
		stack, _ := r.Details["stack"].(string)
		if stack == "" || strings.Count(stack, "\n") > 15 {
			t.Errorf("stack detail has %d lines, want 1..16", strings.Count(stack, "\n")+1)
		}
	}
}

func TestOfflineSkipsNetworkChecks(t *testing.T) {
	var ran atomic.Int32
	net := check("dns/resolve:db1.example.com", func(context.Context) Result {
		ran.Add(1)
		return Result{Status: Pass}
	})
	net.M.Network = true
	local := check("sysctl/x", func(context.Context) Result { return Result{Status: Pass} })

	out := Run(context.Background(), testHost(t), []Check{net, local}, RunOptions{Offline: true})
	if r := out.Results[0]; r.Status != Skip || !strings.Contains(r.Message, "offline") {
		t.Errorf("network check offline = %s %q, want skip mentioning offline", r.Status, r.Message)
	}
	if ran.Load() != 0 {
		t.Error("the network check ran although --offline")
	}
	if out.Results[1].Status != Pass {
		t.Errorf("local check offline = %s, want pass", out.Results[1].Status)
	}

	out = Run(context.Background(), testHost(t), []Check{net, local}, RunOptions{})
	if out.Results[0].Status != Pass || ran.Load() != 1 {
		t.Errorf("network check online = %s (ran %d times), want pass", out.Results[0].Status, ran.Load())
	}
}

// TestParallelismBound holds every check until as many run at once as the
// bound allows, then checks that no more ever start: --parallel bounds
// local and network checks alike; without it local checks have
// LocalParallel and network checks NetworkParallel.
func TestParallelismBound(t *testing.T) {
	network := min(NetworkParallel(), 1000) // within the race detector's goroutine limit
	for _, tt := range []struct {
		parallel, want, n int
		network           bool
	}{
		{1, 1, 5, false},
		{3, 3, 20, false},
		{3, 3, 20, true},
		{0, LocalParallel(), LocalParallel() + 30, false},
		{0, network, network, true},
	} {
		t.Run(fmt.Sprintf("parallel=%d,network=%v", tt.parallel, tt.network), func(t *testing.T) {
			var cur, peak atomic.Int32
			release := make(chan struct{})
			var checks []Check
			for i := 0; i < tt.n; i++ {
				c := check(fmt.Sprintf("par/%d", i), func(ctx context.Context) Result {
					c := cur.Add(1)
					for {
						p := peak.Load()
						if c <= p || peak.CompareAndSwap(p, c) {
							break
						}
					}
					<-release
					cur.Add(-1)
					return Result{Status: Pass}
				})
				c.M.Network = tt.network
				checks = append(checks, c)
			}
			done := make(chan Outcome, 1)
			go func() { done <- Run(context.Background(), testHost(t), checks, RunOptions{Parallel: tt.parallel}) }()

			deadline := time.Now().Add(5 * time.Second)
			for cur.Load() < int32(tt.want) && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond) // room for a check that should not start
			if got := peak.Load(); got != int32(tt.want) {
				t.Errorf("%d checks ran at once, want exactly %d", got, tt.want)
			}
			close(release)
			out := <-done
			if got := peak.Load(); got > int32(tt.want) {
				t.Errorf("%d checks ran at once, want at most %d", got, tt.want)
			}
			for _, r := range out.Results {
				if r.Status != Pass {
					t.Fatalf("%s = %s %q", r.ID, r.Status, r.Message)
				}
			}
		})
	}
}

func TestGlobalDeadlineAbortsTheRun(t *testing.T) {
	const n = 10
	var checks []Check
	for i := 0; i < n; i++ {
		checks = append(checks, stubborn(t, fmt.Sprintf("stuck/%d", i), 10*time.Second))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	out := Run(ctx, testHost(t), checks, RunOptions{Parallel: 2})
	elapsed := time.Since(start)
	// The budget is 100ms past the deadline; the test allows far more so
	// that it is not flaky on a loaded machine. BenchmarkRunDeadline measures.
	if elapsed > time.Second {
		t.Errorf("Run returned %v after start with a 100ms deadline", elapsed)
	}
	if !out.Aborted || !strings.Contains(out.Reason, "--timeout") {
		t.Errorf("Aborted %v Reason %q, want aborted naming --timeout", out.Aborted, out.Reason)
	}
	if len(out.Results) != n {
		t.Fatalf("%d results, want %d", len(out.Results), n)
	}
	interrupted, notRun := 0, 0
	for i, r := range out.Results {
		if r.ID != checks[i].ID() {
			t.Errorf("Results[%d].ID = %q, want %q", i, r.ID, checks[i].ID())
		}
		switch {
		case !Interrupted(r) || !strings.Contains(r.Message, "--timeout"):
			t.Errorf("%s = %s %q %v, want interrupted naming --timeout", r.ID, r.Status, r.Message, r.Details)
		case strings.HasSuffix(r.Message, "before the check finished"):
			interrupted++
		case strings.HasSuffix(r.Message, "before the check started"):
			notRun++
			if r.Severity != "medium" {
				t.Errorf("unstarted %s severity %q, want the default", r.ID, r.Severity)
			}
		default:
			t.Errorf("%s = %s %q, want interrupted or not run", r.ID, r.Status, r.Message)
		}
	}
	if interrupted != 2 || notRun != n-2 {
		t.Errorf("%d interrupted and %d not run, want 2 and %d (parallel 2)", interrupted, notRun, n-2)
	}
}

func TestCancelledRunSaysWhy(t *testing.T) {
	tests := []struct {
		name   string
		cancel func(context.CancelCauseFunc)
		reason string
	}{
		{"signal", func(c context.CancelCauseFunc) { c(ErrAborted) }, "interrupted"},
		{"plain cancel", func(c context.CancelCauseFunc) { c(nil) }, "run cancelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			started, release := make(chan struct{}), make(chan struct{})
			t.Cleanup(func() { close(release) })
			checks := []Check{
				check("a/first", func(ctx context.Context) Result {
					close(started)
					<-ctx.Done()
					<-release // answers only after Run returned: abandoned
					return Result{Status: Pass}
				}),
				check("a/second", func(context.Context) Result { return Result{Status: Pass} }),
			}
			go func() {
				<-started
				tt.cancel(cancel)
			}()
			out := Run(ctx, testHost(t), checks, RunOptions{Parallel: 1})
			if !out.Aborted || out.Reason != tt.reason {
				t.Errorf("Aborted %v Reason %q, want %q", out.Aborted, out.Reason, tt.reason)
			}
			if r := out.Results[0]; !Interrupted(r) || r.Message != "interrupted: the run ended ("+tt.reason+") before the check finished" {
				t.Errorf("running check = %s %q", r.Status, r.Message)
			}
			if r := out.Results[1]; !Interrupted(r) || r.Message != "interrupted: the run ended ("+tt.reason+") before the check started" {
				t.Errorf("queued check = %s %q", r.Status, r.Message)
			}
		})
	}
}

func TestRunWithAnEndedContextStartsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var ran atomic.Int32
	var checks []Check
	for i := 0; i < 50; i++ {
		checks = append(checks, check(fmt.Sprintf("never/%d", i), func(context.Context) Result {
			ran.Add(1)
			return Result{Status: Pass}
		}))
	}
	out := Run(ctx, testHost(t), checks, RunOptions{})
	if ran.Load() != 0 {
		t.Errorf("%d checks ran after the context ended", ran.Load())
	}
	for _, r := range out.Results {
		if !Interrupted(r) || !strings.HasSuffix(r.Message, "before the check started") {
			t.Fatalf("%s = %s %q, want interrupted before it started", r.ID, r.Status, r.Message)
		}
	}
	if !out.Aborted {
		t.Error("not Aborted")
	}
}

func TestFillCompletesResults(t *testing.T) {
	m := Meta{ID: "cat/target", Category: "cat", Title: "A title", Expected: ">= 1", Severity: "high", Why: "it matters"}
	tests := []struct {
		name string
		in   Result
		meta Meta
		want Result
	}{
		{
			name: "empty status is an error",
			in:   Result{},
			meta: m,
			want: Result{ID: "cat/target", Category: "cat", Title: "A title", Expected: ">= 1", Severity: "high", Why: "it matters",
				Status: Error, Message: "check returned no status", Duration: time.Millisecond},
		},
		{
			name: "severity defaults to medium",
			in:   Result{Status: Pass},
			meta: Meta{ID: "x/y", Category: "x"},
			want: Result{ID: "x/y", Category: "x", Status: Pass, Severity: "medium", Duration: time.Millisecond},
		},
		{
			name: "the check's own values win",
			in:   Result{ID: "own/id", Category: "own", Title: "own title", Expected: "== 2", Severity: "low", Why: "own why", Status: Fail, Message: "m"},
			meta: m,
			want: Result{ID: "own/id", Category: "own", Title: "own title", Expected: "== 2", Severity: "low", Why: "own why", Status: Fail, Message: "m", Duration: time.Millisecond},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fill(tt.in, tt.meta, time.Millisecond)
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tt.want) {
				t.Errorf("fill =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
	t.Run("through Run", func(t *testing.T) {
		c := check("empty/result", func(context.Context) Result { return Result{} })
		out := Run(context.Background(), testHost(t), []Check{c}, RunOptions{})
		r := out.Results[0]
		if r.Status != Error || r.Severity != "medium" || r.ID != "empty/result" || r.Category != "empty" {
			t.Errorf("empty result = %+v", r)
		}
	})
}

func TestRunThatFinishedBeforeTheDeadlineIsComplete(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The only check completes, then the run's context ends before Run
	// returns: nothing was lost, so the run is not aborted (exit 3 would lie).
	c := check("t/last", func(context.Context) Result {
		cancel()
		return Result{Status: Pass}
	})
	out := Run(ctx, testHost(t), []Check{c}, RunOptions{})
	if out.Aborted || out.Results[0].Status != Pass {
		t.Fatalf("aborted %v (%q), status %s", out.Aborted, out.Reason, out.Results[0].Status)
	}
}

func TestCheckThatReturnsOnCancellationCountsAsInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	c := check("t/polite", func(ctx context.Context) Result {
		close(started)
		<-ctx.Done()
		return Result{Status: Error, Message: ctx.Err().Error()}
	})
	go func() { <-started; cancel() }()
	out := Run(ctx, testHost(t), []Check{c}, RunOptions{CheckTimeout: time.Minute})
	if !out.Aborted {
		t.Fatal("a check that gave up because the run was cancelled must make the run aborted")
	}
}

// A network check reads a cancelled context as its peer's timeout; the
// engine must not let that reading reach the report when the run ended.
func TestRunEndTurnsAFamilysTimeoutIntoInterrupted(t *testing.T) {
	for _, st := range []Status{Fail, Warn, Error} {
		t.Run(string(st), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			var sawErr error
			c := check("peer/slow", func(ctx context.Context) Result {
				<-ctx.Done()
				sawErr = ctx.Err()
				return Result{Status: st, Message: "timeout: no answer before the check's deadline",
					Details:     map[string]any{"cause": "timeout"},
					Remediation: nil}
			})
			out := Run(ctx, testHost(t), []Check{c}, RunOptions{CheckTimeout: time.Minute})
			r := out.Results[0]
			if !Interrupted(r) || !out.Aborted {
				t.Fatalf("result %s %q %v (aborted %v), want interrupted", r.Status, r.Message, r.Details, out.Aborted)
			}
			// The run's --timeout is not the check's deadline: the check
			// sees a cancellation, not DeadlineExceeded.
			if !errors.Is(sawErr, context.Canceled) {
				t.Errorf("the check's ctx.Err() = %v, want context.Canceled", sawErr)
			}
			if p, _ := r.Details["partial"].(string); !strings.Contains(p, "no answer") {
				t.Errorf("details.partial = %q, want the family's own words", p)
			}
		})
	}
}

// The check's own --check-timeout is the peer's timeout: the family's
// classification stands and the run is complete.
func TestCheckTimeoutIsNotInterrupted(t *testing.T) {
	var sawErr error
	c := check("peer/silent", func(ctx context.Context) Result {
		<-ctx.Done()
		sawErr = ctx.Err()
		return Result{Status: Fail, Message: "timeout", Details: map[string]any{"cause": "timeout"}}
	})
	out := Run(context.Background(), testHost(t), []Check{c}, RunOptions{CheckTimeout: 30 * time.Millisecond})
	r := out.Results[0]
	if r.Status != Fail || r.Details["cause"] != "timeout" || out.Aborted || Interrupted(r) {
		t.Fatalf("result %s %v (aborted %v), want the family's fail/timeout", r.Status, r.Details, out.Aborted)
	}
	if !errors.Is(sawErr, context.DeadlineExceeded) {
		t.Errorf("the check's ctx.Err() = %v, want context.DeadlineExceeded", sawErr)
	}
}

// A pass given after the run ended was earned: only a finished check passes.
func TestPassAfterTheRunEndedStands(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := check("t/pass", func(ctx context.Context) Result {
		cancel()
		<-ctx.Done()
		return Result{Status: Pass}
	})
	out := Run(ctx, testHost(t), []Check{c}, RunOptions{})
	if out.Results[0].Status != Pass || out.Aborted {
		t.Fatalf("result %s (aborted %v), want pass and a complete run", out.Results[0].Status, out.Aborted)
	}
}

func TestWaiversLeaveInterruptedChecksAlone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := Run(ctx, testHost(t), []Check{check("w/x", func(context.Context) Result { return Result{Status: Pass} })}, RunOptions{})
	w := profile.Waiver{Check: "w/*", Reason: "r", Ticket: "T-1", Expires: "2999-01-01", Until: time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC)}
	applyWaivers(&out, []profile.Waiver{w}, time.Now())
	if !Interrupted(out.Results[0]) {
		t.Fatalf("waived an interrupted check: %+v", out.Results[0])
	}
}

// TestNetworkBound sizes the default network bound from the open-file
// limit: two descriptors a check after a reserve, never below the local
// bound, never above MaxNetworkParallel.
func TestNetworkBound(t *testing.T) {
	for _, tt := range []struct {
		nofile uint64
		want   int
	}{
		{0, LocalParallel()},
		{fdReserve, LocalParallel()},
		{fdReserve + 2, LocalParallel()},
		{1024, 480},
		{4096, 2016},
		{20000, MaxNetworkParallel},
		{1 << 20, MaxNetworkParallel},
		{^uint64(0), MaxNetworkParallel}, // RLIM_INFINITY
	} {
		if got := networkBound(tt.nofile); got != tt.want {
			t.Errorf("networkBound(%d) = %d, want %d", tt.nofile, got, tt.want)
		}
	}
}

// TestLocalChecksDoNotWaitForNetworkChecks: by default, network checks that
// wait on their peers hold no slot a local check needs. More network checks
// than the local bound block until released, and the local checks planned
// after them still all finish meanwhile.
func TestLocalChecksDoNotWaitForNetworkChecks(t *testing.T) {
	release := make(chan struct{})
	var checks []Check
	for i := range LocalParallel() + 10 {
		c := check(fmt.Sprintf("net/%d", i), func(context.Context) Result {
			<-release
			return Result{Status: Pass}
		})
		c.M.Network = true
		checks = append(checks, c)
	}
	var local sync.WaitGroup
	for i := range 20 {
		local.Add(1)
		checks = append(checks, check(fmt.Sprintf("local/%d", i), func(context.Context) Result {
			local.Done()
			return Result{Status: Pass}
		}))
	}
	done := make(chan Outcome, 1)
	go func() { done <- Run(context.Background(), testHost(t), checks, RunOptions{}) }()
	finished := make(chan struct{})
	go func() { local.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(5 * time.Second):
		t.Error("local checks waited for the network checks")
	}
	close(release)
	for _, r := range (<-done).Results {
		if r.Status != Pass {
			t.Errorf("%s = %s %q", r.ID, r.Status, r.Message)
		}
	}
}
