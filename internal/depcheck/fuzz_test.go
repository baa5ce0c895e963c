package depcheck

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/depcheck/deptest"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

// FuzzClassifyText feeds arbitrary status texts (what a server or the
// network put in a gRPC error) to the text classifier: no panic, and a TLS
// cause always carries a reason.
func FuzzClassifyText(f *testing.F) {
	f.Add(`connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"`)
	f.Add(`connection error: desc = "error reading server preface: remote error: tls: bad certificate"`)
	f.Add(`remote error: tls: `)
	f.Add(`remote error: tls: alert(200)"`)
	f.Add(`x509: certificate has expired or is not yet valid: current time x is before y`)
	f.Add(`dial tcp: lookup a.invalid: no such host`)
	f.Add("")
	f.Fuzz(func(t *testing.T, msg string) {
		fl, ok := ClassifyText(msg)
		if ok && fl.Cause == CauseTLS && fl.TLSReason == "" {
			t.Fatalf("TLS cause without a reason: %+v", fl)
		}
		if ok && fl.Cause == "" {
			t.Fatalf("matched without a cause: %+v", fl)
		}
	})
}

// FuzzRedact: whatever the text, a redacted string no longer holds the
// secret (unless the secret is part of the mask itself).
func FuzzRedact(f *testing.F) {
	f.Add("password=hunter2", "hunter2")
	f.Add("aaaa", "aa")
	f.Add("x", "")
	f.Fuzz(func(t *testing.T, s, secret string) {
		got := Redact(s, secret)
		if secret != "" && !strings.Contains("***", secret) && strings.Contains(got, secret) {
			t.Fatalf("Redact(%q, %q) = %q still holds the secret", s, secret, got)
		}
	})
}

// FuzzTLSConfig feeds arbitrary CA, certificate and key files (outside
// input read from the host root) to TLSConfig: no panic, and an error
// never quotes the key file.
func FuzzTLSConfig(f *testing.F) {
	ca := deptest.NewCA(f, "Fuzz CA")
	leaf := ca.Issue(f, deptest.Leaf{CN: "fuzz"})
	f.Add(ca.PEM, leaf.CertPEM, leaf.KeyPEM)
	f.Add(ca.PEM, leaf.CertPEM, ca.PEM)
	f.Add([]byte("junk"), leaf.CertPEM, leaf.KeyPEM)
	f.Add(ca.PEM, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), []byte("-----BEGIN PRIVATE KEY-----\nMIIBsecretsecretsecret\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, caPEM, certPEM, keyPEM []byte) {
		h := hosttest.Root(t, map[string]string{"ca.pem": string(caPEM), "c.pem": string(certPEM), "k.pem": string(keyPEM)})
		_, err := TLSConfig(h, TLSFiles{CA: "/ca.pem", Cert: "/c.pem", Key: "/k.pem"}, "x")
		if err != nil && leaksPEM(err.Error(), keyPEM) {
			t.Fatalf("error quotes the key file: %v", err)
		}
	})
}
