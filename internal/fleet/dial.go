package fleet

import (
	"context"
	"errors"
	"fmt"
	"net"

	"golang.org/x/crypto/ssh"
)

// dial connects and authenticates within ctx, classifying failures.
func dial(ctx context.Context, t Target, opts *Options) (*ssh.Client, error) {
	user := t.User
	if user == "" {
		user = opts.User
	}
	var keyErr error
	keyChecked := false
	cfg := &ssh.ClientConfig{
		User: user,
		Auth: opts.Auth.Methods(),
		HostKeyCallback: func(addr string, remote net.Addr, key ssh.PublicKey) error {
			keyErr = opts.HostKeys.Callback(addr, remote, key)
			keyChecked = keyErr == nil
			return keyErr
		},
		HostKeyAlgorithms: opts.HostKeys.Algorithms(t.Addr()),
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", t.Addr())
	if err != nil {
		if ctx.Err() != nil {
			return nil, &stepError{KindTimeout, fmt.Sprintf("connect %s: host timeout %s reached", t.Addr(), opts.HostTimeout)}
		}
		return nil, &stepError{KindUnreachable, fmt.Sprintf("connect %s: %v", t.Addr(), unwrapOp(err))}
	}
	// The handshake has no context of its own: a server that accepts and
	// never speaks would hold it forever.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	c, chans, reqs, err := ssh.NewClientConn(conn, t.Addr(), cfg)
	if !stop() {
		if err == nil {
			c.Close()
		}
		conn.Close()
		return nil, &stepError{KindTimeout, fmt.Sprintf("ssh handshake with %s: host timeout %s reached", t.Addr(), opts.HostTimeout)}
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
		return nil, &stepError{KindUnreachable, fmt.Sprintf("ssh handshake with %s: %v", t.Addr(), err)}
	}
	return ssh.NewClient(c, chans, reqs), nil
}

// unwrapOp shortens "dial tcp 127.0.0.1:22: connect: connection refused".
func unwrapOp(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}
