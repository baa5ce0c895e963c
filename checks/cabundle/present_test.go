package cabundle

import (
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

var (
	twelve = fixtureBundle(testpki.Roots...)
	three  = fixtureBundle(testpki.Roots[:3]...)
)

func TestPresentVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		profile string
		files   map[string]string
		status  engine.Status
		words   []string
		fix     []string
	}{
		{"distro bundle at its path", "extends: ubuntu-22.04\n",
			map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve},
			engine.Pass, []string{"12 certificates in /etc/ssl/certs/ca-certificates.crt", "the file Go programs read"}, nil},
		{"missing: install the package, then rebuild", "extends: ubuntu-22.04\n", nil,
			engine.Fail, []string{"/etc/ssl/certs/ca-certificates.crt does not exist", "x509: certificate signed by unknown authority"},
			[]string{"apt-get update", "apt-get install -y ca-certificates", "update-ca-certificates"}},
		{"link to a bundle never extracted: rebuild", "extends: rocky-9\n",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": "->/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"},
			engine.Fail, []string{"is a link to /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem, which does not exist"},
			[]string{"update-ca-trust extract"}},
		{"empty file", "extends: centos-7\n",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": ""},
			engine.Fail, []string{"the file is empty"}, []string{"yum reinstall -y ca-certificates", "update-ca-trust extract"}},
		{"overwritten with a private CA", "extends: rocky-9\n",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": three},
			engine.Fail, []string{"3 certificates, fewer than min_certs 10", "replaced by private CAs"},
			[]string{"dnf reinstall -y ca-certificates", "update-ca-trust extract"}},
		{"a private-only trust store can lower min_certs", "extends: rocky-9\ncabundle: {min_certs: 1}\n",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": three},
			engine.Pass, nil, nil},
		{"only TRUSTED CERTIFICATE blocks: Go sees nothing", "extends: rocky-9\n",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": string(testpki.TrustedPEM(testpki.Roots[0].DER(), "a"))},
			engine.Fail, []string{"only certificate blocks Go ignores (TRUSTED CERTIFICATE"}, nil},
		// Go's pool keeps one copy of a repeated certificate: 3 roots
		// listed four times each are 3 certificates, under min_certs.
		{"duplicates count once, as in Go's pool", "extends: rocky-9\n",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": three + three + three + three},
			engine.Fail, []string{"3 certificates, fewer than min_certs 10"}, nil},
		{"one DER certificate: Go reads only PEM", "extends: rocky-9\n",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": string(testpki.Roots[0].DER())},
			engine.Fail, []string{"is one DER certificate, not PEM"}, nil},
		{"malformed block among good ones", "extends: ubuntu-22.04\n",
			map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve + "-----BEGIN CERTIFICATE-----\nAAA\n"},
			engine.Warn, []string{"1 malformed block skipped", "line 121"}, nil},
		{"a private key in the bundle", "extends: ubuntu-22.04\n",
			map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
			engine.Warn, []string{"1 block that is not a certificate", "PRIVATE KEY"}, nil},
		{"Go reads another file first", "extends: rocky-9\n",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": twelve, "etc/ssl/certs/ca-certificates.crt": twelve},
			engine.Warn, []string{"Go programs read /etc/ssl/certs/ca-certificates.crt, which comes first in their list"}, nil},
		{"distro bundle that Go never reads", "extends: rocky-9\nfacts: {ca_bundle: /etc/ssl/certs/java-bundle.pem}\n",
			map[string]string{"etc/ssl/certs/java-bundle.pem": twelve},
			engine.Warn, []string{"Go programs do not read /etc/ssl/certs/java-bundle.pem", "they load only the files in /etc/ssl/certs, /etc/pki/tls/certs (12 certificates)"}, nil},
		{"generic profile: Go's first file", "{}\n",
			map[string]string{"etc/ssl/cert.pem": twelve},
			engine.Pass, []string{"/etc/ssl/cert.pem", "Go's list"}, nil},
		{"generic profile, nothing at all", "{}\n", nil,
			engine.Fail, []string{"none of Go's candidate files exists", "x509: certificate signed by unknown authority"},
			[]string{"manual: install the ca-certificates package with the distro's package manager"}},
		{"generic profile, certificates only in a directory", "{}\n",
			map[string]string{"etc/pki/tls/certs/local.pem": three},
			engine.Fail, []string{"Go programs still load 3 certificates from the files in /etc/ssl/certs, /etc/pki/tls/certs"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runProfile(t, rootWith(t, c.files, pinnedClock()), c.profile)["cabundle/present"]
			want(t, r, c.status, c.words...)
			if c.fix != nil && strings.Join(argvs(r), "|") != strings.Join(c.fix, "|") {
				t.Errorf("remediation %q, want %q", argvs(r), c.fix)
			}
		})
	}
}

func TestPresentReportsTheServiceEnvironment(t *testing.T) {
	bundle := map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve}
	with := func(unit string, extra map[string]string) map[string]string {
		m := map[string]string{"etc/systemd/system/app.service": unit}
		for k, v := range bundle {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name   string
		files  map[string]string
		status engine.Status
		words  []string
	}{
		{"no TLS variables", with("[Service]\nExecStart=/bin/app\n", nil), engine.Pass, nil},
		{"SSL_CERT_FILE naming the bundle through a link", with("[Service]\nEnvironment=SSL_CERT_FILE=/etc/ssl/cert.pem\n",
			map[string]string{"etc/ssl/cert.pem": "->certs/ca-certificates.crt"}), engine.Pass, nil},
		{"SSL_CERT_FILE elsewhere", with("[Service]\nEnvironment=SSL_CERT_FILE=/opt/app/ca.pem\n",
			map[string]string{"opt/app/ca.pem": three}), engine.Warn,
			[]string{"app.service sets SSL_CERT_FILE=/opt/app/ca.pem (/etc/systemd/system/app.service)", "(3 certificates) instead of /etc/ssl/certs/ca-certificates.crt", "12 certificates in all"}},
		{"SSL_CERT_FILE from an EnvironmentFile, missing", with("[Service]\nEnvironmentFile=-/etc/default/app\n",
			map[string]string{"etc/default/app": "SSL_CERT_FILE=/nonexistent.pem\n"}), engine.Warn,
			[]string{"SSL_CERT_FILE=/nonexistent.pem (/etc/default/app), which cannot be read"}},
		{"SSL_CERT_DIR replaces Go's directories", with("[Service]\nEnvironment=SSL_CERT_DIR=/opt/app/certs:/etc/ssl/certs\n", nil), engine.Warn,
			[]string{"SSL_CERT_DIR=/opt/app/certs:/etc/ssl/certs", "the files in /opt/app/certs, /etc/ssl/certs instead of /etc/ssl/certs, /etc/pki/tls/certs"}},
		{"the service trusts nothing", with("[Service]\nEnvironment=SSL_CERT_FILE=/missing.pem SSL_CERT_DIR=/missing\n", nil), engine.Fail,
			[]string{"the service trusts no certificate at all"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runProfile(t, rootWith(t, c.files, pinnedClock()), "extends: ubuntu-22.04\nservice: {unit: app}\n")["cabundle/present"]
			want(t, r, c.status, c.words...)
			if r.Details["service_unit"] != "app.service" {
				t.Errorf("service_unit %v", r.Details["service_unit"])
			}
		})
	}
}

func TestPresentWithAMissingUnitStillJudgesTheBundle(t *testing.T) {
	h := rootWith(t, map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve}, pinnedClock())
	r := runProfile(t, h, "extends: ubuntu-22.04\nservice: {unit: app.service}\n")["cabundle/present"]
	want(t, r, engine.Pass)
	if p, _ := r.Details["service_unit_problem"].(string); !strings.Contains(p, "unit not found") {
		t.Errorf("service_unit_problem %q", p)
	}
}

// A non-root run that cannot read the bundle says so instead of failing.
func TestPresentNeedsRoot(t *testing.T) {
	p := testProfile(t, "extends: ubuntu-22.04\n")
	checks := plan(t, p)
	for _, c := range checks {
		if pc, ok := c.(*presentCheck); ok {
			pc.st.read = func(*host.Host, string, int64) ([]byte, error) {
				return nil, &fs.PathError{Op: "open", Path: "/etc/ssl/certs/ca-certificates.crt", Err: fs.ErrPermission}
			}
		}
	}
	h := rootWith(t, map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve}, pinnedClock(), host.WithEUID(1000))
	want(t, run(t, h, checks, engine.RunOptions{})["cabundle/present"], engine.Skip, "needs root")
}

// Hostile roots: a symlink loop or a FIFO where the bundle belongs is an
// error (never a hang, never a pass).
func TestPresentUnreadableBundleIsAnError(t *testing.T) {
	loop := rootWith(t, map[string]string{"etc/ssl/certs/ca-certificates.crt": "->ca-certificates.crt"})
	want(t, runProfile(t, loop, "extends: ubuntu-22.04\n")["cabundle/present"], engine.Error, "cannot read the CA bundle", "too many levels of symbolic links")

	fifo := rootWith(t, map[string]string{"etc/ssl/certs/.keep": ""})
	if err := syscall.Mkfifo(filepath.Join(fifo.Root(), "etc/ssl/certs/ca-certificates.crt"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runProfile(t, fifo, "extends: ubuntu-22.04\n")
	want(t, res["cabundle/present"], engine.Error, "not a regular file")
	want(t, res["cabundle/expiry"], engine.Error)
}
