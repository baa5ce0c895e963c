// Package testpki is the fixed test PKI of the cabundle fixtures: every CA
// and leaf is Ed25519 with a key derived from its name, so the generator
// (../gencerts) writes the same bytes on every run and tests can sign with
// a fixture CA without any private key being committed for it.
//
// Nothing here is a secret: these keys are public by construction.
package testpki

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// CA is one test certificate authority (self-signed).
type CA struct {
	Name      string
	Org       string
	Serial    int64
	NotBefore time.Time
	NotAfter  time.Time
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Pinned is the clock the fixture verdicts are written for (tests use
// host.WithClock with it).
var Pinned = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// The CAs of the fixtures. Under the pinned clock (2026-11-21): Roots are
// valid until 2045, Expired ended in 2024, Expiring ends on 2026-12-05
// (14 days), the ACME CAs are valid.
var (
	Roots    = roots(12)
	Expired  = CA{Name: "Golive Test Expired Root CA", Org: "Golive Test PKI", Serial: 9001, NotBefore: date(2014, 4, 1), NotAfter: date(2024, 3, 31)}
	Expiring = CA{Name: "Golive Test Expiring Root CA", Org: "Golive Test PKI", Serial: 9002, NotBefore: date(2016, 12, 5), NotAfter: date(2026, 12, 5)}
	// ACMEInternal is the company CA installed as an anchor on centos-7
	// and ubuntu-22.04 (and in their bundles).
	ACMEInternal = CA{Name: "ACME Internal Root CA", Org: "ACME Corp", Serial: 7001, NotBefore: date(2021, 1, 1), NotAfter: date(2041, 1, 1)}
	// ACMELegacy is a DER anchor on rocky-9, in its bundle.
	ACMELegacy = CA{Name: "ACME Legacy Root CA", Org: "ACME Corp", Serial: 7002, NotBefore: date(2015, 1, 1), NotAfter: date(2035, 1, 1)}
	// ACMEPlatform is the anchor dropped on rocky-9 after the bundle was
	// extracted: the stale case.
	ACMEPlatform = CA{Name: "ACME Platform Root CA 2026", Org: "ACME Corp", Serial: 7003, NotBefore: date(2026, 1, 1), NotAfter: date(2046, 1, 1)}
)

func roots(n int) []CA {
	out := make([]CA, n)
	for i := range out {
		out[i] = CA{Name: fmt.Sprintf("Golive Test Root CA %02d", i+1), Org: "Golive Test PKI", Serial: int64(1000 + i + 1),
			NotBefore: date(2020, 1, 1), NotAfter: date(2045, 1, 1)}
	}
	return out
}

// key derives the CA's key from its name.
func (c CA) key() ed25519.PrivateKey { return keyFor("ca:" + c.Name) }

func keyFor(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("golive testpki " + label))
	return ed25519.NewKeyFromSeed(seed[:])
}

func (c CA) template() *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          big.NewInt(c.Serial),
		Subject:               pkix.Name{CommonName: c.Name, Organization: []string{c.Org}},
		NotBefore:             c.NotBefore,
		NotAfter:              c.NotAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
}

// DER is the CA's self-signed certificate. Ed25519 signatures are
// deterministic, so it is the same on every call.
func (c CA) DER() []byte {
	k := c.key()
	der, err := x509.CreateCertificate(rand.Reader, c.template(), c.template(), k.Public(), k)
	if err != nil {
		panic("testpki: " + err.Error())
	}
	return der
}

// cert is the parsed CA certificate.
func (c CA) cert() *x509.Certificate {
	cert, err := x509.ParseCertificate(c.DER())
	if err != nil {
		panic("testpki: " + err.Error())
	}
	return cert
}

// PEM is the CA certificate as a CERTIFICATE block.
func (c CA) PEM() []byte { return PEM(c.DER()) }

// PEM encodes DER as a CERTIFICATE block.
func PEM(der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}) }

// TrustedPEM encodes DER as OpenSSL's TRUSTED CERTIFICATE block: the
// certificate followed by X509_CERT_AUX (trusted for serverAuth, with an
// alias), as p11-kit writes /etc/pki/ca-trust/extracted/openssl/ca-bundle.trust.crt.
func TrustedPEM(der []byte, alias string) []byte {
	aux, err := asn1.Marshal(struct {
		Trust []asn1.ObjectIdentifier
		Alias string `asn1:"utf8"`
	}{Trust: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 1}}, Alias: alias})
	if err != nil {
		panic("testpki: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(append([]byte{}, der...), aux...)})
}

// Leaf describes an end-entity certificate signed by a CA.
type Leaf struct {
	Name      string   // subject CN
	dns       []string // DNS SANs
	IPs       []net.IP
	Serial    int64
	NotBefore time.Time
	NotAfter  time.Time
}

// Key derives the leaf's key from its name and serial.
func (l Leaf) Key() ed25519.PrivateKey { return keyFor(fmt.Sprintf("leaf:%s:%d", l.Name, l.Serial)) }

// Sign issues the leaf with ca; the DER is deterministic.
func (l Leaf) Sign(ca CA) []byte {
	t := &x509.Certificate{
		SerialNumber: big.NewInt(l.Serial),
		Subject:      pkix.Name{CommonName: l.Name, Organization: []string{ca.Org}},
		DNSNames:     l.dns,
		IPAddresses:  l.IPs,
		NotBefore:    l.NotBefore,
		NotAfter:     l.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, t, ca.cert(), l.Key().Public(), ca.key())
	if err != nil {
		panic("testpki: " + err.Error())
	}
	return der
}

// KeyPEM is the leaf's key as a PKCS#8 PRIVATE KEY block.
func (l Leaf) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(l.Key())
	if err != nil {
		panic("testpki: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// Leaves of the fixture roots (/etc/goservice/tls/server.pem).
var (
	// CentOSServer: ACME Internal, valid until 2028: passes.
	CentOSServer = Leaf{Name: "goservice.c7.internal", dns: []string{"goservice.c7.internal"}, Serial: 5001, NotBefore: date(2026, 1, 1), NotAfter: date(2028, 1, 1)}
	// UbuntuServer: ACME Internal, ends 2026-12-10: inside the window.
	UbuntuServer = Leaf{Name: "goservice.u2204.internal", dns: []string{"goservice.u2204.internal"}, Serial: 5002, NotBefore: date(2025, 12, 10), NotAfter: date(2026, 12, 10)}
	// RockyServer: ACME Platform (not in the rocky-9 bundle).
	RockyServer = Leaf{Name: "goservice.r9.internal", dns: []string{"goservice.r9.internal"}, Serial: 5003, NotBefore: date(2026, 6, 1), NotAfter: date(2027, 6, 1)}
	// BrokenServer: shipped with another leaf's key.
	BrokenServer = Leaf{Name: "goservice.broken.internal", dns: []string{"goservice.broken.internal"}, Serial: 5004, NotBefore: date(2026, 1, 1), NotAfter: date(2028, 1, 1)}
)
