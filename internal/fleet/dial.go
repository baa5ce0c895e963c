package fleet

import (
	"context"
	"errors"
	"fmt"
	"net"

	"golang.org/x/crypto/ssh"
)

// dial connects and authenticates within ctx, through t's jump hosts if
// it has any, classifying failures. Every hop is verified against
// known_hosts by its own address; the per-host deadline bounds the whole
// chain. Closing the returned client closes the jump hosts' as well.
func dial(ctx context.Context, t Target, opts *Options) (*ssh.Client, error) {
	r := t.route()
	hops := append(append([]Hop(nil), r.Jumps...), r.Hop)
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
				var se *stepError
				if errors.As(err, &se) {
					return nil, &stepError{se.kind, "via " + h.Label + ": " + se.msg}
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
	return last, nil
}

// dialHop opens one hop: over TCP, or through the previous hop's client.
func dialHop(ctx context.Context, via *ssh.Client, h Hop, opts *Options) (*ssh.Client, error) {
	if h.Refused != "" {
		return nil, &stepError{h.RefusedKind, h.Refused}
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
			return nil, &stepError{KindTimeout, fmt.Sprintf("connect %s: host timeout %s reached", h.Addr(), opts.HostTimeout)}
		}
		return nil, &stepError{KindUnreachable, fmt.Sprintf("connect %s: %v", h.Addr(), unwrapOp(err))}
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
		return nil, &stepError{KindTimeout, fmt.Sprintf("ssh handshake with %s: host timeout %s reached", h.Addr(), opts.HostTimeout)}
	}
	if err != nil {
		conn.Close()
		var hk *HostKeyError
		switch {
		case errors.As(keyErr, &hk):
			return nil, &stepError{KindHostKey, hk.Msg}
		case keyErr != nil:
			return nil, &stepError{KindHostKey, keyErr.Error()}
		case keyChecked:
			return nil, &stepError{KindAuth, fmt.Sprintf("authentication as %s failed: %v", user, err)}
		}
		return nil, &stepError{KindUnreachable, fmt.Sprintf("ssh handshake with %s: %v", h.Addr(), err)}
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
