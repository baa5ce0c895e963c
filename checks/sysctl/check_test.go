package sysctl

import (
	"context"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
)

// testProfile resolves a standalone profile written to a temp file.
func testProfile(t *testing.T, yaml string) *profile.Profile {
	t.Helper()
	return profiletest.ResolveNamed(t, "p.yaml", yaml)
}

func runOne(t *testing.T, p *profile.Profile, h *host.Host, id string) engine.Result {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if c.ID() == id {
			out := engine.Run(context.Background(), h, []engine.Check{c}, engine.RunOptions{})
			return out.Results[0]
		}
	}
	t.Fatalf("no check %s", id)
	return engine.Result{}
}

const judgeProfile = `
facts:
  sysctl_defaults:
    net.core.somaxconn: "4096"
sysctl:
  net.core.somaxconn: ">= 4096"
  net.core.netdev_max_backlog: ">= 5000"
  net.ipv4.tcp_max_syn_backlog: ">= 4096"
  vm.swappiness: {expect: "<= 10", level: warn}
  net.ipv4.tcp_rmem: ">= 4096 87380 134217728"
  kernel.core_pattern: "!= core"
`

func TestJudgeVerdicts(t *testing.T) {
	p := testProfile(t, judgeProfile)
	cases := []struct {
		name    string
		files   map[string]string
		id      string
		status  engine.Status
		message string
		action  remediate.Kind
	}{
		{"persisted and applied", map[string]string{
			"proc/sys/net/core/netdev_max_backlog": "5000\n",
			"etc/sysctl.d/60-app.conf":             "net.core.netdev_max_backlog = 5000\n",
		}, "sysctl/net.core.netdev_max_backlog", engine.Pass, "set in /etc/sysctl.d/60-app.conf:1", ""},
		{"runtime ok, not persisted, no default", map[string]string{
			"proc/sys/net/ipv4/tcp_max_syn_backlog": "6000\n",
		}, "sysctl/net.ipv4.tcp_max_syn_backlog", engine.Warn, "reverts to the kernel default on reboot", remediate.SysctlSet},
		{"runtime ok, not persisted, kernel default differs", map[string]string{
			"proc/sys/net/core/netdev_max_backlog": "6000\n",
		}, "sysctl/net.core.netdev_max_backlog", engine.Warn, "reverts on reboot to the kernel default 1000", remediate.SysctlSet},
		{"runtime ok, distro default satisfies", map[string]string{
			"proc/sys/net/core/somaxconn": "4096\n",
		}, "sysctl/net.core.somaxconn", engine.Pass, "distro default", ""},
		{"runtime ok, persisted value is wrong", map[string]string{
			"proc/sys/net/core/netdev_max_backlog": "5000\n",
			"etc/sysctl.d/60-app.conf":             "net.core.netdev_max_backlog = 1000\n",
		}, "sysctl/net.core.netdev_max_backlog", engine.Warn, "reverts on reboot: /etc/sysctl.d/60-app.conf:1 sets 1000", remediate.SysctlSet},
		{"persisted but not applied", map[string]string{
			"proc/sys/net/core/netdev_max_backlog": "1000\n",
			"etc/sysctl.d/60-app.conf":             "net.core.netdev_max_backlog = 5000\n",
		}, "sysctl/net.core.netdev_max_backlog", engine.Fail, "persisted in /etc/sysctl.d/60-app.conf:1 but not applied", remediate.Command},
		{"both wrong", map[string]string{
			"proc/sys/net/core/netdev_max_backlog": "1000\n",
		}, "sysctl/net.core.netdev_max_backlog", engine.Fail, "not persisted", remediate.SysctlSet},
		{"level warn caps a miss", map[string]string{
			"proc/sys/vm/swappiness": "60\n",
		}, "sysctl/vm.swappiness", engine.Warn, "runtime 60", remediate.SysctlSet},
		{"winning file sorts after the drop-in", map[string]string{
			"proc/sys/net/core/netdev_max_backlog": "1000\n",
			"etc/sysctl.conf":                      "net.core.netdev_max_backlog = 1000\n",
			"etc/sysctl.d/99-sysctl.conf":          "->../sysctl.conf",
		}, "sysctl/net.core.netdev_max_backlog", engine.Fail, "/etc/sysctl.conf:1 sets 1000", remediate.FileLine},
		{"absent key of the user's profile", map[string]string{
			"proc/sys/kernel/osrelease": "5.14.0\n",
		}, "sysctl/net.core.netdev_max_backlog", engine.Fail, "not present on this kernel", remediate.Manual},
		{"directory where a value should be", map[string]string{
			"proc/sys/net/core/netdev_max_backlog/x": "1\n",
		}, "sysctl/net.core.netdev_max_backlog", engine.Error, "not a regular file", ""},
		{"empty value", map[string]string{
			"proc/sys/net/core/netdev_max_backlog": "",
		}, "sysctl/net.core.netdev_max_backlog", engine.Error, "empty value", ""},
		{"image without /proc judged by boot value", map[string]string{
			"etc/sysctl.d/60-app.conf": "net.core.netdev_max_backlog = 5000\n",
		}, "sysctl/net.core.netdev_max_backlog", engine.Pass, "image", ""},
		{"image with a bad boot value", map[string]string{
			"etc/sysctl.d/60-app.conf": "net.core.netdev_max_backlog = 10\n",
		}, "sysctl/net.core.netdev_max_backlog", engine.Fail, "image: a boot applies 10", remediate.SysctlSet},
		{"words where numbers are expected", map[string]string{
			"proc/sys/net/core/netdev_max_backlog": "lots\n",
		}, "sysctl/net.core.netdev_max_backlog", engine.Error, "not a number", ""},
		{"!= has no value to suggest", map[string]string{
			"proc/sys/kernel/core_pattern": "core\n",
		}, "sysctl/kernel.core_pattern", engine.Fail, "not persisted", remediate.Manual},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runOne(t, p, mkroot(t, c.files), c.id)
			if r.Status != c.status || !strings.Contains(r.Message, c.message) {
				t.Fatalf("status %s %q; want %s containing %q (observed %q)", r.Status, r.Message, c.status, c.message, r.Observed)
			}
			switch {
			case c.action == "" && r.Remediation != nil:
				t.Errorf("unexpected remediation %+v", r.Remediation)
			case c.action != "" && (r.Remediation == nil || r.Remediation.Actions[0].Kind != c.action):
				t.Errorf("remediation %+v, want first action %s", r.Remediation, c.action)
			}
		})
	}
}

func TestRemediationRaisesFieldsWithoutLoweringAny(t *testing.T) {
	p := testProfile(t, judgeProfile)
	h := mkroot(t, map[string]string{"proc/sys/net/ipv4/tcp_rmem": "4096\t131072\t6291456\n"})
	r := runOne(t, p, h, "sysctl/net.ipv4.tcp_rmem")
	if r.Status != engine.Fail {
		t.Fatalf("status %s", r.Status)
	}
	if r.Observed != "4096 131072 6291456 (not persisted)" {
		t.Errorf("observed %q: tabs must become spaces", r.Observed)
	}
	a := r.Remediation.Actions[0]
	if a.Kind != remediate.SysctlSet || a.Key != "net.ipv4.tcp_rmem" || a.Value != "4096 131072 134217728" {
		t.Errorf("action %+v: the default middle field 131072 must not be lowered to 87380", a)
	}
}

func TestLongValuesAreReadWhole(t *testing.T) {
	long := "|/usr/share/apport/apport -p%p -s%s -c%c -d%d -P%P -u%u -g%g -- %E " + strings.Repeat("x", 300)
	p := testProfile(t, "sysctl:\n  kernel.core_pattern: \"!= core\"\n")
	r := runOne(t, p, mkroot(t, map[string]string{"proc/sys/kernel/core_pattern": long + "\n"}), "sysctl/kernel.core_pattern")
	if got := r.Details["runtime"]; got != long {
		t.Errorf("runtime truncated: %d bytes, want %d", len(got.(string)), len(long))
	}
}

func TestBadSysctlNamesAreProfileErrors(t *testing.T) {
	for _, key := range []string{`"net.*.x"`, `"a..b"`, `"has space"`} {
		p := testProfile(t, "sysctl:\n  "+key+": \"1\"\n")
		if _, err := build(p.Section(kind), p); err == nil || !strings.Contains(err.Error(), "p.yaml:2") {
			t.Errorf("%s: err = %v, want a profile error at p.yaml:2", key, err)
		}
	}
}
