package cabundle

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// tlsServer is a real crypto/tls server on 127.0.0.1 with a random port.
func tlsServer(t *testing.T, chain []*x509.Certificate, key crypto.Signer) string {
	t.Helper()
	return tlsServerWith(t, chain, key, nil)
}

// tlsServerWith is tlsServer with the server's configuration adjusted
// (versions, client authentication).
func tlsServerWith(t *testing.T, chain []*x509.Certificate, key crypto.Signer, adjust func(*tls.Config)) string {
	t.Helper()
	cert := tls.Certificate{PrivateKey: key}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	if adjust != nil {
		adjust(cfg)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	serve(t, ln, func(c net.Conn) {
		// Finish the handshake, then wait for the client to hang up.
		_ = c.(*tls.Conn).Handshake()
		_, _ = c.Read(make([]byte, 1))
	})
	return ln.Addr().String()
}

// silentServer accepts TCP connections and never says a word: the TLS
// handshake can only end at the client's deadline.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serve(t, ln, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	return ln.Addr().String()
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// serve accepts until the test ends, then closes the listener and every
// connection it accepted and waits for the handlers.
func serve(t *testing.T, ln net.Listener, handle func(net.Conn)) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
}

// loopbackDialer resolves names with a DNS server on 127.0.0.1 that
// answers NXDOMAIN to everything, so that a test can exercise name
// resolution without sending a query to the machine's resolver. Literal
// IPs are dialled directly.
func loopbackDialer(t *testing.T) func(ctx context.Context, network, addr string) (net.Conn, error) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := nxdomain(buf[:n]); resp != nil {
				_, _ = pc.WriteTo(resp, from)
			}
		}
	}()
	dns := pc.LocalAddr().String()
	d := &net.Dialer{Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", dns)
	}}}
	return d.DialContext
}

// nxdomain answers a DNS query with NXDOMAIN: the header with QR and
// RCODE 3, and the question section only.
func nxdomain(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	i := 12
	for i < len(q) && q[i] != 0 {
		i += int(q[i]) + 1
	}
	end := i + 1 + 4 // the root label, QTYPE, QCLASS
	if end > len(q) {
		return nil
	}
	resp := append([]byte(nil), q[:end]...)
	resp[2] |= 0x80                   // QR
	resp[3] = resp[3]&0xf0 | 3        // RCODE NXDOMAIN
	resp[3] |= 0x80                   // RA
	copy(resp[6:12], make([]byte, 6)) // no answers, authority or additional records
	return resp
}

// waitClosed is a guard for the timeout tests: the check must have
// returned well before the test's own patience ends.
func waitClosed(t *testing.T, d time.Duration, f func()) time.Duration {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() { f(); close(done) }()
	select {
	case <-done:
		return time.Since(start)
	case <-time.After(d):
		t.Fatal(errors.New("check did not return"))
	}
	return 0
}
