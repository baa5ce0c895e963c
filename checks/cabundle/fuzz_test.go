package cabundle

import (
	"os"
	"testing"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
)

// FuzzReadBundle feeds arbitrary bytes to the bundle reader (ParseBundle,
// what ReadBundle runs on a file's bytes): it never panics, accounts for
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
	if data, err := os.ReadFile("../../testdata/roots/broken/etc/ssl/certs/ca-certificates.crt"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := ParseBundle(data)
		if !b.Truncated && len(b.Malformed) < maxProblems && len(b.Other) < maxProblems && !b.DER {
			if got := len(b.Certs) + len(b.Malformed) + len(b.Other); got != b.Blocks {
				t.Fatalf("%d BEGIN lines, %d accounted for", b.Blocks, got)
			}
		}
		assertGoPool(t, data, b)
	})
}
