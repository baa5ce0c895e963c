package depcheck

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/depcheck/deptest"
)

func dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

func TestClassifyRefusedAndTimeout(t *testing.T) {
	ctx := context.Background()
	_, err := dial(ctx, deptest.ClosedPort(t))
	if f := Classify(ctx, err); f.Cause != CauseRefused {
		t.Errorf("closed port: %+v", f)
	}

	// A server that accepts and says nothing ends at the deadline, as a
	// timeout, whatever step was waiting.
	silent := deptest.SilentListener(t)
	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	raw, err := dial(tctx, silent)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	err = tls.Client(raw, &tls.Config{ServerName: "x"}).HandshakeContext(tctx)
	if f := Classify(tctx, err); f.Cause != CauseTimeout {
		t.Errorf("silent server: %+v (%v)", f, err)
	}
}

func TestClassifyDNS(t *testing.T) {
	// A resolver whose server is a closed loopback port: a real
	// *net.DNSError that never leaves the machine.
	closed := deptest.ClosedPort(t)
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return dial(ctx, closed)
	}}
	_, err := r.LookupHost(context.Background(), "db.golive-test.invalid")
	f := Classify(context.Background(), err)
	if f.Cause != CauseDNS || !strings.Contains(f.Message, "name resolution failed") {
		t.Errorf("resolver down: %+v", f)
	}
	nx := &net.DNSError{Err: "no such host", Name: "db.golive-test.invalid", IsNotFound: true}
	f = Classify(context.Background(), &net.OpError{Op: "dial", Net: "tcp", Err: nx})
	if f.Cause != CauseDNS || f.Message != "db.golive-test.invalid does not resolve (no such host)" {
		t.Errorf("NXDOMAIN: %+v", f)
	}
}

func TestClassifyProtocol(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\n"))
		_, _ = c.Read(make([]byte, 512))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	raw, err := dial(ctx, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	err = tls.Client(raw, &tls.Config{ServerName: "x"}).HandshakeContext(ctx)
	if f := Classify(ctx, err); f.Cause != CauseProtocol {
		t.Errorf("plain-text server: %+v (%v)", f, err)
	}
}

func TestClassifyNil(t *testing.T) {
	if f := Classify(context.Background(), nil); f != (Failure{}) {
		t.Errorf("nil error: %+v", f)
	}
}

func TestAlertTextsCoverTheClientCertificateAlerts(t *testing.T) {
	for _, name := range []string{"tls: bad certificate", "tls: unknown certificate authority", "tls: expired certificate", "tls: certificate required"} {
		if _, ok := alertByText(name); !ok {
			t.Errorf("%q is not a known alert text", name)
		}
	}
}

func TestAlertFailureNamesTheServersVerdict(t *testing.T) {
	// unknown_ca comes from servers that check the issuer after the
	// client offered it (non-Go servers, or Go servers without ClientCAs
	// hints); the alert is taken from the wire as a *net.OpError.
	err := &net.OpError{Op: "remote error", Err: tls.AlertError(48)}
	f := Classify(context.Background(), err)
	if f.TLSReason != ReasonClientUnknownAuthority || !strings.Contains(f.Message, "unknown_ca") {
		t.Errorf("unknown_ca: %+v", f)
	}
	f = Classify(context.Background(), &net.OpError{Op: "remote error", Err: tls.AlertError(80)})
	if f.Cause != CauseTLS || f.TLSReason != ReasonHandshake || !strings.Contains(f.Message, "internal_error") {
		t.Errorf("internal_error: %+v", f)
	}
}

// A cancelled context is the run ending (--timeout, a signal), never the
// peer's timeout; a context past its own deadline is.
func TestClassifyCancelledIsNotATimeout(t *testing.T) {
	silent := deptest.SilentListener(t)
	handshake := func(ctx context.Context) error {
		raw, err := dial(context.Background(), silent)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		return tls.Client(raw, &tls.Config{ServerName: "x"}).HandshakeContext(ctx)
	}

	cctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	err := handshake(cctx)
	if f := Classify(cctx, err); f.Cause != CauseInterrupted || strings.Contains(f.Message, "deadline") {
		t.Errorf("cancelled handshake: %+v (%v)", f, err)
	}

	tctx, stop := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer stop()
	err = handshake(tctx)
	if f := Classify(tctx, err); f.Cause != CauseTimeout {
		t.Errorf("handshake past its deadline: %+v (%v)", f, err)
	}

}

// The timeout message says only what was observed.
func TestTimeoutMessageDoesNotGuess(t *testing.T) {
	for _, guess := range []string{"firewall", "host that is down", "dropping"} {
		if strings.Contains(Timeout().Message, guess) {
			t.Errorf("timeout message guesses %q: %s", guess, Timeout().Message)
		}
	}
}
