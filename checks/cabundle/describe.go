package cabundle

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"strings"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
)

// name is how a certificate is named to a person: its subject CN with the
// organisation, or the whole subject when it has no CN.
func name(n pkix.Name) string { return depcheck.CertName(n) }

// keyType names a public key: "RSA 2048", "ECDSA P-256", "Ed25519".
func keyType(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// sans lists the subject alternative names: DNS names, IPs, emails, URIs.
func sans(c *x509.Certificate) []string { return depcheck.CertSANs(c) }

// certInfo is a certificate as details show it.
type certInfo struct {
	Subject     string   `json:"subject"`
	Issuer      string   `json:"issuer"`
	SANs        []string `json:"sans,omitempty"`
	NotBefore   string   `json:"not_before"`
	NotAfter    string   `json:"not_after"`
	KeyType     string   `json:"key_type"`
	Serial      string   `json:"serial"`
	Fingerprint string   `json:"fingerprint"`
	Line        int      `json:"line,omitempty"`
	File        string   `json:"file,omitempty"`
}

func info(c *x509.Certificate) certInfo {
	return certInfo{
		Subject:     c.Subject.String(),
		Issuer:      c.Issuer.String(),
		SANs:        sans(c),
		NotBefore:   c.NotBefore.UTC().Format(time.RFC3339),
		NotAfter:    c.NotAfter.UTC().Format(time.RFC3339),
		KeyType:     keyType(c.PublicKey),
		Serial:      c.SerialNumber.Text(16),
		Fingerprint: fingerprint(c),
	}
}

// findCert returns the certificate of list that is c, or that has c's
// subject and public key (a re-issued root that chains the same way).
func findCert(list []*cert, c *x509.Certificate) *cert {
	var sameKey *cert
	for _, l := range list {
		if bytes.Equal(l.Raw, c.Raw) {
			return l
		}
		if sameKey == nil && bytes.Equal(l.RawSubject, c.RawSubject) && bytes.Equal(l.RawSubjectPublicKeyInfo, c.RawSubjectPublicKeyInfo) {
			sameKey = l
		}
	}
	return sameKey
}

// names lists up to max certificate names with a date, and says how many
// more there are: observed lines stay short, details hold them all.
func names(certs []*cert, max int, date func(*cert) string) string {
	var parts []string
	for i, c := range certs {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(certs)-max))
			break
		}
		parts = append(parts, name(c.Subject)+" "+date(c))
	}
	return strings.Join(parts, ", ")
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// agree picks the verb form for a count.
func agree(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// plural returns "1 certificate", "2 certificates".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
