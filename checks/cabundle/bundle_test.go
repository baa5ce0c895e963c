package cabundle

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
	"github.com/golive-sh/golive/internal/host"
)

func TestParseBundle(t *testing.T) {
	r := testpki.Roots
	one, two := string(r[0].PEM()), string(r[1].PEM())
	withHeader := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: map[string]string{"Comment": "x"}, Bytes: r[2].DER()}))
	cases := []struct {
		name                          string
		data                          string
		certs, usable, malformed, oth int
		trusted                       int
		der                           bool
	}{
		{"empty", "", 0, 0, 0, 0, 0, false},
		{"blank lines", "\n\n  \n", 0, 0, 0, 0, 0, false},
		{"two PEM certificates", one + two, 2, 2, 0, 0, 0, false},
		{"p11-kit comments between blocks", "# Root 1\n" + one + "# Root 2\n" + two, 2, 2, 0, 0, 0, false},
		{"CRLF line endings", strings.ReplaceAll(one+two, "\n", "\r\n"), 2, 2, 0, 0, 0, false},
		{"one DER certificate", string(r[0].DER()), 1, 0, 0, 0, 0, true},
		{"TRUSTED CERTIFICATE: parsed, ignored by Go", string(testpki.TrustedPEM(r[0].DER(), "alias")) + two, 2, 1, 0, 0, 1, false},
		{"headers: Go skips the block", withHeader + one, 2, 1, 0, 0, 0, false},
		{"bad base64", "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n" + one, 1, 1, 1, 0, 0, false},
		{"not DER", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")})) + one, 1, 1, 1, 0, 0, false},
		{"no END line at the end", one + "-----BEGIN CERTIFICATE-----\nMIIB\n", 1, 1, 1, 0, 0, false},
		{"no END line in the middle", "-----BEGIN CERTIFICATE-----\nMIIB\n" + one, 1, 1, 1, 0, 0, false},
		{"mismatched END type", strings.Replace(one, "END CERTIFICATE", "END X509 CRL", 1) + two, 1, 1, 1, 0, 0, false},
		{"text after END on its line", strings.Replace(one, "END CERTIFICATE-----", "END CERTIFICATE----- junk", 1) + two, 1, 1, 1, 0, 0, false},
		{"a CRL and a key block", "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" + one, 1, 1, 0, 2, 0, false},
		{"BEGIN inside a line is not a block", "x -----BEGIN CERTIFICATE-----\n" + one, 1, 1, 0, 0, 0, false},
		{"binary junk", "\x00\xff\x7fELF\x02\x01", 0, 0, 0, 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := parseBundle([]byte(c.data), nil)
			if len(b.certs) != c.certs || b.goUsable() != c.usable || len(b.malformed) != c.malformed || len(b.other) != c.oth || b.trusted() != c.trusted || b.der != c.der {
				t.Errorf("certs %d usable %d malformed %v other %v trusted %d der %v; want %d %d %d %d %d %v",
					len(b.certs), b.goUsable(), b.malformed, b.other, b.trusted(), b.der, c.certs, c.usable, c.malformed, c.oth, c.trusted, c.der)
			}
			assertGoPool(t, []byte(c.data), b)
		})
	}
}

// assertGoPool checks the Go-usable certificates are exactly what
// CertPool.AppendCertsFromPEM takes from the same bytes.
func assertGoPool(t *testing.T, data []byte, b *bundle) {
	t.Helper()
	ours := x509.NewCertPool()
	for _, c := range b.certs {
		if c.goUsable {
			ours.AddCert(c.Certificate)
		}
	}
	gos := x509.NewCertPool()
	gos.AppendCertsFromPEM(data)
	if !ours.Equal(gos) {
		t.Fatalf("Go-usable certificates differ from AppendCertsFromPEM's for %q", data)
	}
}

func TestParseBundleNamesTheLineOfEachProblem(t *testing.T) {
	one := string(testpki.Roots[0].PEM())
	data := "# header\n" + one + "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"
	b := parseBundle([]byte(data), nil)
	firstBad := 2 + strings.Count(one, "\n")
	if len(b.malformed) != 1 || b.malformed[0].Line != firstBad || b.malformed[0].Type != "CERTIFICATE" {
		t.Errorf("malformed %+v, want line %d", b.malformed, firstBad)
	}
	if len(b.other) != 1 || b.other[0].Line != firstBad+3 || b.other[0].Type != "X509 CRL" {
		t.Errorf("other %+v, want an X509 CRL at line %d", b.other, firstBad+3)
	}
	if b.certs[0].line != 2 || b.outside != len("#header") {
		t.Errorf("first certificate at line %d, outside %d", b.certs[0].line, b.outside)
	}
}

func TestReadBundleBoundsTheRead(t *testing.T) {
	h := rootWith(t, map[string]string{"big.pem": strings.Repeat("#", maxBundleSize+1), "dir/x": ""})
	if _, err := readBundle(h, "/big.pem"); !errors.Is(err, host.ErrTooLarge) {
		t.Errorf("oversized bundle: %v, want ErrTooLarge", err)
	}
	if _, err := readBundle(h, "/dir"); !errors.Is(err, host.ErrNotRegular) {
		t.Errorf("directory: %v, want ErrNotRegular", err)
	}
}

func TestParseBundleKeepsAtMostMaxCerts(t *testing.T) {
	one := testpki.Roots[0].PEM()
	data := []byte(strings.Repeat(string(one), maxCerts+2))
	b := parseBundle(data, nil)
	if len(b.certs) != maxCerts || !b.truncated {
		t.Errorf("%d certificates, truncated %v", len(b.certs), b.truncated)
	}
}
