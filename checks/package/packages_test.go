package packages

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/profile/profiletest"
)

func TestBuildErrorsNameFileAndLine(t *testing.T) {
	cases := map[string]string{
		"package:\n  -rf: {}\n":                                    "not a package name",
		"package:\n  \"open ssl\": {}\n":                           "not a package name",
		"package:\n  openssl: \">= 3.0\"\n":                        "expected a mapping",
		"package: [openssl]\n":                                     "expected a mapping",
		"package:\n  openssl: {version: \">=\"}\n":                 "a clause without a version",
		"package:\n  openssl: {version: \">= 1 2\"}\n":             "not a version",
		"package:\n  openssl: {version: \"~1\"}\n":                 "must start with a letter or digit",
		"package:\n  telnet: {installed: false, version: \"1\"}\n": "installed: false allows no version",
		"package:\n  openssl: {colour: red}\n":                     "colour",
		"package:\n  openssl: {level: error}\n":                    "not one of fail, warn",
		"package:\n  openssl: {severity: urgent}\n":                "not one of critical",
		"package:\n  openssl: {}\n  openssl: {}\n":                 "openssl",
		"package:\n  openssl: {installed: maybe}\n":                "expected true or false",
	}
	for yaml, wantErr := range cases {
		p, err := profiletest.ResolveErr(t, "p.yaml", yaml)
		if err == nil {
			_, err = build(p.Section(kind), p)
		}
		if err == nil || !strings.Contains(err.Error(), wantErr) || !strings.Contains(err.Error(), "p.yaml:") {
			t.Errorf("%q: %v, want an error with %q and the file", yaml, err, wantErr)
		}
	}
}

// TestNullRemovesAPackage: a null value drops a package a base profile
// named, as in the other mapping sections.
func TestNullRemovesAPackage(t *testing.T) {
	p := testProfile(t, "package:\n  openssl: ~\n  bash: {}\n")
	checks, err := build(p.Section(kind), p)
	if err != nil || len(checks) != 1 || checks[0].ID() != "package/installed:bash" {
		t.Fatalf("%v %v", checks, err)
	}
}
