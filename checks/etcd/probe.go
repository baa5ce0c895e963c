package etcd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
)

// probe is the transport half of reaching a member, done step by step
// before the API calls: dialing, the TLS handshake and the HTTP/2
// connection preface (gRPC's transport) are each timed, each failure keeps
// its own cause, and a later timeout can say how far the member got.
type probe struct {
	ConnectMS, HandshakeMS, PrefaceMS float64
	TLSVersion                        string
	// Connected, Handshaken and Prefaced say how far the probe got: what a
	// message may claim was observed, and nothing more.
	Connected, Handshaken, Prefaced bool
}

// observed says, in one clause, how far the transport got.
func (p probe) observed() string {
	var s string
	switch {
	case !p.Connected:
		return "the TCP connection was not established"
	case p.Handshaken:
		s = fmt.Sprintf("TCP connected in %.1f ms, the TLS handshake (%s) completed in %.1f ms", p.ConnectMS, p.TLSVersion, p.HandshakeMS)
	default:
		s = fmt.Sprintf("TCP connected in %.1f ms", p.ConnectMS)
	}
	if p.Prefaced {
		s += fmt.Sprintf(", the HTTP/2 preface was answered in %.1f ms", p.PrefaceMS)
	}
	return s
}

// preface opens a connection to u and exchanges HTTP/2 prefaces: a gRPC
// server answers ours with its SETTINGS frame. A TLS 1.3 server's verdict
// on our client certificate arrives here too, as an alert on that read.
func (ss *session) preface(ctx context.Context, u string) (probe, *depcheck.Failure) {
	var p probe
	pu, err := url.Parse(u)
	if err != nil {
		return p, &depcheck.Failure{Cause: depcheck.CauseNetwork, Message: err.Error()}
	}
	start := time.Now()
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", pu.Host)
	if err != nil {
		f := ss.classify(ctx, err)
		if f.Cause == depcheck.CauseTimeout {
			f.Message = "the TCP connection was not established before the check's deadline: the connection attempt got no answer"
		}
		return p, &f
	}
	defer raw.Close()
	p.ConnectMS, p.Connected = ms(time.Since(start)), true
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	conn := raw
	if cfg := ss.tlsFor(u); cfg != nil {
		cfg.NextProtos = []string{"h2"}
		tc := tls.Client(raw, cfg)
		hs := time.Now()
		if err := tc.HandshakeContext(ctx); err != nil {
			f := ss.classify(ctx, err)
			if f.Cause == depcheck.CauseTimeout {
				f.Message = fmt.Sprintf("TCP connected in %.1f ms, but the TLS handshake did not complete before the check's deadline", p.ConnectMS)
			}
			return p, &f
		}
		p.HandshakeMS, p.Handshaken = ms(time.Since(hs)), true
		p.TLSVersion = tls.VersionName(tc.ConnectionState().Version)
		conn = tc
	}
	pre := time.Now()
	if f := ss.exchangePreface(ctx, conn); f != nil {
		if f.Cause == depcheck.CauseTimeout {
			f.Message = p.observed() + ", but the server did not answer the HTTP/2 preface before the check's deadline"
		}
		return p, f
	}
	p.PrefaceMS, p.Prefaced = ms(time.Since(pre)), true
	return p, nil
}

func (ss *session) exchangePreface(ctx context.Context, conn net.Conn) *depcheck.Failure {
	// A failed write (the server has already closed) is left to the read,
	// which returns the server's reason, its alert, when it sent one.
	if _, err := io.WriteString(conn, clientPreface); err == nil {
		_, _ = conn.Write(emptySettings)
	}
	typ, err := readFirstFrame(conn)
	if err == nil {
		if typ == frameSettings {
			return nil
		}
		return &depcheck.Failure{Cause: depcheck.CauseProtocol, Message: fmt.Sprintf("the server answered the HTTP/2 preface with a %s frame, not SETTINGS: not an etcd gRPC endpoint", frameName(typ))}
	}
	f := ss.classify(ctx, err)
	var connErr frameError
	switch {
	case f.Cause == depcheck.CauseTLS:
	case f.Cause == depcheck.CauseTimeout: // worded by the caller, which knows how far the probe got
	case errors.As(err, &connErr), errors.Is(err, errFrameTooLarge):
		f = depcheck.Failure{Cause: depcheck.CauseProtocol, Message: "the server does not speak HTTP/2 (gRPC): " + err.Error()}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		f = depcheck.Failure{Cause: depcheck.CauseProtocol, Message: "the server closed the connection instead of answering the HTTP/2 preface: not an etcd gRPC endpoint, or a proxy refusing us"}
	default:
		if f.Cause == depcheck.CauseNetwork {
			f = depcheck.Failure{Cause: depcheck.CauseProtocol, Message: "no HTTP/2 (gRPC) answer: " + err.Error()}
		}
	}
	return &f
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
