package depcheck

import (
	"bytes"
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/depcheck/deptest"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

// tlsServer serves TLS on 127.0.0.1 with cert; clientCAs, when set,
// requires a client certificate they signed. After the handshake it
// writes one byte, so a client reads either that byte or the server's
// alert.
func tlsServer(t *testing.T, cert tls.Certificate, clientCAs *deptest.CA) string {
	t.Helper()
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	if clientCAs != nil {
		cfg.ClientAuth, cfg.ClientCAs = tls.RequireAndVerifyClientCert, deptest.Pool(clientCAs)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				if err := c.(*tls.Conn).Handshake(); err != nil {
					return
				}
				_, _ = c.Write([]byte{1})
				_, _ = c.Read(make([]byte, 1))
			}()
		}
	}()
	return ln.Addr().String()
}

// handshake connects with cfg and reads the server's first byte (the
// TLS 1.3 server's verdict on our certificate arrives then).
func handshake(t *testing.T, addr string, cfg *tls.Config) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raw, err := dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(10 * time.Second))
	c := tls.Client(raw, cfg)
	if err := c.HandshakeContext(ctx); err != nil {
		return err
	}
	_, err = c.Read(make([]byte, 1))
	return err
}

func TestClassifyTLS(t *testing.T) {
	ca := deptest.NewCA(t, "Golive Etcd CA")
	stranger := deptest.NewCA(t, "Golive Stranger CA")
	good := tlsServer(t, ca.Issue(t, deptest.Leaf{CN: "etcd1", IPs: deptest.Loopback}).TLS, ca)
	expired := tlsServer(t, ca.Issue(t, deptest.Leaf{CN: "old", IPs: deptest.Loopback, NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().Add(-time.Hour)}).TLS, nil)
	otherName := tlsServer(t, ca.Issue(t, deptest.Leaf{CN: "etcd9", DNS: []string{"etcd9.internal"}}).TLS, nil)

	client := ca.Issue(t, deptest.Leaf{CN: "golive"}).TLS
	oldClient := ca.Issue(t, deptest.Leaf{CN: "golive", NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().Add(-time.Hour)}).TLS
	strangeClient := stranger.Issue(t, deptest.Leaf{CN: "golive"}).TLS
	cfg := func(roots *deptest.CA, certs ...tls.Certificate) *tls.Config {
		return &tls.Config{ServerName: "127.0.0.1", RootCAs: deptest.Pool(roots), Certificates: certs}
	}
	cases := []struct {
		name, addr string
		cfg        *tls.Config
		reason     string
		words      string
	}{
		{"wrong CA", good, cfg(stranger, client), ReasonUnknownAuthority, "etcd1 is issued by Golive Etcd CA (Golive Test PKI), which is not among the trusted roots"},
		{"expired server certificate", expired, cfg(ca), ReasonExpired, "old expired on"},
		{"name mismatch", otherName, cfg(ca), ReasonNameMismatch, "valid for etcd9.internal, not 127.0.0.1"},
		{"expired client certificate", good, cfg(ca, oldClient), ReasonClientExpired, "certificate_expired"},
		// A Go client does not offer a certificate the server's CAs did
		// not issue: the server sees none.
		{"client certificate from another CA", good, cfg(ca, strangeClient), ReasonClientCertRequired, "issued by a CA the server accepts"},
		{"no client certificate", good, cfg(ca), ReasonClientCertRequired, "set cert_file and key_file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := handshake(t, c.addr, c.cfg)
			f := Classify(context.Background(), err)
			if f.Cause != CauseTLS || f.TLSReason != c.reason || !strings.Contains(f.Message, c.words) {
				t.Errorf("got %+v (from %v), want reason %s with %q", f, err, c.reason, c.words)
			}
		})
	}
	if err := handshake(t, good, cfg(ca, client)); err != nil {
		t.Errorf("valid client certificate: %v", err)
	}
}

func TestTLSConfigFromFilesUnderTheRoot(t *testing.T) {
	ca := deptest.NewCA(t, "Golive Etcd CA")
	client := ca.Issue(t, deptest.Leaf{CN: "golive"})
	other := ca.Issue(t, deptest.Leaf{CN: "other"})
	h := hosttest.Root(t, map[string]string{
		"etc/etcd/ca.pem":     string(ca.PEM),
		"etc/etcd/client.pem": string(client.CertPEM),
		"etc/etcd/client.key": string(client.KeyPEM),
		"etc/etcd/other.key":  string(other.KeyPEM),
		"etc/etcd/junk.pem":   "not a certificate\n",
		// The image's system bundle: used when no ca_file is given.
		"etc/pki/tls/certs/ca-bundle.crt": string(ca.PEM),
	})
	server := tlsServer(t, ca.Issue(t, deptest.Leaf{CN: "etcd1", IPs: deptest.Loopback}).TLS, ca)

	full := TLSFiles{CA: "/etc/etcd/ca.pem", Cert: "/etc/etcd/client.pem", Key: "/etc/etcd/client.key"}
	cfg, err := TLSConfig(h, full, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := handshake(t, server, cfg); err != nil {
		t.Errorf("config from the root's files: %v", err)
	}
	cfg, err = TLSConfig(h, TLSFiles{Cert: full.Cert, Key: full.Key}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := handshake(t, server, cfg); err != nil {
		t.Errorf("no ca_file: the image's bundle should be trusted: %v", err)
	}

	bad := []struct {
		name  string
		files TLSFiles
		words string
	}{
		{"missing CA", TLSFiles{CA: "/etc/etcd/nope.pem"}, "ca_file /etc/etcd/nope.pem"},
		{"CA without certificates", TLSFiles{CA: "/etc/etcd/junk.pem"}, "ca_file /etc/etcd/junk.pem: no PEM certificate"},
		{"cert without key", TLSFiles{CA: full.CA, Cert: full.Cert}, "go together"},
		{"key of another certificate", TLSFiles{CA: full.CA, Cert: full.Cert, Key: "/etc/etcd/other.key"}, "cert_file /etc/etcd/client.pem with key_file /etc/etcd/other.key"},
		{"key is a certificate", TLSFiles{CA: full.CA, Cert: full.Cert, Key: full.CA}, "key_file /etc/etcd/ca.pem"},
	}
	for _, c := range bad {
		_, err := TLSConfig(h, c.files, "x")
		if err == nil || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.words)
			continue
		}
		for _, key := range [][]byte{client.KeyPEM, other.KeyPEM} {
			if leaksPEM(err.Error(), key) {
				t.Errorf("%s: the error quotes key material: %v", c.name, err)
			}
		}
	}
}

// leaksPEM reports whether msg holds any base64 line of a PEM block.
func leaksPEM(msg string, pemBytes []byte) bool {
	for _, line := range bytes.Split(pemBytes, []byte("\n")) {
		if len(line) >= 16 && !bytes.HasPrefix(line, []byte("-----")) && strings.Contains(msg, string(line[:16])) {
			return true
		}
	}
	return false
}
