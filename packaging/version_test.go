// Package packaging_test builds golive's release artifacts with the real
// `make dist` and inspects them with the distributions' own tools, without
// installing anything on this machine.
package packaging_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// packageVersion runs version.sh as the Makefile does.
func packageVersion(v string) (string, error) {
	out, err := exec.Command("sh", "version.sh", v).Output()
	return strings.TrimSpace(string(out)), err
}

func TestPackageVersionFromGitDescribe(t *testing.T) {
	cases := map[string]string{
		"v1.2.3":                       "1.2.3",
		"1.2.3":                        "1.2.3",
		"v1.2.3-rc.1":                  "1.2.3~rc.1",
		"v1.2.3-4-gabc1234":            "1.2.3+4.gabc1234",
		"v1.2.3-rc.1-4-gabc1234":       "1.2.3~rc.1+4.gabc1234",
		"v1.2.3-dirty":                 "1.2.3+dirty",
		"v1.2.3-4-gabc1234-dirty":      "1.2.3+4.gabc1234.dirty",
		"abc1234":                      "0.0.0~git.abc1234",
		"abc1234-dirty":                "0.0.0~git.abc1234.dirty",
		"dev":                          "0.0.0~dev",
		"v10.20.30-beta.2-15-g0123abc": "10.20.30~beta.2+15.g0123abc",
	}
	for in, want := range cases {
		got, err := packageVersion(in)
		if err != nil || got != want {
			t.Errorf("version.sh %q = %q (%v), want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "v1.2", "v1.2.3 x", "1.2.3-a_b", "dev-dirty", "v1.2.3;rm"} {
		if got, err := packageVersion(bad); err == nil {
			t.Errorf("version.sh %q = %q, want an error", bad, got)
		}
	}
}

// Versions of successive builds, in the order they happened: dpkg and rpm
// must both accept each and order them the same way, or an upgrade would
// go backwards.
func TestPackageVersionsOrderAsBuildsHappened(t *testing.T) {
	dpkg := testenv.NeedCommand(t, "dpkg", "dpkg")
	rpm := testenv.NeedCommand(t, "rpm", "rpm")
	history := []string{"abc1234", "v0.1.0-rc.1", "v0.1.0-rc.1-2-gbcd2345", "v0.1.0", "v0.1.0-3-gcde3456", "v0.1.1-rc.1", "v0.1.1", "v0.10.0"}
	db := t.TempDir()
	var versions []string
	for _, v := range history {
		pv, err := packageVersion(v)
		if err != nil {
			t.Fatalf("version.sh %q: %v", v, err)
		}
		versions = append(versions, pv)
	}
	for i := 1; i < len(versions); i++ {
		a, b := versions[i-1], versions[i]
		// Exit 0: a < b; 1: not; 2: a version is not valid for dpkg.
		if out, err := exec.Command(dpkg, "--compare-versions", a, "lt", b).CombinedOutput(); err != nil {
			t.Errorf("dpkg: %s is not before %s: %v %s", a, b, err, out)
		}
		expr := "%{lua: print(rpm.vercmp('" + a + "', '" + b + "'))}"
		out, err := exec.Command(rpm, "--dbpath="+db, "--eval", expr).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "-1" {
			t.Errorf("rpm: vercmp(%s, %s) = %q (%v), want -1", a, b, out, err)
		}
	}
}
