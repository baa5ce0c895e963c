package cabundle

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
)

// maxKeySize bounds a private key file.
const maxKeySize = 64 << 10

// Key problems. None of them carries anything read from the key file: a
// parser's error text could quote its bytes, so it is dropped.
var (
	errKeyEncrypted = errors.New("the key is encrypted (a passphrase is needed): golive cannot check it matches, and Go's crypto/tls cannot load an encrypted key")
	errNoKey        = errors.New("no private key in the file (expected PEM or DER: PKCS#8, PKCS#1 RSA, or SEC1 EC)")
	errBadKey       = errors.New("a private key block that does not parse")
	errOpenSSHKey   = errors.New("an OpenSSH private key, which TLS cannot use")
)

// keyInfo is what may be said about a private key: its format and the
// public key it belongs to. The private key itself is dropped at once.
type keyInfo struct {
	format string
	public crypto.PublicKey
}

// parseKeyFile finds the private key in a key file: PEM blocks of the key
// types, or a bare DER key.
func parseKeyFile(data []byte) (keyInfo, error) {
	sawBad := false
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if !strings.HasSuffix(block.Type, "PRIVATE KEY") {
			continue // CERTIFICATE, EC PARAMETERS, ...
		}
		if block.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
			return keyInfo{}, errKeyEncrypted
		}
		if block.Type == "OPENSSH PRIVATE KEY" {
			return keyInfo{}, errOpenSSHKey
		}
		if k, ok := parseKeyDER(block.Type, block.Bytes); ok {
			return k, nil
		}
		sawBad = true
	}
	if sawBad {
		return keyInfo{}, errBadKey
	}
	if k, ok := parseKeyDER("", data); ok {
		return k, nil
	}
	return keyInfo{}, errNoKey
}

// parseKeyDER tries the formats a block type allows ("" tries all).
func parseKeyDER(typ string, der []byte) (keyInfo, bool) {
	if typ == "" || typ == "PRIVATE KEY" {
		if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
			return publicOf(k, "PKCS#8")
		}
	}
	if typ == "" || typ == "RSA PRIVATE KEY" {
		if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
			return publicOf(k, "PKCS#1")
		}
	}
	if typ == "" || typ == "EC PRIVATE KEY" {
		if k, err := x509.ParseECPrivateKey(der); err == nil {
			return publicOf(k, "SEC1")
		}
	}
	return keyInfo{}, false
}

func publicOf(k any, format string) (keyInfo, bool) {
	s, ok := k.(crypto.Signer)
	if !ok {
		return keyInfo{}, false
	}
	return keyInfo{format: format, public: s.Public()}, true
}

// matches reports whether the key belongs to the certificate.
func (k keyInfo) matches(cert *x509.Certificate) bool {
	pub, ok := k.public.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}
