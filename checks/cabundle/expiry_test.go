package cabundle

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
	"github.com/golive-sh/golive/internal/engine"
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
		{"all valid", "extends: rocky-9\n", twelve, nil, engine.Pass, []string{"12 certificates valid for more than 30 days"}, nil},
		{"expired root: named, package update", "extends: rocky-9\n", twelve + string(testpki.Expired.PEM()), nil,
			engine.Fail, []string{"1 expired: Golive Test Expired Root CA (Golive Test PKI) on 2024-03-31", "ca-certificates package is out of date"},
			[]string{"dnf upgrade -y ca-certificates"}},
		{"expiring within the window", "extends: centos-7\n", twelve + string(testpki.Expiring.PEM()), nil,
			engine.Warn, []string{"1 expiring within 30 days: Golive Test Expiring Root CA (Golive Test PKI) on 2026-12-05"},
			[]string{"yum update -y ca-certificates"}},
		{"outside a shorter window", "extends: centos-7\ncabundle: {expiry_days: 7}\n", twelve + string(testpki.Expiring.PEM()), nil,
			engine.Pass, nil, nil},
		{"not yet valid: the clock", "extends: rocky-9\n", twelve + string(future.PEM()), nil,
			engine.Fail, []string{"1 not yet valid: Golive Future Root CA (Golive Test PKI) from 2026-12-21", "check the host clock"},
			[]string{"manual: synchronise the host clock (chronyd/timesyncd), then re-run golive"}},
		{"an expired local CA: remove the anchor", "extends: ubuntu-22.04\n", twelve + string(testpki.Expired.PEM()),
			map[string]string{"usr/local/share/ca-certificates/old.crt": string(testpki.Expired.PEM())},
			engine.Fail, nil,
			[]string{"manual: Golive Test Expired Root CA (Golive Test PKI) comes from the local anchor /usr/local/share/ca-certificates/old.crt: replace it with its successor from its owner, or remove it", "update-ca-certificates"}},
		{"many: three named, the rest counted", "extends: rocky-9\n", fixtureBundle(many...), nil,
			engine.Fail, []string{"6 expired:", "and 3 more"}, nil},
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
	if len(exp) != 7 || exp[0].Days != -1 || exp[0].Line != 1 || exp[0].File != "/etc/ssl/certs/ca-certificates.crt" {
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
