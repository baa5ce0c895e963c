package cabundle

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
	"github.com/golive-sh/golive/internal/engine"
)

func TestContainsVerdicts(t *testing.T) {
	internal := testpki.ACMEInternal
	sum := hexSum(internal.DER())
	withInternal := twelve + string(internal.PEM())
	colons := strings.ToUpper(sum[:2]) + ":" + strings.ToUpper(sum[2:4])
	for i := 4; i < len(sum); i += 2 {
		colons += ":" + strings.ToUpper(sum[i:i+2])
	}
	cases := []struct {
		name    string
		profile string
		id      string
		files   map[string]string
		status  engine.Status
		words   []string
		fix     []string
	}{
		{"file in the bundle", "extends: rocky-9\ncabundle: {require: [/etc/ssl/etcd/ca.pem]}\n", "/etc/ssl/etcd/ca.pem",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": withInternal, "etc/ssl/etcd/ca.pem": string(internal.PEM())},
			engine.Pass, []string{"ACME Internal Root CA (ACME Corp) in /etc/pki/tls/certs/ca-bundle.crt"}, nil},
		{"file missing from the bundle: install and rebuild", "extends: rocky-9\ncabundle: {require: [/etc/ssl/etcd/ca.pem]}\n", "/etc/ssl/etcd/ca.pem",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": twelve, "etc/ssl/etcd/ca.pem": string(internal.PEM())},
			engine.Fail, []string{"missing: ACME Internal Root CA", "certificate signed by unknown authority"},
			[]string{"install -m 0644 /etc/ssl/etcd/ca.pem /etc/pki/ca-trust/source/anchors/ca.pem", "update-ca-trust extract"}},
		{"Ubuntu wants a .crt", "extends: ubuntu-22.04\ncabundle: {require: [/etc/ssl/etcd/ca.pem]}\n", "/etc/ssl/etcd/ca.pem",
			map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve, "etc/ssl/etcd/ca.pem": string(internal.PEM())},
			engine.Fail, nil,
			[]string{"install -m 0644 /etc/ssl/etcd/ca.pem /usr/local/share/ca-certificates/ca.crt", "update-ca-certificates"}},
		{"Ubuntu and a DER file: converted to PEM", "extends: ubuntu-22.04\ncabundle: {require: [/etc/ssl/etcd/ca.der]}\n", "/etc/ssl/etcd/ca.der",
			map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve, "etc/ssl/etcd/ca.der": string(internal.DER())},
			engine.Fail, nil,
			[]string{"openssl x509 -inform DER -in /etc/ssl/etcd/ca.der -out /usr/local/share/ca-certificates/ca.crt", "update-ca-certificates"}},
		{"already an anchor: only the rebuild", "extends: rocky-9\ncabundle: {require: [/etc/pki/ca-trust/source/anchors/acme.pem]}\n", "/etc/pki/ca-trust/source/anchors/acme.pem",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": twelve, "etc/pki/ca-trust/source/anchors/acme.pem": string(internal.PEM())},
			engine.Fail, nil, []string{"update-ca-trust extract"}},
		{"fingerprint in the bundle", "extends: rocky-9\ncabundle: {require: [sha256:" + sum + "]}\n", "sha256:" + sum,
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": withInternal},
			engine.Pass, []string{"found at line 121"}, nil},
		{"fingerprint as openssl prints it, with a name", "extends: rocky-9\ncabundle:\n  require: [{name: acme, sha256: \"SHA256:" + colons + "\"}]\n", "acme",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": withInternal},
			engine.Pass, nil, nil},
		{"fingerprint missing: fetch it, then rebuild", "extends: rocky-9\ncabundle: {require: [sha256:" + sum + "]}\n", "sha256:" + sum,
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": twelve},
			engine.Fail, []string{"no certificate in /etc/pki/tls/certs/ca-bundle.crt has the fingerprint sha256:" + sum}, nil},
		// Go's AppendCertsFromPEM skips TRUSTED CERTIFICATE blocks: a CA
		// present only in OpenSSL's format is not trusted by Go.
		{"file present only as TRUSTED CERTIFICATE", "extends: rocky-9\ncabundle: {require: [/etc/ssl/etcd/ca.pem]}\n", "/etc/ssl/etcd/ca.pem",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": twelve + string(testpki.TrustedPEM(internal.DER(), "acme")), "etc/ssl/etcd/ca.pem": string(internal.PEM())},
			engine.Fail, []string{"missing: ACME Internal Root CA", "only as TRUSTED CERTIFICATE"},
			[]string{"install -m 0644 /etc/ssl/etcd/ca.pem /etc/pki/ca-trust/source/anchors/ca.pem", "update-ca-trust extract"}},
		{"fingerprint present only as TRUSTED CERTIFICATE", "extends: rocky-9\ncabundle: {require: [sha256:" + sum + "]}\n", "sha256:" + sum,
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": twelve + string(testpki.TrustedPEM(internal.DER(), "acme"))},
			engine.Fail, []string{"only as a TRUSTED CERTIFICATE block (OpenSSL's trust format) at line 121, which Go ignores"}, nil},
		{"CA file missing", "extends: rocky-9\ncabundle: {require: [/etc/ssl/etcd/ca.pem]}\n", "/etc/ssl/etcd/ca.pem",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": twelve},
			engine.Fail, []string{"/etc/ssl/etcd/ca.pem does not exist"}, nil},
		{"CA file with no certificate", "extends: rocky-9\ncabundle: {require: [/etc/ssl/etcd/ca.pem]}\n", "/etc/ssl/etcd/ca.pem",
			map[string]string{"etc/pki/tls/certs/ca-bundle.crt": twelve, "etc/ssl/etcd/ca.pem": "hello"},
			engine.Error, []string{"holds no certificate"}, nil},
		{"generic profile: said, not scripted", "cabundle: {require: [/etc/ssl/etcd/ca.pem]}\n", "/etc/ssl/etcd/ca.pem",
			map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve, "etc/ssl/etcd/ca.pem": string(internal.PEM())},
			engine.Fail, nil, []string{"manual: add /etc/ssl/etcd/ca.pem to the system trust store and rebuild the CA bundle (the profile names no anchor directory)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runProfile(t, rootWith(t, c.files, pinnedClock()), c.profile)["cabundle/contains:"+c.id]
			want(t, r, c.status, c.words...)
			if c.fix != nil && strings.Join(argvs(r), "|") != strings.Join(c.fix, "|") {
				t.Errorf("remediation %q, want %q", argvs(r), c.fix)
			}
		})
	}
}

func TestContainsFingerprintFixIsAManualStepAndTheRebuild(t *testing.T) {
	sum := hexSum(testpki.ACMEInternal.DER())
	h := rootWith(t, map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve}, pinnedClock())
	r := runProfile(t, h, "extends: ubuntu-22.04\ncabundle: {require: [sha256:"+sum+"]}\n")["cabundle/contains:sha256:"+sum]
	got := argvs(r)
	if len(got) != 2 || !strings.HasPrefix(got[0], "manual: obtain the CA certificate with fingerprint sha256:"+sum) ||
		!strings.Contains(got[0], "/usr/local/share/ca-certificates/golive-required-") || got[1] != "update-ca-certificates" {
		t.Errorf("remediation %q", got)
	}
}
