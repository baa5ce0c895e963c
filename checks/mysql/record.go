package mysql

import (
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
)

// recordingConn remembers what the driver hides: the first bytes the
// server sent (a MySQL greeting, or "SSH-2.0-..." from the wrong port) and
// the first network error (the driver logs it and returns "invalid
// connection").
type recordingConn struct {
	net.Conn
	mu    sync.Mutex
	first []byte
	err   error
}

// greetingPeek is how much of the server's first bytes is kept.
const greetingPeek = 16

func (c *recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	if room := greetingPeek - len(c.first); room > 0 && n > 0 {
		c.first = append(c.first, b[:min(n, room)]...)
	}
	if err != nil && c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	return n, err
}

func (c *recordingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if err != nil {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
	return n, err
}

// seen returns the first bytes and the first error.
func (c *recordingConn) seen() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.first...), c.err
}

// isGreeting reports whether b starts like a MySQL server's first packet:
// a 3-byte length, sequence 0, then protocol version 10 (a handshake) or
// 0xff (an error packet: "Host is blocked", "Too many connections").
func isGreeting(b []byte) bool {
	if len(b) < 5 || b[3] != 0 {
		return false
	}
	length := int(b[0]) | int(b[1])<<8 | int(b[2])<<16
	return length > 0 && (b[4] == 10 || b[4] == 0xff)
}

// errLogger takes the driver's log lines (it logs the network or TLS error
// it then hides behind "invalid connection") and keeps the first error.
type errLogger struct {
	mu  sync.Mutex
	err error
}

func (l *errLogger) Print(v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range v {
		if e, ok := x.(error); ok && l.err == nil {
			l.err = e
		}
	}
}

func (l *errLogger) first() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// loginTrace is what golive saw of a login besides the driver's error.
type loginTrace struct {
	conn   *recordingConn // nil until the dial succeeded
	logged errLogger
	// tlsDone is set once the server's certificate verified; clientCert
	// when golive presented one.
	tlsDone    atomic.Bool
	clientCert bool
}

// watchTLS marks the trace when the handshake verified the server, so a
// connection the server drops right after can be blamed on our client
// certificate.
func (tr *loginTrace) watchTLS(cfg *tls.Config) {
	if cfg == nil {
		return
	}
	tr.clientCert = len(cfg.Certificates) > 0
	prev := cfg.VerifyConnection
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if prev != nil {
			if err := prev(cs); err != nil {
				return err
			}
		}
		tr.tlsDone.Store(true)
		return nil
	}
}
