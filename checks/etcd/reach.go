package etcd

import (
	"context"
	"sync"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
)

// reach is what one client URL answered.
type reach struct {
	URL      string
	Probe    probe
	StatusMS float64
	Status   *statusResponse
	Members  *memberListResponse // when asked for
	Alarms   *alarmResponse      // when asked for
	Fail     *depcheck.Failure
	// ListFail says why the member or alarm list could not be read
	// while Status answered.
	ListFail *depcheck.Failure
}

// OK reports whether the URL answered Status.
func (r *reach) OK() bool { return r.Fail == nil && r.Status != nil }

// reach connects to u and asks for its Status, and with lists also for the
// member list (as that member sees it) and the alarms.
func (ss *session) reach(ctx context.Context, u string, lists bool) *reach {
	r := &reach{URL: u}
	p, f := ss.preface(ctx, u)
	r.Probe = p
	if f != nil {
		r.Fail = f
		return r
	}
	cli, err := ss.connect(ctx, u)
	if err != nil {
		r.fail(ss.afterPreface(ctx, p, err, "connection (and Authenticate, with a username)"))
		return r
	}
	defer cli.close()
	start := time.Now()
	st, err := cli.status(ctx)
	if err != nil {
		r.fail(ss.afterPreface(ctx, p, err, "Status call"))
		return r
	}
	r.StatusMS = ms(time.Since(start))
	r.Status = st
	if !lists {
		return r
	}
	// Serializable: each member answers from its own view, which is what
	// "the members agree" compares, and it answers without a quorum.
	if r.Members, err = cli.memberList(ctx); err != nil {
		f := ss.classify(ctx, err)
		r.ListFail = &f
		return r
	}
	if r.Alarms, err = cli.alarms(ctx); err != nil {
		f := ss.classify(ctx, err)
		r.ListFail = &f
	}
	return r
}

func (r *reach) fail(f depcheck.Failure) { r.Fail = &f }

// afterPreface classifies a failure of an API call once the probe got
// through TCP, TLS and the HTTP/2 preface. A timeout there is a member
// that took the connection and did not answer the API: the message says
// what was observed, not a guess at a firewall or a host that is down.
func (ss *session) afterPreface(ctx context.Context, p probe, err error, step string) depcheck.Failure {
	f := ss.classify(ctx, err)
	if f.Cause == depcheck.CauseTimeout {
		f.Message = p.observed() + ", but etcd's " + step + " got no answer before the check's deadline"
	}
	return f
}

// reachAll reaches every URL in parallel; the result is in the order given.
func (ss *session) reachAll(ctx context.Context, urls []string, lists bool) []*reach {
	out := make([]*reach, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() { out[i] = ss.reach(ctx, u, lists) })
	}
	wg.Wait()
	return out
}

// reserve is how long before the check's deadline its own steps give up,
// so that its answer ("member etcd-3 did not answer") arrives before the
// runner's generic "timed out": a call its context ended needs a moment
// to unwind.
const reserve = 200 * time.Millisecond

func withReserve(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, dl.Add(-min(time.Until(dl)/10, reserve)))
}
