package sysctl

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// The stock Debian roots (testdata/roots/README.md, "debian-11/12/13"):
// nothing is persisted, so every key is judged on its boot value, and the
// only misses are the seeds' tuning.
func TestDebianStockRootVerdicts(t *testing.T) {
	tuning := map[string]string{
		"net.core.somaxconn": "fail the kernel default is 4096", "net.ipv4.tcp_max_syn_backlog": "fail not persisted",
		"net.core.netdev_max_backlog": "warn the kernel default is 1000", "net.core.rmem_max": "warn the kernel default is 212992",
		"net.core.wmem_max": "warn the kernel default is 212992", "net.ipv4.tcp_rmem": "warn not persisted",
		"net.ipv4.tcp_wmem": "warn not persisted", "net.ipv4.tcp_tw_reuse": "pass kernel default",
		"fs.file-max": "pass systemd",
	}
	nrOpen := map[string]string{
		// Debian's systemd 240-2..256 leaves fs.nr_open alone.
		"debian-11": "pass the kernel default", "debian-12": "pass the kernel default",
		// 256~rc3-3 restored the bump.
		"debian-13": "pass systemd 257 (PID 1) raises it",
	}
	for root, nr := range nrOpen {
		t.Run(root, func(t *testing.T) {
			got := rootResults(t, root, "")
			want := map[string]string{"fs.nr_open": nr}
			for k, v := range tuning {
				want[k] = v
			}
			if len(got) != len(want) {
				t.Errorf("%d sysctl checks, want %d", len(got), len(want))
			}
			for key, w := range want {
				status, words, _ := strings.Cut(w, " ")
				r := got[key]
				if string(r.Status) != status || !strings.Contains(r.Message, words) {
					t.Errorf("%s: %s %q, want %s mentioning %q", key, r.Status, r.Message, status, words)
				}
				if r.Status != "pass" && (r.Remediation == nil || len(r.Remediation.Actions) == 0) {
					t.Errorf("%s: %s without a remediation", key, r.Status)
				}
			}
		})
	}
}

// facts.systemd_bumps_nr_open: false (Debian 10-12) keeps systemd >= 240
// from raising fs.nr_open in golive's boot model; unset or true, it does.
func TestSystemdBumpsNrOpenFact(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "golive.yaml")
	if err := os.WriteFile(cfg, []byte("facts: {systemd_bumps_nr_open: true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	off := rootResults(t, "debian-12", "")["fs.nr_open"]
	on := rootResults(t, "debian-12", cfg)["fs.nr_open"]
	if off.Details["boot_value"] != "1048576" || off.Details["boot_source"] != sourceKernelDefault {
		t.Errorf("debian-12: boot %v from %v, want the kernel's 1048576", off.Details["boot_value"], off.Details["boot_source"])
	}
	if on.Details["boot_value"] != "1073741816" || on.Details["boot_source"] != sourceSystemd {
		t.Errorf("debian-12 with the bump: boot %v from %v, want systemd's 1073741816", on.Details["boot_value"], on.Details["boot_source"])
	}
	sd := systemdInit{pid1: true, version: 252}
	if _, ok, _ := systemdBump("fs.nr_open", sd, kv(6, 1), true, "x86_64", 1048576, true); !ok {
		t.Error("systemd 252 raises fs.nr_open upstream")
	}
	sd.noNrOpenBump = true
	if _, ok, _ := systemdBump("fs.nr_open", sd, kv(6, 1), true, "x86_64", 1048576, true); ok {
		t.Error("NoNrOpenBump: fs.nr_open must stay")
	}
	if v, ok, _ := systemdBump("fs.file-max", sd, kv(6, 1), true, "x86_64", 0, false); !ok || v != 1<<63-1 {
		t.Errorf("NoNrOpenBump must not touch fs.file-max: %d %v", v, ok)
	}
}

// Debian 13 ships neither /etc/sysctl.conf (procps 2:4.0.4) nor systemd's
// 99-sysctl.conf link to it: a value an admin still writes there out of
// habit is not read at boot, and golive must say "reverts", not "persisted".
func TestDebian13SysctlConfIsNotReadAtBoot(t *testing.T) {
	files := map[string]string{
		"usr/lib/os-release":               "ID=debian\nVERSION_ID=\"13\"\n",
		"etc/os-release":                   "->../usr/lib/os-release",
		"proc/sys/kernel/osrelease":        "6.12.117+deb13-amd64\n",
		"proc/sys/net/core/somaxconn":      "65535\n",
		"etc/sysctl.conf":                  "net.core.somaxconn = 65535\n",
		"usr/lib/sysctl.d/50-pid-max.conf": "kernel.pid_max = 4194304\n",
	}
	h := mkroot(t, files)
	rel, _ := h.OSRelease()
	p, err := profile.Resolve(profile.Request{OS: rel})
	if err != nil || p.Name != "debian-13" {
		t.Fatalf("profile %v, %v", p, err)
	}
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range engine.Run(context.Background(), h, checks, engine.RunOptions{}).Results {
		if r.ID != kind+"/net.core.somaxconn" {
			continue
		}
		if r.Status != engine.Warn || !strings.Contains(r.Message, "reverts on reboot") || r.Details["persisted"] != nil {
			t.Errorf("somaxconn: %s %q persisted=%v, want warn: reverts (sysctl.conf unread)", r.Status, r.Message, r.Details["persisted"])
		}
		return
	}
	t.Fatal("somaxconn not checked")
}
