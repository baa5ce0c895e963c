package http

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// pki is a test CA and leaves it signs, for 127.0.0.1 and app.test.
type pki struct {
	caPEM []byte
	ca    *x509.Certificate
	key   *ecdsa.PrivateKey
}

func newPKI(t testing.TB) *pki {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "golive test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	return &pki{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), ca: ca, key: key}
}

// leaf is a server certificate; expired makes it end an hour ago.
func (p *pki) leaf(t testing.TB, expired bool) tls.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "app.test"},
		NotBefore: time.Now().Add(-2 * time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"app.test"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	if expired {
		tmpl.NotAfter = time.Now().Add(-time.Hour)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// server starts an HTTPS server with the leaf (or plain HTTP when leaf is
// nil) on 127.0.0.1.
func server(t testing.TB, h nethttp.Handler, leaf *tls.Certificate) *httptest.Server {
	s := httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake errors are the tests' point
	if leaf != nil {
		s.TLS = &tls.Config{Certificates: []tls.Certificate{*leaf}}
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// rootWithCA is a test root holding the CA at /etc/app/ca.pem.
func rootWithCA(t testing.TB, p *pki) *host.Host {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "etc/app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "etc/app/ca.pem"), p.caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := host.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// runYAML builds the http section of yaml and runs its checks on h.
func runYAML(t testing.TB, h *host.Host, yaml string) map[string]engine.Result {
	t.Helper()
	p := profiletest.ResolveNamed(t, "p.yaml", yaml)
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]engine.Result{}
	for _, c := range checks {
		r := c.Run(context.Background(), h)
		r.ID = c.ID()
		out[r.ID] = r
	}
	return out
}
