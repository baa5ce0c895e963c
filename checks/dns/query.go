package dns

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"time"

	mdns "github.com/miekg/dns"
)

// Causes of an exchange's outcome; they are the values of details.cause.
const (
	causeAnswer   = "answer"   // the server answered (NOERROR or NXDOMAIN)
	causeServfail = "servfail" // SERVFAIL: it could not resolve
	causeRefused  = "refused"  // REFUSED: it will not recurse for this client
	causeRcode    = "rcode"    // another error rcode (FORMERR, NOTIMP, ...)
	causeTimeout  = "timeout"  // no answer before the deadline
	causeNetwork  = "network"  // the exchange failed: connection refused, unreachable, malformed reply
)

// ednsSize is what glibc advertises with "options edns0"
// (RESOLV_EDNS_BUFFER_SIZE).
const ednsSize = 1200

// answer is the outcome of one question to one server.
type answer struct {
	msg       *mdns.Msg // nil unless a response arrived
	cause     string
	rcode     string // "NOERROR", "SERVFAIL", ...; "" without a response
	err       error
	rtt       time.Duration // until the final response or the failure
	transport string        // "udp" or "tcp": the transport of the last exchange
	fallback  bool          // truncated over UDP, asked again over TCP
}

// reserve returns ctx with its deadline moved a little earlier, so that a
// check that waits on the network reports its own, precise result ("no
// answer within 1s") before the engine gives up on it with a bare timeout.
func reserve(ctx context.Context) (context.Context, context.CancelFunc) {
	d, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	margin := min(50*time.Millisecond, time.Until(d)/20)
	return context.WithDeadline(ctx, d.Add(-margin))
}

// dialGuard is consulted before every exchange. Tests replace it to fence
// the network: nothing but their own loopback servers may be asked.
var dialGuard = func(netip.AddrPort) error { return nil }

// exchange asks server one question: over UDP, then over TCP when the
// answer is truncated (as glibc does), or over TCP only for use-vc. ctx
// bounds the whole exchange, TCP fallback included.
func exchange(ctx context.Context, server netip.AddrPort, q *mdns.Msg, tcpOnly bool) answer {
	start := time.Now()
	a := answer{transport: "udp"}
	if tcpOnly {
		a.transport = "tcp"
	}
	if err := dialGuard(server); err != nil {
		return answer{cause: causeNetwork, err: err, transport: a.transport}
	}
	msg, err := exchangeOnce(ctx, a.transport, server, q)
	if err == nil && msg.Truncated && a.transport == "udp" {
		a.fallback, a.transport = true, "tcp"
		msg, err = exchangeOnce(ctx, "tcp", server, q)
	}
	a.rtt = time.Since(start)
	if err != nil {
		a.err, a.cause = err, failureCause(ctx, err)
		return a
	}
	a.msg, a.rcode, a.cause = msg, rcodeName(msg.Rcode), rcodeCause(msg.Rcode)
	return a
}

// exchangeOnce is one query over one transport. The connection is closed
// when ctx ends, so that no read outlives the check, whatever deadline
// the dns client computes for itself.
func exchangeOnce(ctx context.Context, network string, server netip.AddrPort, q *mdns.Msg) (*mdns.Msg, error) {
	timeout := 5 * time.Second // never used by the engine, which always sets a deadline
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	if timeout <= 0 || ctx.Err() != nil {
		return nil, fmt.Errorf("%s %s: %w", network, server, context.DeadlineExceeded)
	}
	c := &mdns.Client{Net: network, Timeout: timeout}
	conn, err := c.DialContext(ctx, server.String())
	if err != nil {
		return nil, fmt.Errorf("dial %s %s: %w", network, server, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	r, _, err := c.ExchangeWithConnContext(ctx, q, conn)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", network, server, err)
	}
	return r, nil
}

func failureCause(ctx context.Context, err error) string {
	var ne net.Error
	switch {
	case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return causeTimeout
	case errors.As(err, &ne) && ne.Timeout():
		return causeTimeout
	}
	return causeNetwork
}

func rcodeCause(rcode int) string {
	switch rcode {
	case mdns.RcodeSuccess, mdns.RcodeNameError:
		return causeAnswer
	case mdns.RcodeServerFailure:
		return causeServfail
	case mdns.RcodeRefused:
		return causeRefused
	}
	return causeRcode
}

func rcodeName(rcode int) string {
	if s, ok := mdns.RcodeToString[rcode]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rcode)
}

// question builds a recursive query as glibc sends it: RD set, EDNS0 and
// the AD bit only when resolv.conf asks for them.
func question(name string, qtype uint16, o options) *mdns.Msg {
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(name), qtype)
	m.RecursionDesired = true
	m.AuthenticatedData = o.trustAD
	if o.edns0 {
		m.SetEdns0(ednsSize, false)
	}
	return m
}

// describe renders an outcome for a message: "NOERROR in 2.1 ms over UDP".
func (a answer) describe(limit time.Duration) string {
	via := "over " + upper(a.transport)
	if a.fallback {
		via = "over TCP (the UDP answer was truncated)"
	}
	switch a.cause {
	case causeTimeout:
		if limit > 0 {
			return fmt.Sprintf("no answer within %s %s", limit.Round(time.Millisecond), via)
		}
		return "no answer " + via
	case causeNetwork:
		return fmt.Sprintf("%v", a.err)
	}
	return fmt.Sprintf("%s in %s %s", a.rcode, roundRTT(a.rtt), via)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// ms is a duration in milliseconds with two decimals, for details.
func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*100) / 100
}

func roundRTT(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(100 * time.Microsecond)
}
