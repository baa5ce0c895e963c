package cabundle

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// The CA facts are written into remediation scripts: a value that would
// make a command mean something else is a profile error where it is
// written, even in a file a later one overrides.
func TestCAFactsAreVettedWhereWritten(t *testing.T) {
	tests := []struct {
		name, yaml, msg string
		line            int
	}{
		{"update command: a path", "extends: none\nfacts:\n  ca_update_command: [/tmp/evil, x]\n", `facts.ca_update_command "/tmp/evil": the program must be a bare command name`, 3},
		{"update command: an option, block list", "extends: none\nfacts:\n  ca_update_command:\n    - --help\n", `facts.ca_update_command "--help"`, 4},
		{"bundle: relative", "extends: none\nfacts:\n  ca_bundle: etc/pki/bundle.pem\n", `facts.ca_bundle "etc/pki/bundle.pem": `, 3},
		{"anchor dir: escapes", "extends: none\nfacts:\n\n  ca_anchor_dir: /etc/../../tmp\n", `facts.ca_anchor_dir "/etc/../../tmp": `, 4},
		{"overridden by rocky-9", "extends: rocky-9\nfacts:\n  ca_bundle: relative.pem\n", `facts.ca_bundle "relative.pem"`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := profiletest.ResolveErr(t, "p.yaml", tt.yaml)
			var pe *profile.Error
			if !errors.As(err, &pe) || pe.Line != tt.line || !strings.HasSuffix(pe.File, "p.yaml") || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("err = %v, want p.yaml:%d: %s", err, tt.line, tt.msg)
			}
		})
	}
}

func TestCAFactsLoad(t *testing.T) {
	p := testProfile(t, "extends: none\nfacts:\n  family: rhel\n  ca_update_command: [update-ca-trust, extract]\n  ca_bundle: /etc/pki/tls/certs/ca-bundle.crt\n  ca_anchor_dir: /etc/pki/ca-trust/source/anchors\n")
	got := factsOf(p)
	want := distroFacts{Facts: profile.Facts{Family: "rhel"}, CABundle: "/etc/pki/tls/certs/ca-bundle.crt",
		CAAnchorDir: "/etc/pki/ca-trust/source/anchors", CAUpdateCommand: []string{"update-ca-trust", "extract"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("factsOf = %+v, want %+v", got, want)
	}
}

// isCommandName is the regexp it replaced, on generated names.
func TestIsCommandNameAgreesWithItsRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_.+][A-Za-z0-9_.+-]*$`)
	alphabet := "aZ09_.+-/ ;$\x00é"
	names := []string{"", "update-ca-trust", "update-ca-certificates", "-rf", "/usr/bin/x", "a b", "..", "x\n"}
	for i := range 20000 {
		var b []byte
		for n := i; n > 0; n /= len(alphabet) {
			b = append(b, alphabet[n%len(alphabet)])
		}
		names = append(names, string(b))
	}
	for _, n := range names {
		if got, want := isCommandName(n), re.MatchString(n); got != want {
			t.Errorf("isCommandName(%q) = %v, the regexp says %v", n, got, want)
		}
	}
}
