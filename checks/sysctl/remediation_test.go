package sysctl

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/testenv"
)

// TestRemediationWinsAtBoot applies the check's own remediation (the bash
// script golive remediate renders, run with ROOT= on a copy of the case)
// and resolves the boot value again: wherever golive writes the fix, the
// model must say a boot applies it — 90-golive.conf where nothing later
// overrides it, the winning file's own line where a later file (a 99-*
// file, or /etc/sysctl.conf through its 99-sysctl.conf link) would.
func TestRemediationWinsAtBoot(t *testing.T) {
	bash := testenv.NeedCommand(t, "bash", "bash")
	p := testProfile(t, "sysctl:\n  net.core.somaxconn: \">= 65535\"\n")
	const key = "net.core.somaxconn"
	cases := []struct {
		name  string
		files map[string]string
		file  string // where the fixed value must come from
	}{
		{"nothing persisted", map[string]string{}, remediate.SysctlDropIn},
		{"an earlier file", map[string]string{"etc/sysctl.d/60-app.conf": key + " = 128\n"}, remediate.SysctlDropIn},
		{"a later file", map[string]string{"etc/sysctl.d/99-z.conf": key + " = 128\n"}, "/etc/sysctl.d/99-z.conf"},
		{"sysctl.conf through its link", map[string]string{
			"etc/sysctl.conf":             key + " = 128\n",
			"etc/sysctl.d/99-sysctl.conf": "->../sysctl.conf",
		}, sysctlConf},
		{"sysctl.conf through an absolute link", map[string]string{
			"etc/sysctl.conf":             key + " = 128\n",
			"etc/sysctl.d/99-sysctl.conf": "->/etc/sysctl.conf",
		}, sysctlConf},
		{"sysctl.conf without a link is not read", map[string]string{
			"etc/sysctl.conf": key + " = 128\n",
		}, remediate.SysctlDropIn},
		// the glob stays; the key's own line, added to the glob's file, beats it
		{"a later glob", map[string]string{"etc/sysctl.d/99-z.conf": "net.core.* = 128\n"}, "/etc/sysctl.d/99-z.conf"},
		// "-key" in a later file drops golive's drop-in too: the key's line
		// goes after it, in that file
		{"a later -key", map[string]string{
			"etc/sysctl.d/60-app.conf": key + " = 128\n",
			"etc/sysctl.d/99-z.conf":   "-" + key + "\n",
		}, "/etc/sysctl.d/99-z.conf"},
		{"an earlier -key", map[string]string{"etc/sysctl.d/10-a.conf": "-" + key + "\n"}, remediate.SysctlDropIn},
		// a link that sorts before the drop-in places sysctl.conf before it
		{"sysctl.conf through an early link", map[string]string{
			"etc/sysctl.conf":             key + " = 128\n",
			"etc/sysctl.d/10-sysctl.conf": "->../sysctl.conf",
		}, remediate.SysctlDropIn},
		{"a path-form spelling in a later file", map[string]string{"etc/sysctl.d/99-z.conf": "net/core//somaxconn = 128\n"}, "/etc/sysctl.d/99-z.conf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"etc/os-release": "ID=golive-test\n", "proc/sys/net/core/somaxconn": "128\n"}
			for k, v := range c.files {
				files[k] = v
			}
			h := mkroot(t, files)
			r := runOne(t, p, h, "sysctl/"+key)
			if r.Status != engine.Fail || r.Remediation == nil {
				t.Fatalf("status %s %q, remediation %v", r.Status, r.Message, r.Remediation)
			}
			var script strings.Builder
			now := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
			err := remediate.Bash(&script, remediate.Input{
				Tool: "golive test", Host: "h", Distro: "test", Root: h.Root(), Profile: "p",
				CheckedAt: now, GeneratedAt: now,
				Guard: remediate.Guard{Distro: "test", Rules: []remediate.GuardRule{{ID: "golive-test"}}},
				Fixes: []remediate.Fix{{CheckID: r.ID, Status: string(r.Status), Plan: *r.Remediation}},
			})
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bash, "-c", script.String())
			cmd.Env = append(os.Environ(), "ROOT="+h.Root())
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("remediation: %v\n%s", err, out)
			}
			cfg, err := readConfig(h)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := cfg.resolve(key)
			if !ok || got.value != "65535" || got.file != c.file {
				t.Errorf("after remediation a boot applies %+v (%v); want 65535 from %s", got, ok, c.file)
			}
		})
	}
}
