package cabundle

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// pinned is the clock of the fixture verdicts (testdata/roots/README.md).
var pinned = testpki.Pinned

func pinnedClock() host.Option { return host.WithClock(func() time.Time { return pinned }) }

// testProfile resolves a profile file written to a temp dir; it may extend
// a built-in one to get its facts.
func testProfile(t *testing.T, yaml string) *profile.Profile {
	t.Helper()
	return profiletest.ResolveNamed(t, "p.yaml", yaml)
}

// plan builds both kinds of this package from a profile.
func plan(t *testing.T, p *profile.Profile) []engine.Check {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	tlsChecks, err := buildTLS(p.Section(kindTLS), p)
	if err != nil {
		t.Fatal(err)
	}
	return append(checks, tlsChecks...)
}

// run runs checks on h and keys the results by ID.
func run(t *testing.T, h *host.Host, checks []engine.Check, opt engine.RunOptions) map[string]engine.Result {
	t.Helper()
	out := engine.Run(context.Background(), h, checks, opt)
	m := map[string]engine.Result{}
	for _, r := range out.Results {
		m[r.ID] = r
	}
	return m
}

// runProfile resolves yaml and runs its checks on h.
func runProfile(t *testing.T, h *host.Host, yaml string) map[string]engine.Result {
	t.Helper()
	return run(t, h, plan(t, testProfile(t, yaml)), engine.RunOptions{})
}

func want(t *testing.T, r engine.Result, status engine.Status, words ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: %s %q (observed %q), want %s", r.ID, r.Status, r.Message, r.Observed, status)
		return
	}
	for _, w := range words {
		if !strings.Contains(r.Message+" | "+r.Observed, w) {
			t.Errorf("%s: message %q / observed %q should mention %q", r.ID, r.Message, r.Observed, w)
		}
	}
}

// argvs lists a plan's command lines, manual texts as "manual: ...".
func argvs(r engine.Result) []string {
	if r.Remediation == nil {
		return nil
	}
	var out []string
	for _, a := range r.Remediation.Actions {
		if len(a.Argv) > 0 {
			out = append(out, strings.Join(a.Argv, " "))
		} else {
			out = append(out, "manual: "+a.Text)
		}
	}
	return out
}

// --- certificates made at test time ---

var serial atomic.Int64

// testCA is a CA made for one test (ECDSA P-256).
type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newCA(t testing.TB, cn string) *testCA {
	t.Helper()
	return newCAValid(t, cn, time.Now().Add(-24*time.Hour), time.Now().Add(10*365*24*time.Hour))
}

// newCAValid is newCA with its validity window.
func newCAValid(t testing.TB, cn string, notBefore, notAfter time.Time) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)), Subject: pkix.Name{CommonName: cn, Organization: []string{"Golive Tests"}},
		NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key}
}

func (ca *testCA) pem() string { return string(testpki.PEM(ca.cert.Raw)) }

// leafOpts describe a leaf; zero dates mean valid from yesterday for a year.
type leafOpts struct {
	cn        string
	dns       []string
	ips       []net.IP
	notBefore time.Time
	notAfter  time.Time
	key       crypto.Signer // nil: a new P-256 key
	isCA      bool
}

// issue signs a leaf and returns it with its key.
func (ca *testCA) issue(t testing.TB, o leafOpts) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	if o.key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		o.key = k
	}
	if o.notBefore.IsZero() {
		o.notBefore = time.Now().Add(-24 * time.Hour)
	}
	if o.notAfter.IsZero() {
		o.notAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)), Subject: pkix.Name{CommonName: o.cn},
		DNSNames: o.dns, IPAddresses: o.ips, NotBefore: o.notBefore, NotAfter: o.notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if o.isCA {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign
		tmpl.ExtKeyUsage = nil
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, o.key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, o.key
}

// pkcs8 encodes a key as a PRIVATE KEY block.
func pkcs8(t testing.TB, k crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func certPEM(certs ...*x509.Certificate) string {
	var b strings.Builder
	for _, c := range certs {
		b.Write(testpki.PEM(c.Raw))
	}
	return b.String()
}

// rootWith is a temp root holding files (a content "->target" is a
// symlink); tests pass pinnedClock() when their verdicts depend on dates.
func rootWith(t *testing.T, files map[string]string, opts ...host.Option) *host.Host {
	t.Helper()
	return hosttest.Root(t, files, opts...)
}

// fixtureBundle is the text of a bundle of the fixed test roots.
func fixtureBundle(cas ...testpki.CA) string {
	var b strings.Builder
	for _, ca := range cas {
		b.Write(ca.PEM())
	}
	return b.String()
}
