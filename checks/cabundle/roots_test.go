package cabundle

import (
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

var fixtureRoots = []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"}

// rootRun runs this package's checks on a fixture root with the profile
// detected for it, plus an optional service file (extends: auto), under
// the pinned clock.
func rootRun(t *testing.T, root, config string) (map[string]engine.Result, *profile.Profile) {
	t.Helper()
	h := hosttest.Fixture(t, root, pinnedClock())
	rel, _ := h.OSRelease()
	req := profile.Request{OS: rel}
	if config != "" {
		req.Config = filepath.Join(t.TempDir(), "golive.yaml")
		if err := os.WriteFile(req.Config, []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := profile.Resolve(req)
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, h, plan(t, p), engine.RunOptions{})
	validateReport(t, h, res)
	return res, p
}

// validateReport renders the results as a JSON report and validates it
// against docs/report.schema.json: details must be plain JSON.
func validateReport(t *testing.T, h *host.Host, res map[string]engine.Result) {
	t.Helper()
	var out engine.Outcome
	for _, r := range res {
		out.Results = append(out.Results, r)
	}
	reporttest.ValidateOutcome(t, h, h.Root(), out)
}

// TestFixtureRootVerdicts pins what testdata/roots/README.md ("cabundle
// fixtures") promises for the built-in profiles.
func TestFixtureRootVerdicts(t *testing.T) {
	type verdict struct {
		status engine.Status
		words  []string
	}
	cases := map[string]struct {
		bundle                   string
		present, expiry, anchors verdict
		fix                      []string // the anchors remediation
	}{
		"centos-7": {
			bundle:  "/etc/pki/tls/certs/ca-bundle.crt",
			present: verdict{engine.Pass, []string{"/etc/pki/tls/certs/ca-bundle.crt", "-> /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "13 certificates"}},
			expiry: verdict{engine.Fail, []string{"1 expired: Golive Test Expired Root CA (Golive Test PKI) on 2024-03-31",
				"a local CA installed on this host: Golive Test Expired Root CA (Golive Test PKI) from /etc/pki/ca-trust/source/anchors/golive-test-expired-root.pem"}},
			anchors: verdict{engine.Pass, []string{"2 of 2 anchor certificates in the bundle"}},
		},
		"ubuntu-22.04": {
			bundle:  "/etc/ssl/certs/ca-certificates.crt",
			present: verdict{engine.Pass, []string{"13 certificates in /etc/ssl/certs/ca-certificates.crt"}},
			expiry:  verdict{engine.Pass, []string{"no local or required CA expiring within 30 days"}},
			anchors: verdict{engine.Pass, []string{"/usr/local/share/ca-certificates"}},
		},
		"rocky-9": {
			bundle:  "/etc/pki/tls/certs/ca-bundle.crt",
			present: verdict{engine.Pass, []string{"14 certificates"}},
			// The expiring root is the distro's, not a local anchor: listed.
			expiry:  verdict{engine.Pass, []string{"1 expiring within 30 days", "harmless"}},
			anchors: verdict{engine.Fail, []string{"the bundle is stale", "ACME Platform Root CA 2026", "acme-platform-root-2026.pem", "run update-ca-trust extract"}},
			fix:     []string{"update-ca-trust extract"},
		},
		"broken": {
			bundle:  "/etc/ssl/certs/ca-certificates.crt", // Go's first candidate: no facts
			present: verdict{engine.Fail, []string{"2 certificates, fewer than min_certs 10", "3 malformed blocks", "X509 CRL", "1 TRUSTED CERTIFICATE block"}},
			expiry:  verdict{engine.Pass, nil},
			anchors: verdict{engine.Skip, []string{"no anchor directory"}},
		},
	}
	for _, root := range fixtureRoots {
		c := cases[root]
		t.Run(root, func(t *testing.T) {
			res, p := rootRun(t, root, "")
			if b := bundleFact.Get(p); b != "" && b != c.bundle {
				t.Fatalf("profile bundle %s, the fixture is written for %s", b, c.bundle)
			}
			present := res["cabundle/present"]
			if present.Details["bundle"] != c.bundle {
				t.Errorf("present judged %v, want the distro's own path %s", present.Details["bundle"], c.bundle)
			}
			want(t, present, c.present.status, c.present.words...)
			want(t, res["cabundle/expiry"], c.expiry.status, c.expiry.words...)
			want(t, res["cabundle/anchors"], c.anchors.status, c.anchors.words...)
			if got := argvs(res["cabundle/anchors"]); strings.Join(got, "|") != strings.Join(c.fix, "|") {
				t.Errorf("anchors remediation %q, want %q", got, c.fix)
			}
			if len(res) != 3 {
				t.Errorf("%d checks without a cabundle section, want present, expiry and anchors", len(res))
			}
		})
	}
}

// TestFixtureRootsWithTheService adds the service's needs (its unit, its
// certificate, a required CA) to each root's profile.
func TestFixtureRootsWithTheService(t *testing.T) {
	cases := map[string]struct {
		require       string
		present       engine.Status
		presentWords  []string
		contains      engine.Status
		containsFix   []string
		certFile      engine.Status
		certFileWords []string
	}{
		"centos-7": {
			require: "/etc/pki/ca-trust/source/anchors/acme-internal-ca.pem",
			present: engine.Warn, presentWords: []string{"SSL_CERT_DIR=/opt/goservice/certs (/etc/sysconfig/goservice)", "instead of /etc/ssl/certs, /etc/pki/tls/certs"},
			contains: engine.Pass,
			certFile: engine.Pass, certFileWords: []string{"key matches", "ACME Internal Root CA"},
		},
		"ubuntu-22.04": {
			require:  "/usr/local/share/ca-certificates/acme-internal-ca.crt",
			present:  engine.Pass, // SSL_CERT_FILE names the system bundle itself
			contains: engine.Pass,
			certFile: engine.Warn, certFileWords: []string{"expires on 2026-12-10, within 30 days"},
		},
		"rocky-9": {
			require: "/opt/goservice/ca.pem",
			present: engine.Warn, presentWords: []string{"SSL_CERT_FILE=/opt/goservice/ca.pem (/etc/systemd/system/goservice.service.d/50-tls.conf)", "(1 certificate)", "15 certificates in all"},
			contains: engine.Fail, containsFix: []string{"install -m 0644 /opt/goservice/ca.pem /etc/pki/ca-trust/source/anchors/ca.pem", "update-ca-trust extract"},
			// Its CA is not in the bundle, but the unit's SSL_CERT_FILE
			// holds it: the service itself verifies its certificate.
			certFile: engine.Pass, certFileWords: []string{"ACME Platform Root CA 2026"},
		},
		"broken": {
			require:  "sha256:" + hexSum(testpki.Roots[0].DER()),
			present:  engine.Fail,
			contains: engine.Pass,
			certFile: engine.Fail, certFileWords: []string{"does not belong to the certificate"},
		},
	}
	for _, root := range fixtureRoots {
		c := cases[root]
		t.Run(root, func(t *testing.T) {
			res, _ := rootRun(t, root, `extends: auto
service: {unit: goservice}
cabundle:
  require: [`+c.require+`]
  certs:
    - {cert: /etc/goservice/tls/server.pem, key: /etc/goservice/tls/server-key.pem}
`)
			want(t, res["cabundle/present"], c.present, c.presentWords...)
			contains := res["cabundle/contains:"+c.require]
			want(t, contains, c.contains)
			if got := argvs(contains); strings.Join(got, "|") != strings.Join(c.containsFix, "|") {
				t.Errorf("contains remediation %q, want %q", got, c.containsFix)
			}
			want(t, res["cert/file:/etc/goservice/tls/server.pem"], c.certFile, c.certFileWords...)
		})
	}
}

func TestBrokenRootNamesTheMaskedUnit(t *testing.T) {
	res, _ := rootRun(t, "broken", "extends: auto\nservice: {unit: goservice.service}\n")
	r := res["cabundle/present"]
	if p, _ := r.Details["service_unit_problem"].(string); !strings.Contains(p, "masked") {
		t.Errorf("service_unit_problem %q, want the mask named", p)
	}
}

func TestRockyServiceCertificateWithoutItsUnitFailsVerification(t *testing.T) {
	res, _ := rootRun(t, "rocky-9", "extends: auto\ncabundle:\n  certs: [/etc/goservice/tls/server.pem]\n")
	r := res["cert/file:/etc/goservice/tls/server.pem"]
	want(t, r, engine.Fail, "certificate signed by unknown authority", "ACME Platform Root CA 2026", "/etc/pki/tls/certs/ca-bundle.crt")
	if got := argvs(r); len(got) != 2 || !strings.Contains(got[0], "/etc/pki/ca-trust/source/anchors/") || got[1] != "update-ca-trust extract" {
		t.Errorf("remediation %q", got)
	}
}

// TestEndpointOnEachRoot serves a certificate of the fixtures' company CA
// on loopback: trusted where the root's bundle holds that CA, an unknown
// authority (naming the bundle and the distro's fix) where it does not.
func TestEndpointOnEachRoot(t *testing.T) {
	leaf := testpki.Leaf{Name: "db.acme.test", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Serial: 6001,
		NotBefore: pinned.AddDate(0, -1, 0), NotAfter: pinned.AddDate(1, 0, 0)}
	cert, _ := x509.ParseCertificate(leaf.Sign(testpki.ACMEInternal))
	addr := tlsServer(t, []*x509.Certificate{cert}, leaf.Key())
	cases := map[string]struct {
		status engine.Status
		words  []string
		fix    []string
	}{
		"centos-7":     {engine.Pass, nil, nil},
		"ubuntu-22.04": {engine.Pass, nil, nil},
		"rocky-9": {engine.Fail, []string{"x509: certificate signed by unknown authority", "ACME Internal Root CA", "/etc/pki/tls/certs/ca-bundle.crt"},
			[]string{"manual: obtain the CA certificate ACME Internal Root CA (ACME Corp) from its owner (verify its fingerprint) and save it, PEM-encoded, as /etc/pki/ca-trust/source/anchors/acme-internal-root-ca-acme-corp.crt", "update-ca-trust extract"}},
		"broken": {engine.Fail, []string{"unknown authority", "/etc/ssl/certs/ca-certificates.crt"}, nil},
	}
	for _, root := range fixtureRoots {
		c := cases[root]
		t.Run(root, func(t *testing.T) {
			res, _ := rootRun(t, root, "extends: auto\ntls:\n  endpoints: ["+addr+"]\n")
			r := res["tls/endpoint:"+addr]
			want(t, r, c.status, c.words...)
			if c.fix != nil && strings.Join(argvs(r), "|") != strings.Join(c.fix, "|") {
				t.Errorf("remediation %q, want %q", argvs(r), c.fix)
			}
			if root == "broken" && (r.Remediation == nil || r.Remediation.Actions[0].Text == "") {
				t.Errorf("without facts the fix is a manual step: %+v", r.Remediation)
			}
		})
	}
}

func hexSum(der []byte) string {
	c, _ := x509.ParseCertificate(der)
	return strings.TrimPrefix(fingerprint(c), "sha256:")
}

// The checks are read-only and do not depend on a live system: running
// them on a root twice gives the same verdicts (caches are per host).
func TestRerunOnANewHostRereads(t *testing.T) {
	p := testProfile(t, "extends: ubuntu-22.04\n")
	checks := plan(t, p)
	good := rootWith(t, map[string]string{"etc/ssl/certs/ca-certificates.crt": fixtureBundle(testpki.Roots...)}, pinnedClock())
	empty := rootWith(t, map[string]string{"etc/ssl/certs/ca-certificates.crt": ""}, pinnedClock())
	if r := run(t, good, checks, engine.RunOptions{})["cabundle/present"]; r.Status != engine.Pass {
		t.Fatalf("good root: %s %q", r.Status, r.Message)
	}
	if r := run(t, empty, checks, engine.RunOptions{})["cabundle/present"]; r.Status != engine.Fail {
		t.Fatalf("the same plan on another host must read that host: %s %q", r.Status, r.Message)
	}
}
