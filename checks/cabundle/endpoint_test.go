package cabundle

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/engine"
)

// endpointRun runs one tls/endpoint check with the loopback-only dialer.
func endpointRun(t *testing.T, files map[string]string, profileYAML string, opt engine.RunOptions) engine.Result {
	t.Helper()
	checks := plan(t, testProfile(t, profileYAML))
	var ec *endpointCheck
	for _, c := range checks {
		if e, ok := c.(*endpointCheck); ok {
			ec = e
		}
	}
	if ec == nil {
		t.Fatal("no tls/endpoint check")
	}
	ec.dial = loopbackDialer(t)
	return run(t, rootWith(t, files), []engine.Check{ec}, opt)[ec.ID()]
}

func TestEndpointVerdicts(t *testing.T) {
	ca := newCA(t, "Golive Test Issuing CA")
	stranger := newCA(t, "Golive Stranger CA")
	now := time.Now()
	loop := []net.IP{net.IPv4(127, 0, 0, 1)}
	serve := func(c *testCA, o leafOpts, extra ...*x509.Certificate) string {
		leaf, key := c.issue(t, o)
		return tlsServer(t, append([]*x509.Certificate{leaf}, extra...), key)
	}
	valid := serve(ca, leafOpts{cn: "db.internal", dns: []string{"db.internal", "localhost"}, ips: loop})
	expired := serve(ca, leafOpts{cn: "old.internal", ips: loop, notBefore: now.AddDate(-1, 0, 0), notAfter: now.AddDate(0, 0, -2)})
	soon := serve(ca, leafOpts{cn: "soon.internal", ips: loop, notAfter: now.AddDate(0, 0, 5)})
	wrongHost := serve(ca, leafOpts{cn: "other.internal", dns: []string{"other.internal"}})
	unknown := serve(stranger, leafOpts{cn: "alien.internal", ips: loop})
	selfSigned := serve(stranger, leafOpts{cn: "alien.internal", ips: loop}, stranger.cert)
	silent := silentServer(t)
	refused := closedPort(t)
	_, port, _ := net.SplitHostPort(valid)

	system := map[string]string{"etc/ssl/certs/ca-certificates.crt": ca.pem()}
	cases := []struct {
		name    string
		files   map[string]string
		profile string
		status  engine.Status
		cause   string
		reason  string
		words   []string
	}{
		{"valid, by IP", system, "tls: {endpoints: [" + valid + "]}", engine.Pass, "", "", []string{"verified as a Go client on this host verifies it"}},
		{"valid, by server_name", system, "tls: {endpoints: [{address: '" + valid + "', server_name: db.internal}]}", engine.Pass, "", "", nil},
		{"expiring within the window", system, "tls: {endpoints: [" + soon + "]}", engine.Warn, "", "", []string{"within 30 days"}},
		{"expired", system, "tls: {endpoints: [" + expired + "]}", engine.Fail, causeTLS, reasonExpired, []string{"old.internal expired on"}},
		{"wrong host", system, "tls: {endpoints: [" + wrongHost + "]}", engine.Fail, causeTLS, reasonNameMismatch,
			[]string{"the certificate is valid for other.internal, not 127.0.0.1"}},
		{"unknown authority: who signed it, which bundle", system, "extends: ubuntu-22.04\ntls: {endpoints: [" + unknown + "]}", engine.Fail, causeTLS, reasonUnknownAuthority,
			[]string{"x509: certificate signed by unknown authority", "alien.internal is issued by Golive Stranger CA (Golive Tests)", "not among /etc/ssl/certs/ca-certificates.crt plus the files in /etc/ssl/certs, /etc/pki/tls/certs: 1 certificate", "the issuer's key ID is"}},
		{"unknown self-signed root sent by the server", system, "tls: {endpoints: [" + selfSigned + "]}", engine.Fail, causeTLS, reasonUnknownAuthority,
			[]string{"the chain ends at the self-signed Golive Stranger CA (Golive Tests)", "fingerprint sha256:"}},
		{"ca_file trusts it", map[string]string{"etc/ssl/certs/ca-certificates.crt": ca.pem(), "etc/app/ca.pem": stranger.pem()},
			"tls: {endpoints: [{address: '" + unknown + "', ca_file: /etc/app/ca.pem}]}", engine.Pass, "", "", nil},
		{"the service's SSL_CERT_FILE is what counts", map[string]string{"etc/ssl/certs/ca-certificates.crt": ca.pem(), "opt/app/ca.pem": stranger.pem(),
			"etc/systemd/system/app.service": "[Service]\nEnvironment=SSL_CERT_FILE=/opt/app/ca.pem SSL_CERT_DIR=/nonexistent\n"},
			"service: {unit: app}\ntls: {endpoints: [" + valid + "]}", engine.Fail, causeTLS, reasonUnknownAuthority, []string{"/opt/app/ca.pem (SSL_CERT_FILE)"}},
		{"refused", system, "tls: {endpoints: [" + refused + "]}", engine.Fail, causeRefused, "", []string{"connection refused"}},
		{"name does not resolve", system, "tls: {endpoints: ['db.golive-test.invalid:" + port + "']}", engine.Fail, causeDNS, "", []string{"db.golive-test.invalid does not resolve"}},
		{"not TLS at all", system, "tls: {endpoints: [" + silent + "]}", engine.Fail, causeTimeout, "handshake_timeout", []string{"TCP connected", "did not complete"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := endpointRun(t, c.files, c.profile, engine.RunOptions{CheckTimeout: time.Second})
			want(t, r, c.status, c.words...)
			if c.cause != "" && r.Details["cause"] != c.cause {
				t.Errorf("cause %v, want %s", r.Details["cause"], c.cause)
			}
			if c.reason != "" && r.Details["tls_reason"] != c.reason {
				t.Errorf("tls_reason %v, want %s", r.Details["tls_reason"], c.reason)
			}
			if r.Status == engine.Pass {
				for _, k := range []string{"tls_version", "cipher", "leaf", "rtt_ms", "verified_chain", "server_name", "address"} {
					if r.Details[k] == nil {
						t.Errorf("details.%s missing", k)
					}
				}
			}
		})
	}
}

func TestEndpointUnknownAuthorityRemediation(t *testing.T) {
	stranger := newCA(t, "Golive Stranger CA")
	leaf, key := stranger.issue(t, leafOpts{cn: "alien.internal", ips: []net.IP{net.IPv4(127, 0, 0, 1)}})
	addr := tlsServer(t, []*x509.Certificate{leaf}, key)
	r := endpointRun(t, map[string]string{"etc/pki/tls/certs/ca-bundle.crt": twelve}, "extends: centos-7\ntls: {endpoints: ["+addr+"]}", engine.RunOptions{})
	got := argvs(r)
	if len(got) != 2 || !strings.Contains(got[0], "Golive Stranger CA (Golive Tests)") ||
		!strings.Contains(got[0], "/etc/pki/ca-trust/source/anchors/golive-stranger-ca-golive-tests.crt") || got[1] != "update-ca-trust extract" {
		t.Errorf("remediation %q", got)
	}
}

// A listener that accepts TCP and never speaks TLS must cost the check
// timeout, not more, and give the endpoint's own answer (not the runner's
// generic one).
func TestEndpointHandshakeEndsAtTheCheckTimeout(t *testing.T) {
	addr := silentServer(t)
	const timeout = 400 * time.Millisecond
	var r engine.Result
	took := waitClosed(t, 5*time.Second, func() {
		r = endpointRun(t, map[string]string{}, "tls: {endpoints: ["+addr+"]}", engine.RunOptions{CheckTimeout: timeout})
	})
	if took > timeout+300*time.Millisecond {
		t.Errorf("took %v with a %v check timeout", took, timeout)
	}
	want(t, r, engine.Fail, "TLS handshake did not complete")
	if r.Details["cause"] != causeTimeout {
		t.Errorf("cause %v", r.Details["cause"])
	}
}

func TestEndpointIsSkippedOffline(t *testing.T) {
	r := endpointRun(t, nil, "tls: {endpoints: ['127.0.0.1:1']}", engine.RunOptions{Offline: true})
	want(t, r, engine.Skip, "offline")
}

func TestEndpointCaFileUnreadableIsAnError(t *testing.T) {
	r := endpointRun(t, nil, "tls: {endpoints: [{address: '127.0.0.1:1', ca_file: /missing.pem}]}", engine.RunOptions{})
	want(t, r, engine.Error, "ca_file /missing.pem")
}

// A server that requires a client certificate rejects tls/endpoint (which
// has none) in TLS 1.2 inside the handshake and in TLS 1.3 after it, with
// an alert only a read sees: both versions give the same verdict and
// reason. A server that only asks for one, and one that never asks, pass.
func TestEndpointClientCertificateRequiredInEveryVersion(t *testing.T) {
	ca := newCA(t, "Golive Test Issuing CA")
	leaf, key := ca.issue(t, leafOpts{cn: "mtls.internal", ips: []net.IP{net.IPv4(127, 0, 0, 1)}})
	files := map[string]string{"etc/app/ca.pem": ca.pem()}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		for _, auth := range []tls.ClientAuthType{tls.RequireAnyClientCert, tls.RequireAndVerifyClientCert, tls.VerifyClientCertIfGiven, tls.RequestClientCert, tls.NoClientCert} {
			t.Run(tls.VersionName(v)+"/"+auth.String(), func(t *testing.T) {
				addr := tlsServerWith(t, []*x509.Certificate{leaf}, key, func(c *tls.Config) {
					c.MinVersion, c.MaxVersion, c.ClientAuth, c.ClientCAs = v, v, auth, pool(ca.cert)
				})
				start := time.Now()
				r := endpointRun(t, files, "tls: {endpoints: [{address: '"+addr+"', ca_file: /etc/app/ca.pem}]}", engine.RunOptions{CheckTimeout: 2 * time.Second})
				took := time.Since(start)
				if auth == tls.RequireAnyClientCert || auth == tls.RequireAndVerifyClientCert {
					want(t, r, engine.Fail, "the server requires a client certificate and none was sent")
					if r.Details["cause"] != causeTLS || r.Details["tls_reason"] != depcheck.ReasonClientCertRequired {
						t.Errorf("cause %v reason %v", r.Details["cause"], r.Details["tls_reason"])
					}
				} else {
					want(t, r, engine.Pass)
				}
				if took > time.Second {
					t.Errorf("took %v", took)
				}
			})
		}
	}
}

// A chain problem outranks the client-certificate alert in TLS 1.2 too: a
// Go client verifies the server before it answers the CertificateRequest.
func TestEndpointChainProblemBeforeClientCertificateAlert(t *testing.T) {
	ca := newCA(t, "Golive Test Issuing CA")
	stranger := newCA(t, "Golive Stranger CA")
	leaf, key := stranger.issue(t, leafOpts{cn: "mtls.internal", ips: []net.IP{net.IPv4(127, 0, 0, 1)}})
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		addr := tlsServerWith(t, []*x509.Certificate{leaf}, key, func(c *tls.Config) {
			c.MinVersion, c.MaxVersion, c.ClientAuth = v, v, tls.RequireAnyClientCert
		})
		r := endpointRun(t, map[string]string{"etc/app/ca.pem": ca.pem()}, "tls: {endpoints: [{address: '"+addr+"', ca_file: /etc/app/ca.pem}]}", engine.RunOptions{CheckTimeout: 2 * time.Second})
		want(t, r, engine.Fail, "certificate signed by unknown authority")
		if r.Details["tls_reason"] != reasonUnknownAuthority {
			t.Errorf("%s: reason %v", tls.VersionName(v), r.Details["tls_reason"])
		}
	}
}

func pool(cs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range cs {
		p.AddCert(c)
	}
	return p
}
