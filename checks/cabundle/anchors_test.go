package cabundle

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
	"github.com/golive-sh/golive/internal/engine"
)

func TestAnchorsVerdicts(t *testing.T) {
	internal := string(testpki.ACMEInternal.PEM())
	platform := string(testpki.ACMEPlatform.PEM())
	withInternal := twelve + internal
	el := "etc/pki/ca-trust/source/anchors/"
	deb := "usr/local/share/ca-certificates/"
	cases := []struct {
		name    string
		profile string
		files   map[string]string
		status  engine.Status
		words   []string
		fix     []string
	}{
		{"RHEL: anchor in the bundle", "extends: rocky-9\n", map[string]string{
			"etc/pki/tls/certs/ca-bundle.crt": withInternal, el + "internal.pem": internal},
			engine.Pass, []string{"1 of 1 anchor certificate"}, nil},
		{"RHEL: stale bundle, the distro's command", "extends: rocky-9\n", map[string]string{
			"etc/pki/tls/certs/ca-bundle.crt": withInternal, el + "internal.pem": internal, el + "platform.crt": platform},
			engine.Fail, []string{"the bundle is stale", "ACME Platform Root CA 2026 (ACME Corp) from platform.crt", "run update-ca-trust extract"},
			[]string{"update-ca-trust extract"}},
		{"RHEL: any file name, DER too", "extends: centos-7\n", map[string]string{
			"etc/pki/tls/certs/ca-bundle.crt": twelve + string(testpki.ACMELegacy.PEM()), el + "legacy": string(testpki.ACMELegacy.DER())},
			engine.Pass, nil, nil},
		{"Ubuntu: stale bundle, the distro's command", "extends: ubuntu-22.04\n", map[string]string{
			"etc/ssl/certs/ca-certificates.crt": twelve, deb + "internal.crt": internal},
			engine.Fail, []string{"the bundle is stale", "run update-ca-certificates"},
			[]string{"update-ca-certificates"}},
		{"Ubuntu: subdirectories are searched", "extends: ubuntu-22.04\n", map[string]string{
			"etc/ssl/certs/ca-certificates.crt": twelve, deb + "acme/internal.crt": internal},
			engine.Fail, []string{"from internal.crt"}, []string{"update-ca-certificates"}},
		{"Ubuntu: a .pem is never read", "extends: ubuntu-22.04\n", map[string]string{
			"etc/ssl/certs/ca-certificates.crt": withInternal, deb + "internal.crt": internal, deb + "platform.pem": platform, deb + "README": "notes\n"},
			engine.Warn, []string{"1 file not read by update-ca-certificates, which takes only *.crt files: /usr/local/share/ca-certificates/platform.pem"},
			[]string{"mv /usr/local/share/ca-certificates/platform.pem /usr/local/share/ca-certificates/platform.crt", "update-ca-certificates"}},
		{"a file that is no certificate", "extends: rocky-9\n", map[string]string{
			"etc/pki/tls/certs/ca-bundle.crt": withInternal, el + "internal.pem": internal, el + "notes.txt": "hello\n"},
			engine.Warn, []string{"1 file with no certificate", "notes.txt"}, nil},
		{"no bundle at all", "extends: rocky-9\n", map[string]string{el + "internal.pem": internal},
			engine.Fail, []string{"/etc/pki/tls/certs/ca-bundle.crt does not exist, so none of the 1 local CA", "run update-ca-trust extract"},
			[]string{"update-ca-trust extract"}},
		{"an empty file is no finding", "extends: rocky-9\n", map[string]string{
			"etc/pki/tls/certs/ca-bundle.crt": twelve, el + ".keep": ""},
			engine.Skip, []string{"is empty"}, nil},
		{"no anchor directory", "extends: rocky-9\n", map[string]string{"etc/pki/tls/certs/ca-bundle.crt": twelve},
			engine.Skip, []string{"/etc/pki/ca-trust/source/anchors does not exist"}, nil},
		{"generic profile", "{}\n", map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve},
			engine.Skip, []string{"no anchor directory"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runProfile(t, rootWith(t, c.files, pinnedClock()), c.profile)["cabundle/anchors"]
			want(t, r, c.status, c.words...)
			if strings.Join(argvs(r), "|") != strings.Join(c.fix, "|") {
				t.Errorf("remediation %q, want %q", argvs(r), c.fix)
			}
		})
	}
}

func TestAnchorsSkipAnEmptyDirectory(t *testing.T) {
	h := rootWith(t, map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve, "usr/local/share/ca-certificates/README": "x\n"}, pinnedClock())
	want(t, runProfile(t, h, "extends: ubuntu-22.04\n")["cabundle/anchors"], engine.Skip, "is empty: no local CAs")
}
