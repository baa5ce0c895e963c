package clock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/beevik/ntp"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// causeKissOfDeath: the server answered with stratum 0 and a kiss code
// (RFC 5905 §7.4): RATE (asking too often), DENY or RSTR (this client is
// refused). The code is in the message.
const causeKissOfDeath = "kiss-of-death"

// defaultQueryTimeout applies when the check's context has no deadline.
const defaultQueryTimeout = 5 * time.Second

type offsetCheck struct {
	engine.Base
	server string
	set    settings
}

// sample is what one NTP query found.
type sample struct {
	offset, rtt, rootDistance time.Duration
	stratum                   uint8
}

func (c *offsetCheck) Run(ctx context.Context, _ *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"server": c.server}}
	s, fail := query(ctx, c.server)
	if fail != nil {
		res.Details["cause"] = fail.Cause
		res.Status = engine.Fail
		res.Observed = fail.Cause
		res.Message = "no usable NTP answer from " + c.server + ": " + fail.String()
		res.Remediation = &remediate.Plan{Summary: "make " + c.server + " answer NTP", Actions: []remediate.Action{
			remediate.Tell(fixFor(fail.Cause, c.server)),
		}}
		return res
	}
	res.Details["offset_ms"] = float64(s.offset.Microseconds()) / 1000
	res.Details["rtt_ms"] = float64(s.rtt.Microseconds()) / 1000
	res.Details["stratum"] = int(s.stratum)
	res.Details["root_distance_ms"] = float64(s.rootDistance.Microseconds()) / 1000
	res.Observed = fmt.Sprintf("offset %s (rtt %s, stratum %d)", s.offset.Round(time.Microsecond), s.rtt.Round(time.Microsecond), s.stratum)
	mag := s.offset.Abs()
	switch {
	case mag > c.set.offsetFail:
		res.Status = engine.Fail
	case mag > c.set.offsetWarn:
		res.Status = engine.Warn
	default:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("this clock is within %s of %s", c.set.offsetWarn, c.server)
		return res
	}
	res.Message = fmt.Sprintf("this clock is %s %s %s", mag.Round(time.Microsecond), direction(s.offset), c.server)
	res.Remediation = &remediate.Plan{Summary: "synchronise the clock with " + c.server, Actions: []remediate.Action{
		remediate.Tell(fmt.Sprintf("point the time daemon at %s (chrony: server %s iburst; timesyncd: NTP=%s) and let it step the clock (chronyc makestep)", c.server, c.server, c.server)),
	}}
	return res
}

// direction words the sign: ntp's offset is what to add to the local clock.
func direction(offset time.Duration) string {
	if offset > 0 {
		return "behind"
	}
	return "ahead of"
}

// query asks server for the time once. The context's deadline bounds the
// whole query, and its cancellation closes the socket.
func query(ctx context.Context, server string) (sample, *depcheck.Failure) {
	timeout := defaultQueryTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	if timeout <= 0 {
		f := depcheck.Timeout()
		return sample{}, &f
	}
	dialer := func(local, remote string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "udp", remote)
		if err != nil {
			return nil, err
		}
		stop := context.AfterFunc(ctx, func() { conn.Close() })
		return &stopConn{Conn: conn, stop: stop}, nil
	}
	r, err := ntp.QueryWithOptions(server, ntp.QueryOptions{Timeout: timeout, Dialer: dialer})
	if err != nil {
		f := classify(ctx, err)
		return sample{}, &f
	}
	if err := r.Validate(); err != nil {
		f := classifyAnswer(r, err)
		return sample{}, &f
	}
	return sample{offset: r.ClockOffset, rtt: r.RTT, rootDistance: r.RootDistance, stratum: r.Stratum}, nil
}

// stopConn undoes the context's close hook when the query ends first.
type stopConn struct {
	net.Conn
	stop func() bool
}

func (c *stopConn) Close() error {
	c.stop()
	return c.Conn.Close()
}

// classify names why the exchange failed: the network causes every
// network check shares, and a malformed answer.
func classify(ctx context.Context, err error) depcheck.Failure {
	if errors.Is(err, net.ErrClosed) && ctx.Err() != nil {
		if depcheck.Cancelled(ctx) {
			return depcheck.Interrupted()
		}
		return depcheck.Timeout()
	}
	f := depcheck.Classify(ctx, err)
	if f.Cause == depcheck.CauseNetwork {
		// Not a network error the shared classifier knows: the answer
		// itself (short, wrong mode, not matching the request).
		return depcheck.Failure{Cause: depcheck.CauseProtocol, Message: "bad answer: " + err.Error()}
	}
	return f
}

// classifyAnswer names why a well-formed answer cannot be used.
func classifyAnswer(r *ntp.Response, err error) depcheck.Failure {
	switch {
	case errors.Is(err, ntp.ErrKissOfDeath):
		return depcheck.Failure{Cause: causeKissOfDeath, Message: fmt.Sprintf("the server sent kiss code %q (%s)", r.KissCode, kissMeaning(r.KissCode))}
	case errors.Is(err, ntp.ErrInvalidStratum), errors.Is(err, ntp.ErrInvalidLeapSecond):
		return depcheck.Failure{Cause: depcheck.CauseProtocol, Message: fmt.Sprintf("bad answer: the server is not synchronised itself (stratum %d, leap %d)", r.Stratum, r.Leap)}
	}
	return depcheck.Failure{Cause: depcheck.CauseProtocol, Message: "bad answer: " + err.Error()}
}

// kissMeaning is RFC 5905 §7.4's text for the codes a client meets.
func kissMeaning(code string) string {
	switch code {
	case "RATE":
		return "this client asks too often; the server wants it to slow down"
	case "DENY", "RSTR":
		return "the server refuses this client (access control)"
	case "INIT":
		return "the server has not synchronised yet"
	case "STEP":
		return "the server's clock is stepping"
	}
	return "see RFC 5905 §7.4"
}

func fixFor(cause, server string) string {
	switch cause {
	case depcheck.CauseDNS:
		return "make " + server + " resolve from this host, or name it by address"
	case depcheck.CauseRefused:
		return "nothing answers NTP on " + server + ": start its NTP server, or name the right host and port"
	case depcheck.CauseTimeout:
		return "open UDP port 123 between this host and " + server + " (both directions), or check that the server runs"
	case causeKissOfDeath:
		return "ask the operator of " + server + " to allow this host (DENY/RSTR), or poll less often (RATE)"
	}
	return "check that " + server + " is an NTP server that is itself synchronised"
}
