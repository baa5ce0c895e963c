package systemd

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// The verdicts of testdata/roots/README.md, "rlimit and systemd fixtures".
var rootVerdicts = map[string]map[string]string{
	"centos-7": {
		"loaded": "pass /etc/systemd/system/golive-demo.service", "restart": "pass Restart=always",
		"user": "pass uid 996", "network": "pass After=network.target", "enabled": "pass multi-user.target.wants",
		"active": "skip mounted image",
	},
	"ubuntu-22.04": {
		"loaded": "pass override.conf", "restart": "pass Restart=on-failure",
		"user": "pass uid 997", "network": "pass Wants=network-online.target", "enabled": "fail disabled",
		"active": "skip mounted image",
	},
	"rocky-9": {
		"loaded": "pass /usr/lib/systemd/system/golive-demo.service", "restart": "fail Restart=on-abnormal",
		"user": "fail no User=", "network": "fail no network ordering", "enabled": "pass multi-user.target.wants",
		"active": "skip mounted image",
	},
	"broken": {
		"loaded": "warn 50-loop.conf", "restart": "fail Restart=sometimes",
		"user": "fail resets the earlier User=golive-demo", "network": "fail empty After=", "enabled": "fail static",
		"active": "skip mounted image",
	},
}

func TestFixtureRootVerdicts(t *testing.T) {
	for root, checks := range rootVerdicts {
		t.Run(root, func(t *testing.T) {
			got := rootResults(t, root)
			if len(got) != len(checks) {
				t.Errorf("%d checks, want %d", len(got), len(checks))
			}
			for aspect, w := range checks {
				status, words, _ := strings.Cut(w, " ")
				want(t, got[aspect], engine.Status(status), words)
			}
		})
	}
}

func TestNonRootRunsGiveTheSameVerdicts(t *testing.T) {
	for root := range rootVerdicts {
		asRoot := rootResults(t, root)
		asUser := rootResults(t, root, host.WithEUID(1000))
		for id, r := range asRoot {
			if asUser[id].Status != r.Status {
				t.Errorf("%s %s: %s as non-root, %s as root", root, id, asUser[id].Status, r.Status)
			}
		}
	}
}

func TestFixesAreDropInsOfTheirOwn(t *testing.T) {
	res := rootResults(t, "rocky-9")
	paths := map[string]string{}
	for aspect, r := range res {
		if r.Remediation == nil {
			continue
		}
		for _, a := range r.Remediation.Actions {
			if a.Kind == remediate.DropIn {
				if prev, ok := paths[a.Path]; ok {
					t.Errorf("%s and %s both write %s", aspect, prev, a.Path)
				}
				paths[a.Path] = aspect
			}
		}
	}
	for _, p := range []string{
		"/etc/systemd/system/golive-demo.service.d/90-golive-restart.conf",
		"/etc/systemd/system/golive-demo.service.d/90-golive-network.conf",
	} {
		if paths[p] == "" {
			t.Errorf("no fix writes %s (fixes: %v)", p, paths)
		}
	}
	if argv := commands(res["enabled"]); argv != "" {
		t.Errorf("rocky-9 is enabled; enable proposed: %s", argv)
	}
	if argv := commands(rootResults(t, "ubuntu-22.04")["enabled"]); argv != "systemctl enable golive-demo.service" {
		t.Errorf("ubuntu-22.04 enabled fix: %q", argv)
	}
}

func commands(r engine.Result) string {
	if r.Remediation == nil {
		return ""
	}
	var out []string
	for _, a := range r.Remediation.Actions {
		if a.Kind == remediate.Command {
			out = append(out, strings.Join(a.Argv, " "))
		}
	}
	return strings.Join(out, "; ")
}

func TestNoServiceUnitNoChecks(t *testing.T) {
	if checks := plan(t, testProfile(t, "rocky-9", "")); len(checks) != 0 {
		t.Errorf("%d checks without service.unit", len(checks))
	}
}

func TestSectionTurnsChecksOff(t *testing.T) {
	checks := plan(t, testProfile(t, "rocky-9", demo+"systemd: {network: false, active: false, restart: [always]}\n"))
	var ids []string
	for _, c := range checks {
		ids = append(ids, c.ID())
	}
	want := "systemd/loaded:golive-demo.service systemd/restart:golive-demo.service systemd/user:golive-demo.service systemd/enabled:golive-demo.service"
	if strings.Join(ids, " ") != want {
		t.Errorf("checks %v", ids)
	}
	if checks[1].Meta().Expected != "Restart= in [always]" || checks[1].Meta().Where == "" {
		t.Errorf("restart meta %+v", checks[1].Meta())
	}
}
