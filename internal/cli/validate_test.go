package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/cli"
	"github.com/golive-sh/golive/internal/profile"
)

const centos7Root = "../../testdata/roots/centos-7"

// validate plans exactly what list (and so check) plans for the file.
func TestValidateAcceptsAGoodProfile(t *testing.T) {
	cfg := writeConfig(t, "extends: auto\nservice:\n  unit: sshd.service\nsysctl:\n  net.core.somaxconn: \">= 4096\"\n")
	code, out, stderr := runInProcess(t, "validate", "--root", centos7Root, cfg)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	_, listed, _ := runInProcess(t, "list", "--root", centos7Root, "--config", cfg, "--format", "json")
	var l struct{ Checks []any }
	if err := json.Unmarshal([]byte(listed), &l); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("ok: %s (extends linux -> centos-7, %d checks planned)\n", cfg, len(l.Checks))
	if out != want || len(l.Checks) == 0 {
		t.Errorf("validate said %q, want %q", out, want)
	}
}

func TestValidateRejectsWithFileAndLine(t *testing.T) {
	tests := map[string]struct{ content, want string }{
		"unquoted expectation": {"extends: auto\nsysctl:\n  net.core.somaxconn: >= 65535\n",
			":3: an expectation that starts with >, <, ! or * must be quoted: write\n      net.core.somaxconn: \">= 65535\""},
		"unknown top-level key": {"extends: auto\ndescripton: payments\n",
			":2: unknown top-level key \"descripton\": did you mean \"description\"? (valid keys: "},
		"a selection that selects nothing": {"extends: auto\noptions:\n  only: [sysctl/no.such.key]\n", "sysctl/no.such.key"},
		"a bad rule in a section":          {"extends: auto\nservice: {unit: sshd.service}\nrlimits:\n  unit: {nofile: lots}\n", ":4"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := writeConfig(t, tt.content)
			code, out, stderr := runInProcess(t, "validate", "--root", centos7Root, cfg)
			if code != cli.ExitInvalid || out != "" {
				t.Fatalf("exit %d, stdout %q, want 2 and nothing", code, out)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not say %q", stderr, tt.want)
			}
		})
	}
}

// The unknown-key message lists every valid top-level key, not only the
// sections of the families.
func TestUnknownTopLevelKeyListsEveryKey(t *testing.T) {
	cfg := writeConfig(t, "extends: auto\nrlimit:\n  unit: {nofile: \">= 1\"}\n")
	_, _, stderr := runInProcess(t, "validate", "--root", centos7Root, cfg)
	if !strings.Contains(stderr, `did you mean "rlimits"?`) {
		t.Errorf("stderr %q does not suggest rlimits", stderr)
	}
	for _, k := range append(append([]string{}, profile.TopLevelKeys...), "sysctl", "rlimits", "tls", "os") {
		if !strings.Contains(stderr, " "+k+",") && !strings.Contains(stderr, " "+k+")") {
			t.Errorf("the valid keys in %q miss %s", stderr, k)
		}
	}
}

// A bad options: value is the profile's mistake, reported at its line
// even when a flag overrides it.
func TestBadOptionIsAProfileErrorEvenWhenAFlagOverridesIt(t *testing.T) {
	cfg := writeConfig(t, "extends: auto\noptions:\n  timeout: -5s\n")
	for _, args := range [][]string{
		{"validate", "--root", centos7Root, cfg},
		{"check", "--root", centos7Root, "--offline", "--config", cfg, "--timeout", "30s"},
	} {
		code, _, stderr := runInProcess(t, args...)
		if code != cli.ExitInvalid || !strings.Contains(stderr, cfg+":3: timeout: \"-5s\" is not a positive duration") || strings.Contains(stderr, "--timeout") {
			t.Errorf("%s: exit %d, stderr %q", args[0], code, stderr)
		}
	}
}

func TestValidateWarnsAboutAWaiverThatMatchesNothing(t *testing.T) {
	cfg := writeConfig(t, "extends: auto\nwaivers:\n  - {check: sysctl/vm.swapiness, reason: r, ticket: OPS-1, expires: 2030-01-01}\n")
	code, out, stderr := runInProcess(t, "validate", "--root", centos7Root, cfg)
	if code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	if !strings.Contains(stderr, cfg+`:3: the waiver for "sysctl/vm.swapiness" matches no check`) {
		t.Errorf("stderr %q", stderr)
	}
}

// Without FILE, validate reads what check would: ./golive.yaml.
func TestValidateDefaultsToTheConfigCheckUses(t *testing.T) {
	cfg := writeConfig(t, "extends: auto\ndescripton: x\n")
	dir := strings.TrimSuffix(cfg, "/golive.yaml")
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	code, _, stderr := runInProcess(t, "validate", "--root", root+"/"+centos7Root)
	if code != cli.ExitInvalid || !strings.Contains(stderr, "golive.yaml:2: unknown top-level key") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
