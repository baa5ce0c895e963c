package cabundle

import (
	"crypto/x509"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/testenv"
)

func TestExpiryVerdicts(t *testing.T) {
	future := testpki.CA{Name: "Golive Future Root CA", Org: "Golive Test PKI", Serial: 9100, NotBefore: pinned.AddDate(0, 1, 0), NotAfter: pinned.AddDate(10, 0, 0)}
	many := []testpki.CA{testpki.Expired}
	for i := 0; i < 5; i++ {
		many = append(many, testpki.CA{Name: "Old Root " + string(rune('A'+i)), Org: "Golive Test PKI", Serial: int64(9200 + i), NotBefore: pinned.AddDate(-10, 0, 0), NotAfter: pinned.AddDate(-1, 0, 0)})
	}
	cases := []struct {
		name    string
		profile string
		bundle  string
		anchors map[string]string
		status  engine.Status
		words   []string
		fix     []string
	}{
		{"all valid", "extends: rocky-9\n", twelve, nil, engine.Pass, []string{"12 certificates checked, no local or required CA expiring within 30 days"}, nil},
		// Debian 12's own current ca-certificates ships expired roots: Go
		// cannot chain through them, and no package update removes them.
		{"expired root shipped in the bundle: listed, harmless", "extends: rocky-9\n", twelve + string(testpki.Expired.PEM()), nil,
			engine.Pass, []string{"shipped in the bundle (harmless, listed in details): 1 expired (Golive Test Expired Root CA (Golive Test PKI) on 2024-03-31)", "Go cannot build a chain through an expired root"}, nil},
		{"expiring root shipped in the bundle: listed", "extends: centos-7\n", twelve + string(testpki.Expiring.PEM()), nil,
			engine.Pass, []string{"1 expiring within 30 days"}, nil},
		{"not yet valid: the clock", "extends: rocky-9\n", twelve + string(future.PEM()), nil,
			engine.Fail, []string{"1 not yet valid: Golive Future Root CA (Golive Test PKI) from 2026-12-21", "check the host clock"},
			[]string{"manual: synchronise the host clock (chronyd/timesyncd), then re-run golive"}},
		{"an expired local CA: remove the anchor", "extends: ubuntu-22.04\n", twelve + string(testpki.Expired.PEM()),
			map[string]string{"usr/local/share/ca-certificates/old.crt": string(testpki.Expired.PEM())},
			engine.Fail, []string{"1 expired: Golive Test Expired Root CA (Golive Test PKI) on 2024-03-31", "a local CA installed on this host"},
			[]string{"manual: Golive Test Expired Root CA (Golive Test PKI) comes from the local anchor /usr/local/share/ca-certificates/old.crt: replace it with its successor from its owner, or remove it", "update-ca-certificates"}},
		{"an expired local CA not yet in the bundle fails too", "extends: rocky-9\n", twelve,
			map[string]string{"etc/pki/ca-trust/source/anchors/old.pem": string(testpki.Expired.PEM())},
			engine.Fail, []string{"1 expired: Golive Test Expired Root CA"},
			[]string{"manual: Golive Test Expired Root CA (Golive Test PKI) comes from the local anchor /etc/pki/ca-trust/source/anchors/old.pem: replace it with its successor from its owner, or remove it", "update-ca-trust extract"}},
		{"an expiring local CA warns", "extends: centos-7\n", twelve + string(testpki.Expiring.PEM()),
			map[string]string{"etc/pki/ca-trust/source/anchors/soon.pem": string(testpki.Expiring.PEM())},
			engine.Warn, []string{"1 expiring within 30 days: Golive Test Expiring Root CA (Golive Test PKI) on 2026-12-05"}, nil},
		{"an expired CA the profile requires, by file", "extends: rocky-9\ncabundle: {require: [/etc/app/ca.pem]}\n", twelve + string(testpki.Expired.PEM()),
			map[string]string{"etc/app/ca.pem": string(testpki.Expired.PEM())},
			engine.Fail, []string{"a CA the service requires (cabundle.require): Golive Test Expired Root CA"},
			[]string{"manual: Golive Test Expired Root CA (Golive Test PKI) is required by the profile (cabundle.require /etc/app/ca.pem): get its successor from its owner, deploy it, and trust it in place of the old one"}},
		{"an expired CA the profile requires, by fingerprint", "extends: rocky-9\ncabundle: {require: [sha256:" + hexSum(testpki.Expired.DER()) + "]}\n", twelve + string(testpki.Expired.PEM()), nil,
			engine.Fail, []string{"1 expired: Golive Test Expired Root CA", "cabundle.require"}, nil},
		{"many shipped: three named, the rest counted", "extends: rocky-9\n", fixtureBundle(many...), nil,
			engine.Pass, []string{"6 expired (", "and 3 more"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"etc/pki/tls/certs/ca-bundle.crt": c.bundle, "etc/ssl/certs/ca-certificates.crt": c.bundle}
			if strings.Contains(c.profile, "rocky") || strings.Contains(c.profile, "centos") {
				delete(files, "etc/ssl/certs/ca-certificates.crt")
			}
			for k, v := range c.anchors {
				files[k] = v
			}
			r := runProfile(t, rootWith(t, files, pinnedClock()), c.profile)["cabundle/expiry"]
			want(t, r, c.status, c.words...)
			if c.fix != nil && strings.Join(argvs(r), "|") != strings.Join(c.fix, "|") {
				t.Errorf("remediation %q, want %q", argvs(r), c.fix)
			}
		})
	}
}

func TestExpiryDetailsListEveryCertificate(t *testing.T) {
	var cas []testpki.CA
	for i := 0; i < 7; i++ {
		cas = append(cas, testpki.CA{Name: "Old " + string(rune('A'+i)), Org: "T", Serial: int64(9300 + i), NotBefore: pinned.AddDate(-3, 0, 0), NotAfter: pinned.AddDate(0, 0, -i-1)})
	}
	h := rootWith(t, map[string]string{"etc/ssl/certs/ca-certificates.crt": fixtureBundle(cas...)}, pinnedClock())
	r := runProfile(t, h, "{}\n")["cabundle/expiry"]
	exp, _ := r.Details["expired"].([]dated)
	if len(exp) != 7 || exp[0].Days != -1 || exp[0].Line != 1 || exp[0].File != "/etc/ssl/certs/ca-certificates.crt" || exp[0].Origin != originBundle {
		t.Errorf("details.expired = %+v", exp)
	}
}

func TestExpirySkipsWithoutABundle(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"missing": nil,
		"empty":   {"etc/ssl/certs/ca-certificates.crt": ""},
	} {
		t.Run(name, func(t *testing.T) {
			want(t, runProfile(t, rootWith(t, files, pinnedClock()), "extends: ubuntu-22.04\n")["cabundle/expiry"], engine.Skip, "see cabundle/present")
		})
	}
}

// The model behind "an expired root shipped in the bundle is harmless":
// crypto/x509 does not build a chain through an expired root, even when
// the leaf and the intermediate are valid and the root is the only path.
func TestGoCannotChainThroughAnExpiredRoot(t *testing.T) {
	now := time.Now()
	root := newCAValid(t, "Golive Expired Root", now.AddDate(-10, 0, 0), now.AddDate(0, 0, -1))
	leaf, _ := root.issue(t, leafOpts{cn: "svc", dns: []string{"svc.internal"}, notBefore: now.AddDate(0, 0, -3), notAfter: now.AddDate(0, 1, 0)})
	pool := x509.NewCertPool()
	pool.AddCert(root.cert)
	_, err := leaf.Verify(x509.VerifyOptions{DNSName: "svc.internal", Roots: pool, CurrentTime: now})
	if err == nil {
		t.Fatal("Go verified a chain through an expired root")
	}
	var inv x509.CertificateInvalidError
	if !errors.As(err, &inv) || inv.Reason != x509.Expired {
		t.Logf("error %v (not CertificateInvalidError Expired, still a failure)", err)
	}
}

// Debian 12's own, current ca-certificates package ships roots that have
// expired (this machine's /etc/ssl/certs/ca-certificates.crt): a copy of
// it read through a temp root lists them and passes.
func TestExpiryOnThisMachinesDistroBundle(t *testing.T) {
	data, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		testenv.Missing(t, "no /etc/ssl/certs/ca-certificates.crt on this machine (Debian's ca-certificates package): "+err.Error())
		return
	}
	now := time.Now()
	b := parseBundle(data, nil)
	var expired int
	for _, c := range b.certs {
		if now.After(c.NotAfter) {
			expired++
		}
	}
	t.Logf("%s: %d certificates, %d expired at %s", "/etc/ssl/certs/ca-certificates.crt", len(b.certs), expired, now.UTC().Format(time.DateOnly))
	for _, prof := range []string{"{}\n", "extends: ubuntu-22.04\n"} {
		h := rootWith(t, map[string]string{"etc/ssl/certs/ca-certificates.crt": string(data), "usr/local/share/ca-certificates/.keep": ""})
		r := runProfile(t, h, prof)["cabundle/expiry"]
		if r.Status != engine.Pass {
			t.Errorf("%q: %s %q (observed %q), want pass", prof, r.Status, r.Message, r.Observed)
		}
		if got := len(r.Details["expired"].([]dated)); got != expired {
			t.Errorf("%q: details.expired lists %d, want %d", prof, got, expired)
		}
		if r.Remediation != nil {
			t.Errorf("%q: a remediation for a pass: %+v", prof, r.Remediation)
		}
	}
}
