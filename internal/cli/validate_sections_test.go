package cli_test

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/cli"
	"github.com/golive-sh/golive/internal/profile"
)

// validateRoots are the roots validate is tried on: each resolves
// extends: auto to another built-in, and broken to the generic profile.
var validateRoots = []string{
	"../../testdata/roots/centos-7", "../../testdata/roots/ubuntu-22.04",
	"../../testdata/roots/rocky-9", "../../testdata/roots/broken",
}

// A section whose checks wait for service.unit or service.user is still
// checked to the last rule when neither is set: a typo in it is a typo
// today, not on the day someone names the unit.
func TestValidateRejectsABadRuleInASectionNoCheckPlans(t *testing.T) {
	tests := map[string]struct{ content, want string }{
		"a bad expectation in rlimits.unit": {"extends: auto\nrlimits:\n  unit:\n    nofile: \">= lots\"\n",
			":4: nofile: \">= lots\": >= needs a number or version, not \"lots\""},
		"an unknown limit in rlimits.unit": {"extends: auto\nrlimits:\n  unit:\n    nofle: \">= 65536\"\n",
			":4: rlimits.unit: unknown limit \"nofle\""},
		"an unknown limit in rlimits.login": {"extends: auto\nrlimits:\n  login: {nprocs: \">= 4096\"}\n",
			":3: rlimits.login: unknown limit \"nprocs\""},
		"a bad Restart= value in systemd": {"extends: auto\nsystemd:\n  restart: [sometimes]\n",
			":3: systemd.restart: \"sometimes\" is not a Restart= value"},
		"an unknown knob in cgroup.unit": {"extends: auto\ncgroup:\n  unit: {memory.maximum: \"<= 2147483648\"}\n",
			":3: cgroup.unit: unknown knob \"memory.maximum\""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := writeConfig(t, tt.content)
			for _, root := range validateRoots {
				code, out, stderr := runInProcess(t, "validate", "--root", root, cfg)
				if code != cli.ExitInvalid || out != "" || !strings.Contains(stderr, cfg+tt.want) {
					t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2 and %q", root, code, out, stderr, cfg+tt.want)
				}
			}
			// check reads the profile as validate does: nothing is run.
			code, _, stderr := runInProcess(t, "check", "--root", validateRoots[0], "--offline", "--config", cfg)
			if code != cli.ExitInvalid || !strings.Contains(stderr, cfg+tt.want) {
				t.Errorf("check: exit %d, stderr %q", code, stderr)
			}
		})
	}
}

// A sound section that plans no check on this profile is a warning with
// its file and line and the reason, and validate still exits 0.
func TestValidateWarnsAboutASectionNoCheckPlans(t *testing.T) {
	tests := map[string]struct{ content, want string }{
		"rlimits.unit without service.unit": {"extends: auto\nrlimits:\n  unit:\n    nofile: \">= 65536\"\n",
			":3: rlimits.unit: no check plans these limits: they apply to service.unit, which is not set"},
		"rlimits.login without service.user": {"extends: auto\nservice: {unit: sshd.service}\nrlimits:\n  login: {nofile: \">= 65536\"}\n",
			":4: rlimits.login: no check plans these limits: they apply to service.user, which is not set"},
		"systemd without service.unit": {"extends: auto\nsystemd:\n  restart: [always]\n",
			":2: systemd: no check plans this section: it is about service.unit, which is not set"},
		"cgroup.unit without service.unit": {"extends: auto\ncgroup:\n  unit: {pids.max: \">= 4096\"}\n",
			":3: cgroup.unit: no check plans these rules: they apply to service.unit, which is not set"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := writeConfig(t, tt.content)
			for _, root := range validateRoots {
				code, out, stderr := runInProcess(t, "validate", "--root", root, cfg)
				if code != 0 || !strings.HasPrefix(out, "ok: ") {
					t.Fatalf("%s: exit %d, stdout %q, stderr %q", root, code, out, stderr)
				}
				if want := "golive: warning: " + cfg + tt.want; !strings.Contains(stderr, want) {
					t.Errorf("%s: stderr %q does not say %q", root, stderr, want)
				}
				if n := strings.Count(stderr, "no check plans"); n != 1 {
					t.Errorf("%s: %d idle-section warnings, want 1 (the user's section only):\n%s", root, n, stderr)
				}
			}
		})
	}
}

// The built-in profiles set defaults for a unit and a user a service
// profile names later (linux.yaml's rlimits.unit, rlimits.login,
// cgroup.unit): validating a built-in, or a file that inherits them,
// warns about nothing; naming the unit and user plans them.
func TestValidateDoesNotWarnAboutBuiltinDefaults(t *testing.T) {
	for _, name := range profile.Builtins() {
		code, _, stderr := runInProcess(t, "validate", "--root", validateRoots[0], "--profile", name)
		if code != 0 || strings.Contains(stderr, "warning") {
			t.Errorf("validate --profile %s: exit %d, stderr %q", name, code, stderr)
		}
	}
	for _, content := range []string{
		"extends: auto\n",
		"extends: auto\nservice: {unit: sshd.service, user: root}\nrlimits:\n  unit: {nofile: \">= 65536\"}\n  login: {nofile: \">= 1024\"}\nsystemd: {restart: [always]}\ncgroup:\n  unit: {pids.max: \">= 16\"}\n",
	} {
		cfg := writeConfig(t, content)
		for _, root := range validateRoots {
			code, _, stderr := runInProcess(t, "validate", "--root", root, cfg)
			if code != 0 || strings.Contains(stderr, "no check plans") {
				t.Errorf("%s, %q: exit %d, stderr %q", root, content, code, stderr)
			}
		}
	}
}
