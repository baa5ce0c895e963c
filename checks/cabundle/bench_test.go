package cabundle

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
)

// realisticBundle builds n self-signed roots with the key mix of the
// Mozilla store (about two thirds RSA, the rest ECDSA P-256 and P-384),
// each preceded by a p11-kit "# name" line.
func realisticBundle(tb testing.TB, n int) []byte {
	tb.Helper()
	rsa4096, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		tb.Fatal(err)
	}
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	keys := []crypto.Signer{rsa4096, rsa2048, rsa4096, p384, rsa2048, p256}
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		k := keys[i%len(keys)]
		name := fmt.Sprintf("Benchmark Root CA %03d", i)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i + 1)), Subject: pkix.Name{CommonName: name, Organization: []string{"Benchmark Trust Services"}, Country: []string{"DE"}},
			NotBefore: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(&b, "# %s\n", name)
		b.Write(testpki.PEM(der))
	}
	return b.Bytes()
}

// BenchmarkParseBundle150 parses a 150-certificate bundle, the size of a
// distro's Mozilla bundle. Budget (issue 5): under 5 ms per parse.
func BenchmarkParseBundle150(b *testing.B) {
	data := realisticBundle(b, 150)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if got := parseBundle(data, nil); len(got.certs) != 150 {
			b.Fatalf("%d certificates", len(got.certs))
		}
	}
}
