package cabundle

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

var rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func TestKeyFormats(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	sec1, _ := x509.MarshalECPrivateKey(ec)
	pkcs8der, _ := x509.MarshalPKCS8PrivateKey(ec)
	cases := []struct {
		name, file string
		key        crypto.Signer
		format     string
		err        error
	}{
		{"RSA PKCS#1", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey())})), rsaKey(), "PKCS#1", nil},
		{"RSA PKCS#8", pkcs8(t, rsaKey()), rsaKey(), "PKCS#8", nil},
		{"ECDSA SEC1 after EC PARAMETERS", "-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n" + string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})), ec, "SEC1", nil},
		{"ECDSA PKCS#8 DER", string(pkcs8der), ec, "PKCS#8", nil},
		{"Ed25519 PKCS#8", pkcs8(t, ed), ed, "PKCS#8", nil},
		{"legacy encrypted PEM", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n", nil, "", errKeyEncrypted},
		{"PKCS#8 encrypted", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", nil, "", errKeyEncrypted},
		{"OpenSSH", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n", nil, "", errOpenSSHKey},
		{"broken key block", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", nil, "", errBadKey},
		{"a certificate, no key", certPEM(newCA(t, "x").cert), nil, "", errNoKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := parseKeyFile([]byte(c.file))
			if err != c.err {
				t.Fatalf("err %v, want %v", err, c.err)
			}
			if c.key == nil {
				return
			}
			if k.format != c.format || !k.public.(interface{ Equal(crypto.PublicKey) bool }).Equal(c.key.Public()) {
				t.Errorf("format %s, public key mismatch", k.format)
			}
		})
	}
}

func TestCertFileVerdicts(t *testing.T) {
	ca := newCA(t, "Golive Test Issuing CA")
	stranger := newCA(t, "Golive Stranger CA")
	inter, interKey := ca.issue(t, leafOpts{cn: "Golive Test Intermediate", isCA: true})
	interCA := &testCA{cert: inter, key: interKey}
	now := time.Now()

	good, goodKey := ca.issue(t, leafOpts{cn: "app.internal", dns: []string{"app.internal"}})
	rsaLeaf, _ := ca.issue(t, leafOpts{cn: "rsa.internal", key: rsaKey()})
	expired, expiredKey := ca.issue(t, leafOpts{cn: "old.internal", notBefore: now.AddDate(-2, 0, 0), notAfter: now.AddDate(0, 0, -3)})
	soon, soonKey := ca.issue(t, leafOpts{cn: "soon.internal", notAfter: now.AddDate(0, 0, 10)})
	alien, alienKey := stranger.issue(t, leafOpts{cn: "alien.internal"})
	chained, chainedKey := interCA.issue(t, leafOpts{cn: "chained.internal"})
	_, otherKey := ca.issue(t, leafOpts{cn: "other"})

	// The system bundle (Go's first file) holds the issuing CA only.
	base := map[string]string{"etc/ssl/certs/ca-certificates.crt": ca.pem()}
	cases := []struct {
		name   string
		entry  string
		files  map[string]string
		status engine.Status
		words  []string
		keyPEM string // must never appear in the result
	}{
		{"valid, key matches, chain to the system roots", "{cert: /c.pem, key: /k.pem}",
			map[string]string{"c.pem": certPEM(good), "k.pem": pkcs8(t, goodKey)}, engine.Pass,
			[]string{"key matches", "chain verifies: app.internal <- Golive Test Issuing CA (Golive Tests)"}, pkcs8(t, goodKey)},
		{"RSA PKCS#1 key", "{cert: /c.pem, key: /k.pem}",
			map[string]string{"c.pem": certPEM(rsaLeaf), "k.pem": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey())}))},
			engine.Pass, []string{"RSA 2048"}, ""},
		{"key of another certificate", "{cert: /c.pem, key: /k.pem}",
			map[string]string{"c.pem": certPEM(good), "k.pem": pkcs8(t, otherKey)}, engine.Fail,
			[]string{"the key in /k.pem (ECDSA P-256) does not belong to the certificate (ECDSA P-256)"}, pkcs8(t, otherKey)},
		{"RSA key for an ECDSA certificate", "{cert: /c.pem, key: /k.pem}",
			map[string]string{"c.pem": certPEM(good), "k.pem": pkcs8(t, rsaKey())}, engine.Fail,
			[]string{"(RSA 2048) does not belong to the certificate (ECDSA P-256)"}, pkcs8(t, rsaKey())},
		{"encrypted key: said, not checked", "{cert: /c.pem, key: /k.pem}",
			map[string]string{"c.pem": certPEM(good), "k.pem": "-----BEGIN ENCRYPTED PRIVATE KEY-----\nQUJDREVGR0g=\n-----END ENCRYPTED PRIVATE KEY-----\n"},
			engine.Warn, []string{"the key is encrypted", "Go's crypto/tls cannot load an encrypted key"}, "QUJDREVGR0g="},
		{"key file missing", "{cert: /c.pem, key: /k.pem}",
			map[string]string{"c.pem": certPEM(good)}, engine.Fail, []string{"the key file /k.pem does not exist"}, ""},
		{"combined certificate and key", "/both.pem",
			map[string]string{"both.pem": certPEM(good) + pkcs8(t, goodKey)}, engine.Pass, []string{"key matches"}, pkcs8(t, goodKey)},
		{"expired", "{cert: /c.pem, key: /k.pem}",
			map[string]string{"c.pem": certPEM(expired), "k.pem": pkcs8(t, expiredKey)}, engine.Fail,
			[]string{"expired on", "(3 days ago)"}, ""},
		{"expiring within the window", "{cert: /c.pem, key: /k.pem}",
			map[string]string{"c.pem": certPEM(soon), "k.pem": pkcs8(t, soonKey)}, engine.Warn, []string{"within 30 days"}, ""},
		{"issuer not in the system roots", "{cert: /c.pem, key: /k.pem}",
			map[string]string{"c.pem": certPEM(alien), "k.pem": pkcs8(t, alienKey)}, engine.Fail,
			[]string{"x509: certificate signed by unknown authority: alien.internal is issued by Golive Stranger CA (Golive Tests)", "/etc/ssl/certs/ca-certificates.crt"}, ""},
		{"issuer given as ca:", "{cert: /c.pem, key: /k.pem, ca: /ca.pem}",
			map[string]string{"c.pem": certPEM(alien), "k.pem": pkcs8(t, alienKey), "ca.pem": stranger.pem()}, engine.Pass, nil, ""},
		{"intermediate in the file", "{cert: /c.pem, key: /k.pem}",
			map[string]string{"c.pem": certPEM(chained, inter), "k.pem": pkcs8(t, chainedKey)}, engine.Pass,
			[]string{"chained.internal <- Golive Test Intermediate <- Golive Test Issuing CA"}, ""},
		{"intermediate missing from the file", "{cert: /c.pem, key: /k.pem}",
			map[string]string{"c.pem": certPEM(chained), "k.pem": pkcs8(t, chainedKey)}, engine.Fail,
			[]string{"issued by Golive Test Intermediate"}, ""},
		{"ca: file missing", "{cert: /c.pem, ca: /ca.pem}",
			map[string]string{"c.pem": certPEM(good)}, engine.Fail, []string{"the CA file /ca.pem does not exist"}, ""},
		{"DER certificate, no key", "/c.der",
			map[string]string{"c.der": string(good.Raw)}, engine.Pass, nil, ""},
		{"certificate missing", "/c.pem", nil, engine.Fail, []string{"/c.pem does not exist"}, ""},
		{"not a certificate", "/c.pem", map[string]string{"c.pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
			engine.Fail, []string{"holds no certificate that parses", "line 1"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range base {
				files[k] = v
			}
			for k, v := range c.files {
				files[k] = v
			}
			res := runProfile(t, rootWith(t, files), "cabundle:\n  certs: ["+c.entry+"]\n")
			var r engine.Result
			for id, x := range res {
				if strings.HasPrefix(id, "cert/file:") {
					r = x
				}
			}
			want(t, r, c.status, c.words...)
			assertNoKeyMaterial(t, r, c.keyPEM)
		})
	}
}

// assertNoKeyMaterial fails when any line of a key's PEM body, or a PEM
// key header, shows up anywhere in a result.
func assertNoKeyMaterial(t *testing.T, r engine.Result, keyPEM string) {
	t.Helper()
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, "PRIVATE KEY-----") {
		t.Fatalf("a PEM key header in the result: %s", s)
	}
	for _, line := range strings.Split(keyPEM, "\n") {
		if len(line) >= 8 && !strings.HasPrefix(line, "-----") && strings.Contains(s, line) {
			t.Fatalf("key material %q in the result", line)
		}
	}
}

func TestCertFileKeyNeedsRoot(t *testing.T) {
	ca := newCA(t, "Golive Test Issuing CA")
	good, _ := ca.issue(t, leafOpts{cn: "app.internal"})
	old, _ := ca.issue(t, leafOpts{cn: "old.internal", notBefore: time.Now().AddDate(-1, 0, 0), notAfter: time.Now().AddDate(0, 0, -1)})
	for name, tc := range map[string]struct {
		cert   string
		status engine.Status
		words  string
	}{
		"nothing else to say: skip": {certPEM(good), engine.Skip, "needs root: cannot read the key /k.pem"},
		"other findings still fail": {certPEM(old), engine.Fail, "the key /k.pem was not checked (needs root)"},
	} {
		t.Run(name, func(t *testing.T) {
			checks := plan(t, testProfile(t, "cabundle:\n  certs: [{cert: /c.pem, key: /k.pem}]\n"))
			for _, c := range checks {
				if cf, ok := c.(*certFileCheck); ok {
					cf.st.read = func(h *host.Host, name string, limit int64) ([]byte, error) {
						if name == "/k.pem" {
							return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
						}
						return h.ReadFileLimit(name, limit)
					}
				}
			}
			h := rootWith(t, map[string]string{"etc/ssl/certs/ca-certificates.crt": ca.pem(), "c.pem": tc.cert, "k.pem": "unreadable"}, host.WithEUID(1000))
			want(t, run(t, h, checks, engine.RunOptions{})["cert/file:/c.pem"], tc.status, tc.words)
		})
	}
}
