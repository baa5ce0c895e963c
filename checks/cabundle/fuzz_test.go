package cabundle

import (
	"crypto/x509"
	"os"
	"testing"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
)

// FuzzReadBundle feeds arbitrary bytes to the bundle reader (parseBundle,
// what readBundle runs on a file's bytes): it never panics, accounts for
// every BEGIN line, and takes for Go exactly the certificates
// CertPool.AppendCertsFromPEM takes — the oracle for "what a Go program on
// this host trusts".
func FuzzReadBundle(f *testing.F) {
	r := testpki.Roots
	f.Add(r[0].PEM())
	f.Add(append(r[0].PEM(), r[1].PEM()...))
	f.Add(r[0].DER())
	f.Add(testpki.TrustedPEM(r[0].DER(), "alias"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n"))
	f.Add([]byte("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte(""))
	// Duplicates and a CA both as CERTIFICATE and TRUSTED CERTIFICATE:
	// Go's pool holds each certificate once, and never the trusted form.
	f.Add(append(append(r[0].PEM(), r[0].PEM()...), testpki.TrustedPEM(r[0].DER(), "dup")...))
	f.Add(append(testpki.TrustedPEM(r[1].DER(), ""), r[2].PEM()...))
	if data, err := os.ReadFile("../../testdata/roots/broken/etc/ssl/certs/ca-certificates.crt"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := parseBundle(data, nil)
		if !b.truncated && len(b.malformed) < maxProblems && len(b.other) < maxProblems && !b.der {
			if got := len(b.certs) + len(b.malformed) + len(b.other); got != b.blocks {
				t.Fatalf("%d BEGIN lines, %d accounted for", b.blocks, got)
			}
		}
		assertGoPool(t, data, b)
		assertDistinct(t, data, b)
	})
}

// assertDistinct checks GoDistinct counts what Go's pool holds: the
// first copy of each Go-usable certificate alone makes the same pool, and
// no TRUSTED CERTIFICATE block is Go-usable.
func assertDistinct(t *testing.T, data []byte, b *bundle) {
	t.Helper()
	first := x509.NewCertPool()
	seen := map[[32]byte]bool{}
	for _, c := range b.certs {
		if c.trusted && c.goUsable {
			t.Fatalf("a TRUSTED CERTIFICATE block at line %d is taken as Go-usable", c.line)
		}
		if c.goUsable && !seen[c.sha256] {
			seen[c.sha256] = true
			first.AddCert(c.Certificate)
		}
	}
	if len(seen) != b.goDistinct() || b.goDistinct() > b.goUsable() {
		t.Fatalf("GoDistinct %d, %d distinct, %d usable", b.goDistinct(), len(seen), b.goUsable())
	}
	gos := x509.NewCertPool()
	gos.AppendCertsFromPEM(data)
	if !first.Equal(gos) {
		t.Fatalf("distinct Go-usable certificates differ from AppendCertsFromPEM's for %q", data)
	}
}
