package depcheck

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"path"

	"github.com/golive-sh/golive/internal/host"
)

// MaxPEMSize bounds a CA, certificate or key file read for a client
// configuration; a CA bundle of every public root is about 250 KiB.
const MaxPEMSize = 1 << 20

// TLSFiles name a client's TLS files: paths inside the host root.
type TLSFiles struct{ CA, Cert, Key string }

// TLSConfig builds a client configuration: RootCAs from f.CA (the roots a
// Go program on the host trusts when empty), the client certificate from
// f.Cert and f.Key, and serverName. Errors name the path, never the
// contents.
func TLSConfig(h *host.Host, f TLSFiles, serverName string) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	if f.CA != "" {
		data, err := h.ReadFileLimit(f.CA, MaxPEMSize)
		if err != nil {
			return nil, fmt.Errorf("ca_file %s: %w", f.CA, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificate in it", f.CA)
		}
		cfg.RootCAs = pool
	} else {
		pool, err := SystemRoots(h)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if (f.Cert == "") != (f.Key == "") {
		return nil, errors.New("cert_file and key_file go together: give both or neither")
	}
	if f.Cert == "" {
		return cfg, nil
	}
	cert, err := loadKeyPair(h, f)
	if err != nil {
		return nil, err
	}
	cfg.Certificates = []tls.Certificate{cert}
	return cfg, nil
}

// loadKeyPair reads the client certificate and key. The key's bytes are
// cleared once parsed; crypto/tls's errors here are fixed texts, never the
// input.
func loadKeyPair(h *host.Host, f TLSFiles) (tls.Certificate, error) {
	certPEM, err := h.ReadFileLimit(f.Cert, MaxPEMSize)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("cert_file %s: %w", f.Cert, err)
	}
	keyPEM, err := h.ReadFileLimit(f.Key, MaxPEMSize)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("key_file %s: %w", f.Key, err)
	}
	defer clear(keyPEM)
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("cert_file %s with key_file %s: %w", f.Cert, f.Key, err)
	}
	return cert, nil
}

// GoCertFiles and GoCertDirs are where a Go program on Linux looks for
// trusted roots (crypto/x509 root_linux.go, Go 1.26): the first file it
// can read, then every file of every directory.
var (
	GoCertFiles = []string{
		"/etc/ssl/certs/ca-certificates.crt",                // Debian/Ubuntu/Gentoo etc.
		"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora/RHEL 6
		"/etc/ssl/ca-bundle.pem",                            // OpenSUSE
		"/etc/pki/tls/cacert.pem",                           // OpenELEC
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS/RHEL 7
		"/etc/ssl/cert.pem",                                 // Alpine Linux
	}
	GoCertDirs = []string{
		"/etc/ssl/certs",     // SLES10/SLES11, https://golang.org/issue/12139
		"/etc/pki/tls/certs", // Fedora/RHEL
	}
)

// maxRootDirFiles bounds the files read from one certificate directory.
const maxRootDirFiles = 4096

// SystemRoots are the roots a Go program on the host trusts. On the
// running system that is crypto/x509's own pool; under --root the same
// files are read inside the root, the way crypto/x509 reads them (the
// cabundle family judges those files in detail).
func SystemRoots(h *host.Host) (*x509.CertPool, error) {
	if h.Live() {
		pool, err := x509.SystemCertPool()
		if err != nil {
			return nil, fmt.Errorf("system roots: %w", err)
		}
		return pool, nil
	}
	pool := x509.NewCertPool()
	for _, f := range GoCertFiles {
		if data, err := h.ReadFileLimit(f, host.DefaultLimit); err == nil {
			pool.AppendCertsFromPEM(data)
			break
		}
	}
	for _, d := range GoCertDirs {
		entries, err := h.ReadDir(d)
		if err != nil {
			continue // Go skips what it cannot read, silently
		}
		for i, e := range entries {
			if i == maxRootDirFiles {
				break
			}
			if data, err := h.ReadFileLimit(path.Join(d, e.Name()), MaxPEMSize); err == nil {
				pool.AppendCertsFromPEM(data)
			}
		}
	}
	return pool, nil
}
