package cabundle

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// Causes of an endpoint failure, as details.cause names them.
const (
	causeDNS     = depcheck.CauseDNS
	causeRefused = depcheck.CauseRefused
	causeTimeout = depcheck.CauseTimeout
	causeTLS     = depcheck.CauseTLS
)

// reserve is how long before the check's deadline the endpoint gives up,
// so that its own answer ("the TLS handshake did not complete") arrives
// before the runner's generic "timed out".
const reserve = 50 * time.Millisecond

type endpointCheck struct {
	engine.Base
	st     *shared
	e      endpointEntry
	window int
	// dial opens the TCP connection; tests give it a resolver that never
	// leaves loopback.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func newEndpointCheck(m engine.Meta, st *shared, e endpointEntry, window int) *endpointCheck {
	var d net.Dialer
	return &endpointCheck{Base: engine.Base{M: m}, st: st, e: e, window: window, dial: d.DialContext}
}

func (c *endpointCheck) serverName() string {
	if c.e.ServerName != "" {
		return c.e.ServerName
	}
	h, _, _ := net.SplitHostPort(c.e.Address)
	return h
}

func (c *endpointCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	sn := c.serverName()
	res := engine.Result{Details: map[string]any{"address": c.e.Address, "server_name": sn}}
	pool, rootsDesc, err := c.roots(h)
	if err != nil {
		res.Status, res.Message = engine.Error, err.Error()
		return res
	}
	res.Details["roots"] = rootsDesc
	if dl, ok := ctx.Deadline(); ok {
		r := min(time.Until(dl)/10, reserve)
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-r))
		defer cancel()
	}

	// The TCP dial and the handshake are two steps (tls.Dialer.DialContext
	// does both in one) so that DNS, refused, timeout and TLS failures are
	// told apart and the connect time is measured on its own.
	start := time.Now()
	raw, err := c.dial(ctx, "tcp", c.e.Address)
	if err != nil {
		f := depcheck.Classify(ctx, err)
		return c.failed(res, f.Cause, f.Message)
	}
	defer raw.Close()
	rtt := time.Since(start)
	res.Details["rtt_ms"] = ms(rtt)
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}

	// Verification is done below, by hand, with the same roots, name and
	// key usage a Go client uses (and its default protocol versions): the
	// handshake alone would stop at the first problem and hide the
	// certificates that explain it. No application data is sent.
	//
	// A Go client without a certificate answers a CertificateRequest with
	// an empty Certificate message; requested records that one came, and
	// presented keeps the server's chain for a handshake the server ends
	// with an alert (TLS 1.2 rejects a missing client certificate inside
	// the handshake, after the client has verified the server: a chain
	// problem is what a Go client reports then).
	var requested bool
	var presented []*x509.Certificate
	conn := tls.Client(raw, &tls.Config{ServerName: sn, InsecureSkipVerify: true,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			requested = true
			return &tls.Certificate{}, nil
		},
		VerifyPeerCertificate: func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
			presented = parsePresented(rawCerts)
			return nil
		},
	})
	hsStart := time.Now()
	if err := conn.HandshakeContext(ctx); err != nil {
		if depcheck.Classify(ctx, err).Cause == causeTimeout {
			res.Details["tls_reason"] = "handshake_timeout"
			return c.failed(res, causeTimeout, fmt.Sprintf("TCP connected in %.1f ms, but the TLS handshake did not complete before the check's deadline: the port accepts connections but does not answer TLS (a plain-text service? a stuck proxy?)",
				res.Details["rtt_ms"]))
		}
		if len(presented) > 0 {
			if p, bad := c.verify(h, presented, pool, rootsDesc, sn); bad {
				res.Details["tls_reason"] = p.Reason
				res = c.failed(res, causeTLS, p.Msg)
				res.Remediation = c.plan(p, presented[0])
				return res
			}
		}
		if f, ok := rejected(ctx, err, requested); ok {
			res.Details["tls_reason"] = f.TLSReason
			return c.failed(res, causeTLS, f.Message)
		}
		res.Details["tls_reason"] = "handshake"
		return c.failed(res, causeTLS, "TLS handshake failed: "+err.Error())
	}
	hsTook := time.Since(hsStart)
	res.Details["handshake_ms"] = ms(hsTook)
	st := conn.ConnectionState()
	res.Details["tls_version"] = tls.VersionName(st.Version)
	res.Details["cipher"] = tls.CipherSuiteName(st.CipherSuite)
	if len(st.PeerCertificates) == 0 {
		res.Details["tls_reason"] = "no_certificate"
		return c.failed(res, causeTLS, "the server sent no certificate")
	}
	res = c.judge(res, h, st, pool, rootsDesc, sn)
	if requested && res.Status != engine.Fail {
		// In TLS 1.3 the client's handshake ends before the server has
		// read the client's (empty) certificate: a server that requires
		// one says so in an alert that only a read after the handshake
		// sees. Nothing is sent; a server that just waits for a request
		// ends the read at its short deadline, which is fine.
		if f, ok := afterHandshake(ctx, conn, max(3*rtt, 2*hsTook)); ok {
			res.Details["tls_reason"] = f.TLSReason
			res.Remediation = nil
			res.Observed = ""
			return c.failed(res, causeTLS, f.Message)
		}
	}
	return res
}

// postHandshakeWait bounds the read after the handshake: long enough for
// the server's answer to our Finished (a round trip), short enough not to
// matter next to the check timeout.
const postHandshakeWait = 200 * time.Millisecond

// afterHandshake reads once, briefly, for an alert the server sends after
// the handshake (TLS 1.3's certificate_required). slow stretches the wait
// on a slow path or a busy server: three connect times, two handshakes.
func afterHandshake(ctx context.Context, conn *tls.Conn, slow time.Duration) (depcheck.Failure, bool) {
	wait := max(postHandshakeWait, slow)
	dl := time.Now().Add(wait)
	if cdl, ok := ctx.Deadline(); ok && cdl.Before(dl) {
		dl = cdl
	}
	_ = conn.SetReadDeadline(dl)
	_, err := conn.Read(make([]byte, 1))
	if err == nil {
		return depcheck.Failure{}, false // the server spoke first: a banner
	}
	return rejected(context.Background(), err, true)
}

// rejected names an alert that rejects our (missing) client certificate.
// A Go server sends bad_certificate in TLS 1.2 and certificate_required in
// TLS 1.3 for the same cause; after a CertificateRequest we answered with
// no certificate, both mean "this server requires a client certificate",
// and the verdict says so in both versions.
//
// Go's TLS 1.2 server answers a missing certificate with handshake_failure
// (an alert that before the CertificateRequest would mean no common
// parameters, but that came after it here).
func rejected(ctx context.Context, err error, requested bool) (depcheck.Failure, bool) {
	f := depcheck.Classify(ctx, err)
	if f.Cause != causeTLS || f.TLSReason == "" {
		return f, false
	}
	if f.TLSReason == depcheck.ReasonHandshake && !(requested && isRemoteAlert(err, alertHandshakeFailure)) {
		return f, false
	}
	switch f.TLSReason {
	case depcheck.ReasonClientCertRequired, depcheck.ReasonBadCertificate, depcheck.ReasonHandshake:
		if requested {
			f.TLSReason = depcheck.ReasonClientCertRequired
			f.Message = "the server requires a client certificate and none was sent (tls/endpoint connects without one): " +
				"a Go client without tls.Config.Certificates fails here; give the service a client certificate from a CA the server accepts"
		}
	}
	return f, true
}

// alertHandshakeFailure is TLS alert 40, handshake_failure.
const alertHandshakeFailure tls.AlertError = 40

// isRemoteAlert reports whether err is alert a from the peer. crypto/tls
// wraps a received alert in a *net.OpError "remote error" whose inner
// error has the text of the same tls.AlertError.
func isRemoteAlert(err error, a tls.AlertError) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error" && op.Err != nil && op.Err.Error() == a.Error()
}

// parsePresented parses the server's chain as sent; a certificate that
// does not parse ends the list (the handshake fails on it anyway).
func parsePresented(raw [][]byte) []*x509.Certificate {
	out := make([]*x509.Certificate, 0, len(raw))
	for _, r := range raw {
		c, err := x509.ParseCertificate(r)
		if err != nil {
			break
		}
		out = append(out, c)
	}
	return out
}

// roots are what the service's Go client trusts: the endpoint's ca_file,
// else the host's Go roots with the unit's SSL_CERT_FILE/SSL_CERT_DIR.
func (c *endpointCheck) roots(h *host.Host) (*x509.CertPool, string, error) {
	hs := c.st.on(h)
	if c.e.CAFile == "" {
		r := hs.serviceRoots()
		return r.pool, r.describe(), nil
	}
	b, err := hs.bundle(c.e.CAFile)
	if err != nil {
		return nil, "", fmt.Errorf("ca_file %s: %w", c.e.CAFile, err)
	}
	// What x509.CertPool.AppendCertsFromPEM takes from the file: a Go
	// client loading ca_file gets neither TRUSTED CERTIFICATE blocks nor
	// DER.
	pool := x509.NewCertPool()
	for _, cert := range b.goCerts() {
		pool.AddCert(cert.Certificate)
	}
	return pool, fmt.Sprintf("%s (ca_file): %s", c.e.CAFile, plural(b.goDistinct(), "certificate")), nil
}

func (c *endpointCheck) judge(res engine.Result, h *host.Host, st tls.ConnectionState, pool *x509.CertPool, rootsDesc, sn string) engine.Result {
	leaf := st.PeerCertificates[0]
	ci := info(leaf)
	res.Details["leaf"] = ci
	res.Details["presented_chain"] = chainNames(st.PeerCertificates)
	res.Observed = fmt.Sprintf("%s, %s, %s issued by %s, expires %s", res.Details["tls_version"], res.Details["cipher"], name(leaf.Subject), name(leaf.Issuer), day(leaf.NotAfter))

	now := h.Now()
	chains, err := verifyChain(st.PeerCertificates, pool, sn, now)
	if err != nil {
		p := depcheck.DescribeVerify(err, now, rootsDesc)
		res.Details["tls_reason"] = p.Reason
		res = c.failed(res, causeTLS, p.Msg)
		res.Remediation = c.plan(p, leaf)
		return res
	}
	res.Details["verified_chain"] = chainNames(chains[0])
	days := int(leaf.NotAfter.Sub(now).Hours() / 24)
	res.Details["days_left"] = days
	if now.AddDate(0, 0, c.window).After(leaf.NotAfter) {
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("the certificate expires on %s, within %d days", day(leaf.NotAfter), c.window)
		res.Remediation = &remediate.Plan{Summary: "renew the endpoint's certificate", Actions: []remediate.Action{remediate.Tell(
			fmt.Sprintf("ask the owner of %s to renew its certificate (%s, expires %s)", c.e.Address, name(leaf.Subject), day(leaf.NotAfter)))}}
		return res
	}
	res.Status = engine.Pass
	res.Message = fmt.Sprintf("verified as a Go client on this host verifies it; valid for %d more days", days)
	return res
}

// verifyChain verifies a presented chain as crypto/tls's client does:
// the rest of the chain as intermediates, the name, server-auth usage.
func verifyChain(presented []*x509.Certificate, pool *x509.CertPool, sn string, now time.Time) ([][]*x509.Certificate, error) {
	inter := x509.NewCertPool()
	for _, ic := range presented[1:] {
		inter.AddCert(ic)
	}
	return presented[0].Verify(x509.VerifyOptions{DNSName: sn, Roots: pool, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
}

// verify reports a chain problem of a handshake that failed later.
func (c *endpointCheck) verify(h *host.Host, presented []*x509.Certificate, pool *x509.CertPool, rootsDesc, sn string) (depcheck.VerifyProblem, bool) {
	now := h.Now()
	if _, err := verifyChain(presented, pool, sn, now); err != nil {
		return depcheck.DescribeVerify(err, now, rootsDesc), true
	}
	return depcheck.VerifyProblem{}, false
}

func (c *endpointCheck) failed(res engine.Result, cause, msg string) engine.Result {
	res.Status = engine.Fail
	res.Details["cause"] = cause
	if res.Observed == "" {
		res.Observed = cause
	}
	res.Message = cause + ": " + msg
	return res
}

// plan fixes what the host can fix: trust for an unknown issuer. Names and
// dates are the endpoint owner's to fix.
func (c *endpointCheck) plan(p depcheck.VerifyProblem, leaf *x509.Certificate) *remediate.Plan {
	switch p.Reason {
	case reasonUnknownAuthority:
		ca := name(p.Orphan.Issuer)
		if depcheck.IsSelfSigned(p.Orphan) {
			ca = name(p.Orphan.Subject)
		}
		what := "the CA certificate " + ca
		if c.e.CAFile != "" {
			return &remediate.Plan{Summary: "add the issuing CA to " + c.e.CAFile, Actions: []remediate.Action{remediate.Tell(
				fmt.Sprintf("append %s to %s (ca_file of this endpoint), after verifying it with its owner", what, c.e.CAFile))}}
		}
		return trustPlan(c.st.facts, "trust the CA that issued "+c.e.Address+"'s certificate", "", false, what, ca)
	case reasonNameMismatch:
		return &remediate.Plan{Summary: "connect with a name the certificate covers", Actions: []remediate.Action{remediate.Tell(
			fmt.Sprintf("use a name the certificate covers (%v) as server_name / in the service's configuration, or reissue the certificate with %s in its subject alternative names", sans(leaf), c.serverName()))}}
	case reasonExpired, reasonNotYetValid:
		return &remediate.Plan{Summary: "renew the endpoint's certificate", Actions: []remediate.Action{remediate.Tell(
			fmt.Sprintf("ask the owner of %s to renew its certificate; if the dates look right, check this host's clock", c.e.Address))}}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
