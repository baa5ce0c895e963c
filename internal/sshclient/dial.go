package sshclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// Options are the command line's side of a connection: what every hop
// uses unless ssh_config gave it its own.
type Options struct {
	User     string    // login user for hops that name none
	Auth     *Auth     // keys for hops without an IdentityFile
	HostKeys *HostKeys // known_hosts for hops without their own
	// Timeout is the deadline the caller's context carries for the host;
	// Dial names it when it is reached and adds none of its own.
	Timeout time.Duration
	// Sent, when set, counts every byte written to the host's first hop
	// (the TCP connection: ssh framing, handshake and uploads included).
	Sent *atomic.Int64
}

// Reason says why a connection failed.
type Reason string

// Why a connection failed.
const (
	Unreachable    Reason = "unreachable" // refused, no route, DNS, not an ssh server, not supported
	AuthFailed     Reason = "auth"        // no key was accepted
	HostKeyRefused Reason = "hostkey"     // unknown, changed or revoked host key, or verification turned off
	TimedOut       Reason = "timeout"     // the context's deadline came first
)

// DialError is a connection that failed, with why.
type DialError struct {
	Reason Reason
	Msg    string
}

func (e *DialError) Error() string { return e.Msg }

// Dial connects and authenticates within ctx, through r's jump hosts if
// it has any, classifying failures. Every hop is verified against
// known_hosts by its own address; ctx's deadline bounds the whole chain.
// Closing the Conn closes the jump hosts' connections as well.
func Dial(ctx context.Context, r Route, opts *Options) (*Conn, error) {
	hops := r.hops()
	var chain []*ssh.Client
	closeAll := func() {
		for i := len(chain) - 1; i >= 0; i-- {
			chain[i].Close()
		}
	}
	for i, h := range hops {
		var via *ssh.Client
		if i > 0 {
			via = chain[i-1]
		}
		c, err := dialHop(ctx, via, h, opts)
		if err != nil {
			closeAll()
			if i < len(hops)-1 {
				var de *DialError
				if errors.As(err, &de) {
					return nil, &DialError{de.Reason, "via " + h.Label + ": " + de.Msg}
				}
				return nil, fmt.Errorf("via %s: %w", h.Label, err)
			}
			return nil, err
		}
		chain = append(chain, c)
	}
	last := chain[len(chain)-1]
	if jumps := chain[:len(chain)-1]; len(jumps) > 0 {
		go func() {
			last.Wait()
			for i := len(jumps) - 1; i >= 0; i-- {
				jumps[i].Close()
			}
		}()
	}
	return &Conn{client: last}, nil
}

// dialHop opens one hop: over TCP, or through the previous hop's client.
func dialHop(ctx context.Context, via *ssh.Client, h Hop, opts *Options) (*ssh.Client, error) {
	if h.Refused != "" {
		return nil, &DialError{h.RefusedReason, h.Refused}
	}
	user := h.User
	if user == "" {
		user = opts.User
	}
	auth, keys := h.Auth, h.HostKeys
	if auth == nil {
		auth = opts.Auth
	}
	if keys == nil {
		keys = opts.HostKeys
	}
	var keyErr error
	keyChecked := false
	cfg := &ssh.ClientConfig{
		User: user,
		Auth: auth.Methods(),
		HostKeyCallback: func(addr string, remote net.Addr, key ssh.PublicKey) error {
			keyErr = keys.Callback(addr, remote, key)
			keyChecked = keyErr == nil
			return keyErr
		},
		HostKeyAlgorithms: keys.Algorithms(h.Addr()),
	}
	conn, err := connect(ctx, via, h.Addr())
	if err != nil {
		if ctx.Err() != nil {
			return nil, &DialError{TimedOut, fmt.Sprintf("connect %s: host timeout %s reached", h.Addr(), opts.Timeout)}
		}
		return nil, &DialError{Unreachable, fmt.Sprintf("connect %s: %v", h.Addr(), unwrapOp(err))}
	}
	if via == nil && opts.Sent != nil {
		conn = &countingConn{Conn: conn, sent: opts.Sent}
	}
	// The handshake has no context of its own: a server that accepts and
	// never speaks would hold it forever.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	c, chans, reqs, err := ssh.NewClientConn(conn, h.Addr(), cfg)
	if !stop() {
		if err == nil {
			c.Close()
		}
		conn.Close()
		return nil, &DialError{TimedOut, fmt.Sprintf("ssh handshake with %s: host timeout %s reached", h.Addr(), opts.Timeout)}
	}
	if err != nil {
		conn.Close()
		var hk *HostKeyError
		switch {
		case errors.As(keyErr, &hk):
			return nil, &DialError{HostKeyRefused, hk.Msg}
		case keyErr != nil:
			return nil, &DialError{HostKeyRefused, keyErr.Error()}
		case keyChecked:
			return nil, &DialError{AuthFailed, fmt.Sprintf("authentication as %s failed: %v", user, err)}
		}
		return nil, &DialError{Unreachable, fmt.Sprintf("ssh handshake with %s: %v", h.Addr(), err)}
	}
	return ssh.NewClient(c, chans, reqs), nil
}

// connect opens a TCP connection to addr, directly or as a channel of the
// jump host's client (which has no context: cancelling closes it).
func connect(ctx context.Context, via *ssh.Client, addr string) (net.Conn, error) {
	if via == nil {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	stop := context.AfterFunc(ctx, func() { via.Close() })
	conn, err := via.Dial("tcp", addr)
	if !stop() && err == nil {
		conn.Close()
		return nil, context.Cause(ctx)
	}
	return conn, err
}

// unwrapOp shortens "dial tcp 127.0.0.1:22: connect: connection refused".
func unwrapOp(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

// countingConn counts the bytes written to a connection.
type countingConn struct {
	net.Conn
	sent *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.sent.Add(int64(n))
	return n, err
}
