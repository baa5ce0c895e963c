package selinux

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

var fixtureRoots = []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"}

// rootRun runs this family on a fixture root with the profile detected
// for it, plus an optional service file (extends: auto).
func rootRun(t *testing.T, root, config string) map[string]engine.Result {
	t.Helper()
	h := hosttest.Fixture(t, root)
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
	res := run(t, h, plan(t, p))
	validateReport(t, h, res)
	return res
}

// validateReport renders the results as a JSON report and validates it
// against docs/report.schema.json: details and actions must fit it.
func validateReport(t *testing.T, h *host.Host, res map[string]engine.Result) {
	t.Helper()
	var out engine.Outcome
	for _, r := range res {
		out.Results = append(out.Results, r)
	}
	reporttest.ValidateOutcome(t, h, h.Root(), out)
}

// serviceConfig is what the service's golive.yaml adds; mode: enforcing is
// also what the RHEL-family built-in profiles say (DOCS.md), so the
// verdicts hold with and without it.
const serviceConfig = "selinux:\n  mode: enforcing\n  paths:\n    /opt/goservice/bin: bin_t\n    /srv/goservice: \"\"\n"

// TestFixtureRootVerdicts pins testdata/roots/README.md ("selinux and
// apparmor fixtures").
func TestFixtureRootVerdicts(t *testing.T) {
	type verdict struct {
		status engine.Status
		words  string
	}
	cases := map[string]struct {
		builtin, service verdict // selinux/mode with the built-in profile alone, and with the service file
		label            verdict
		fix              string
	}{
		"centos-7": {
			builtin: verdict{engine.Warn, "permissive at runtime while /etc/selinux/config:7 says enforcing"},
			service: verdict{engine.Warn, "permissive at runtime while /etc/selinux/config:7 says enforcing"},
			label:   verdict{engine.Fail, "/opt/goservice/bin does not exist"},
			fix:     "command: setenforce 1",
		},
		"rocky-9": {
			builtin: verdict{engine.Pass, "enforcing now and after reboot (/etc/selinux/config:22)"},
			service: verdict{engine.Pass, "enforcing now and after reboot (/etc/selinux/config:22)"},
			label:   verdict{engine.Fail, "/opt/goservice/bin does not exist"},
		},
		"ubuntu-22.04": {
			builtin: verdict{engine.Skip, "Ubuntu 22.04 LTS uses AppArmor, not SELinux"},
			service: verdict{engine.Skip, "Ubuntu 22.04 LTS uses AppArmor, not SELinux"},
			label:   verdict{engine.Skip, "uses AppArmor"},
		},
		"broken": {
			builtin: verdict{engine.Warn, "no SELINUX= line in /etc/selinux/config that libselinux accepts"},
			service: verdict{engine.Fail, "disabled at runtime; the profile expects enforcing"},
			label:   verdict{engine.Skip, "SELinux is off: runtime disabled, and /etc/selinux/config sets no mode"},
			fix:     "file-line: /etc/selinux/config SELINUX=enforcing | drop-in: /.autorelabel | manual",
		},
	}
	for _, root := range fixtureRoots {
		c := cases[root]
		t.Run(root, func(t *testing.T) {
			builtin := rootRun(t, root, "")
			if len(builtin) != 1 {
				t.Errorf("%d checks with the built-in profile, want selinux/mode only", len(builtin))
			}
			want(t, builtin["selinux/mode"], c.builtin.status, c.builtin.words)

			res := rootRun(t, root, serviceConfig)
			mode := res["selinux/mode"]
			want(t, mode, c.service.status, c.service.words)
			if got := strings.Join(steps(mode.Remediation), " | "); got != c.fix {
				t.Errorf("mode remediation %q, want %q", got, c.fix)
			}
			want(t, res["selinux/label:/opt/goservice/bin"], c.label.status, c.label.words)
			if len(res) != 3 {
				t.Errorf("%d checks, want mode and two labels", len(res))
			}
		})
	}
}

func TestBrokenRootNamesEveryIgnoredLine(t *testing.T) {
	r := rootRun(t, "broken", "")["selinux/mode"]
	probs, _ := r.Details["config_problems"].([]string)
	all := strings.Join(probs, "\n")
	for _, line := range []string{"line 2:", "line 3:", "line 4:", "line 5:", "line 6:", "line 7: not a setting"} {
		if !strings.Contains(all, line) {
			t.Errorf("config_problems lack %q:\n%s", line, all)
		}
	}
	if r.Details["policy"] != "targeted" {
		t.Errorf("policy %v: the last SELINUXTYPE line (lower case, indented) wins", r.Details["policy"])
	}
}

// The fixture roots with a deployed service: a copy of the root, real
// files, real labels.
func TestFixtureRootsWithLabelledService(t *testing.T) {
	for _, root := range []string{"centos-7", "rocky-9"} {
		t.Run(root, func(t *testing.T) {
			dir := copyTree(t, "../../testdata/roots/"+root)
			for _, f := range []string{"opt/goservice/bin/goservice", "srv/goservice/index.html"} {
				if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			h, err := host.New(dir)
			if err != nil {
				t.Fatal(err)
			}
			setLabel(t, h, "/opt/goservice/bin", usrT)
			setLabel(t, h, "/srv/goservice", varT)
			rel, _ := h.OSRelease()
			cfg := filepath.Join(t.TempDir(), "golive.yaml")
			if err := os.WriteFile(cfg, []byte(serviceConfig), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := profile.Resolve(profile.Request{OS: rel, Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			res := run(t, h, plan(t, p))
			validateReport(t, h, res)
			bin := res["selinux/label:/opt/goservice/bin"]
			want(t, bin, engine.Fail, "type usr_t, the profile expects bin_t (file_contexts gives bin_t")
			if got := strings.Join(steps(bin.Remediation), " | "); got != "command: restorecon -Rv /opt/goservice/bin" {
				t.Errorf("remediation %q: the policy gives bin_t already", got)
			}
			want(t, res["selinux/label:/srv/goservice"], engine.Pass, "type var_t, as file_contexts gives it (/srv/.* at")
		})
	}
}
