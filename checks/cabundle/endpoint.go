package cabundle

import (
	"context"
	"crypto/tls"
	"crypto/x509"
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
	res.Details["rtt_ms"] = ms(time.Since(start))
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}

	// Verification is done below, by hand, with the same roots, name and
	// key usage a Go client uses (and its default protocol versions): the
	// handshake alone would stop at the first problem and hide the
	// certificates that explain it. No application data is sent.
	conn := tls.Client(raw, &tls.Config{ServerName: sn, InsecureSkipVerify: true})
	hsStart := time.Now()
	if err := conn.HandshakeContext(ctx); err != nil {
		if depcheck.Classify(ctx, err).Cause == causeTimeout {
			res.Details["tls_reason"] = "handshake_timeout"
			return c.failed(res, causeTimeout, fmt.Sprintf("TCP connected in %.1f ms, but the TLS handshake did not complete before the check's deadline: the port accepts connections but does not answer TLS (a plain-text service? a stuck proxy?)",
				res.Details["rtt_ms"]))
		}
		res.Details["tls_reason"] = "handshake"
		return c.failed(res, causeTLS, "TLS handshake failed: "+err.Error())
	}
	res.Details["handshake_ms"] = ms(time.Since(hsStart))
	st := conn.ConnectionState()
	res.Details["tls_version"] = tls.VersionName(st.Version)
	res.Details["cipher"] = tls.CipherSuiteName(st.CipherSuite)
	if len(st.PeerCertificates) == 0 {
		res.Details["tls_reason"] = "no_certificate"
		return c.failed(res, causeTLS, "the server sent no certificate")
	}
	return c.judge(res, h, st, pool, rootsDesc, sn)
}

// roots are what the service's Go client trusts: the endpoint's ca_file,
// else the host's Go roots with the unit's SSL_CERT_FILE/SSL_CERT_DIR.
func (c *endpointCheck) roots(h *host.Host) (*x509.CertPool, string, error) {
	hs := c.st.on(h)
	if c.e.CAFile == "" {
		r := hs.serviceRoots()
		return r.Pool, r.Describe(), nil
	}
	b, err := hs.bundle(c.e.CAFile)
	if err != nil {
		return nil, "", fmt.Errorf("ca_file %s: %w", c.e.CAFile, err)
	}
	pool := x509.NewCertPool()
	for _, cert := range b.Certs {
		pool.AddCert(cert.Certificate)
	}
	return pool, fmt.Sprintf("%s (ca_file): %s", c.e.CAFile, plural(len(b.Certs), "certificate")), nil
}

func (c *endpointCheck) judge(res engine.Result, h *host.Host, st tls.ConnectionState, pool *x509.CertPool, rootsDesc, sn string) engine.Result {
	leaf := st.PeerCertificates[0]
	ci := info(leaf)
	res.Details["leaf"] = ci
	res.Details["presented_chain"] = chainNames(st.PeerCertificates)
	res.Observed = fmt.Sprintf("%s, %s, %s issued by %s, expires %s", res.Details["tls_version"], res.Details["cipher"], Name(leaf.Subject), Name(leaf.Issuer), day(leaf.NotAfter))

	inter := x509.NewCertPool()
	for _, ic := range st.PeerCertificates[1:] {
		inter.AddCert(ic)
	}
	now := h.Now()
	chains, err := leaf.Verify(x509.VerifyOptions{DNSName: sn, Roots: pool, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
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
			fmt.Sprintf("ask the owner of %s to renew its certificate (%s, expires %s)", c.e.Address, Name(leaf.Subject), day(leaf.NotAfter)))}}
		return res
	}
	res.Status = engine.Pass
	res.Message = fmt.Sprintf("verified as a Go client on this host verifies it; valid for %d more days", days)
	return res
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
		ca := Name(p.Orphan.Issuer)
		if depcheck.IsSelfSigned(p.Orphan) {
			ca = Name(p.Orphan.Subject)
		}
		what := "the CA certificate " + ca
		if c.e.CAFile != "" {
			return &remediate.Plan{Summary: "add the issuing CA to " + c.e.CAFile, Actions: []remediate.Action{remediate.Tell(
				fmt.Sprintf("append %s to %s (ca_file of this endpoint), after verifying it with its owner", what, c.e.CAFile))}}
		}
		return trustPlan(c.st.facts, "trust the CA that issued "+c.e.Address+"'s certificate", "", false, what, ca)
	case reasonNameMismatch:
		return &remediate.Plan{Summary: "connect with a name the certificate covers", Actions: []remediate.Action{remediate.Tell(
			fmt.Sprintf("use a name the certificate covers (%v) as server_name / in the service's configuration, or reissue the certificate with %s in its subject alternative names", SANs(leaf), c.serverName()))}}
	case reasonExpired, reasonNotYetValid:
		return &remediate.Plan{Summary: "renew the endpoint's certificate", Actions: []remediate.Action{remediate.Tell(
			fmt.Sprintf("ask the owner of %s to renew its certificate; if the dates look right, check this host's clock", c.e.Address))}}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
