package sysctl

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

// rootResults runs the sysctl checks of the profile auto-detected for a
// fixture root (testdata/roots/README.md documents the expected verdicts).
func rootResults(t *testing.T, root, config string) map[string]engine.Result {
	t.Helper()
	h, err := host.New("../../testdata/roots/" + root)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := h.OSRelease()
	p, err := profile.Resolve(profile.Request{OS: rel, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
	m := map[string]engine.Result{}
	for _, r := range out.Results {
		m[strings.TrimPrefix(r.ID, kind+"/")] = r
	}
	return m
}

func TestFixtureRootVerdicts(t *testing.T) {
	want := map[string]map[string]string{
		"centos-7": {
			"net.core.somaxconn": "pass", "net.ipv4.tcp_max_syn_backlog": "pass",
			"net.core.netdev_max_backlog": "warn reverts", "net.core.rmem_max": "warn", "net.core.wmem_max": "warn",
			"net.ipv4.tcp_rmem": "warn", "net.ipv4.tcp_wmem": "warn", "net.ipv4.tcp_tw_reuse": "pass",
			"fs.file-max": "fail not applied", "fs.nr_open": "pass",
		},
		"ubuntu-22.04": {
			"net.core.somaxconn": "fail not applied", "net.ipv4.tcp_max_syn_backlog": "pass",
			"net.core.netdev_max_backlog": "warn reverts", "net.core.rmem_max": "pass", "net.core.wmem_max": "pass",
			"net.ipv4.tcp_rmem": "warn", "net.ipv4.tcp_wmem": "warn /run is cleared", "net.ipv4.tcp_tw_reuse": "pass",
			"fs.file-max": "pass", "fs.nr_open": "pass",
		},
		"rocky-9": {
			"net.core.somaxconn": "pass", "net.ipv4.tcp_max_syn_backlog": "fail not applied",
			"net.core.netdev_max_backlog": "warn", "net.core.rmem_max": "warn", "net.core.wmem_max": "pass",
			"net.ipv4.tcp_rmem": "pass", "net.ipv4.tcp_wmem": "warn reverts", "net.ipv4.tcp_tw_reuse": "pass",
			"fs.file-max": "pass", "fs.nr_open": "pass",
		},
		"broken": {
			"net.core.somaxconn": "error not a regular file", "net.ipv4.tcp_max_syn_backlog": "skip not present",
			"net.core.netdev_max_backlog": "warn", "net.core.rmem_max": "error empty", "net.core.wmem_max": "warn",
			"net.ipv4.tcp_rmem": "pass", "net.ipv4.tcp_wmem": "warn", "net.ipv4.tcp_tw_reuse": "pass",
			"fs.file-max": "pass", "fs.nr_open": "pass",
		},
	}
	for root, keys := range want {
		t.Run(root, func(t *testing.T) {
			got := rootResults(t, root, "")
			if len(got) != len(keys) {
				t.Errorf("%d sysctl checks, want %d", len(got), len(keys))
			}
			for key, w := range keys {
				status, words, _ := strings.Cut(w, " ")
				r, ok := got[key]
				if !ok {
					t.Errorf("%s: not checked", key)
					continue
				}
				if string(r.Status) != status || !strings.Contains(r.Message, words) {
					t.Errorf("%s: %s %q (observed %q), want %s mentioning %q", key, r.Status, r.Message, r.Observed, status, words)
				}
			}
		})
	}
}

func TestBrokenRootReportsUnreadableConfig(t *testing.T) {
	r := rootResults(t, "broken", "")["net.core.wmem_max"]
	probs, _ := r.Details["config_problems"].([]string)
	if len(probs) == 0 || !strings.Contains(strings.Join(probs, "\n"), "50-loop.conf") {
		t.Errorf("config_problems = %v: the symlink loop must be named", probs)
	}
	if r.Details["persisted"] != nil {
		t.Errorf("wmem_max persisted = %v: its only file is masked by /dev/null", r.Details["persisted"])
	}
}

func TestOverrideNamesTheWinningFile(t *testing.T) {
	r := rootResults(t, "rocky-9", "")["net.core.somaxconn"]
	if r.Details["persisted_file"] != "/etc/sysctl.d/60-goservice.conf:"+lineOf(t, "rocky-9", "/etc/sysctl.d/60-goservice.conf", "net.core.somaxconn") {
		t.Errorf("persisted_file = %v", r.Details["persisted_file"])
	}
}

func lineOf(t *testing.T, root, file, key string) string {
	t.Helper()
	h, err := host.New("../../testdata/roots/" + root)
	if err != nil {
		t.Fatal(err)
	}
	data, err := h.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ParseFile(file, data) {
		if a.Key == key {
			return strconv.Itoa(a.Line)
		}
	}
	t.Fatalf("%s not in %s", key, file)
	return ""
}

// TestFixtureRootBootSources: what the fixture roots say about boot-time
// setters other than sysctl.d (testdata/roots/README.md).
func TestFixtureRootBootSources(t *testing.T) {
	type want struct {
		systemd        bool
		version        int
		tuned          string // active profile, "" none
		swappiness     string // what tuned sets
		fileMax, nrOpn string // boot_value of fs.file-max / fs.nr_open, "" unknown
		fileMaxSource  string
	}
	for root, w := range map[string]want{
		"centos-7":     {systemd: true, version: 0, tuned: "virtual-guest", swappiness: "30", fileMax: "2097152", nrOpn: "1048576", fileMaxSource: sourceSysctlD},
		"rocky-9":      {systemd: true, version: 252, tuned: "virtual-guest", swappiness: "30", fileMax: "9223372036854775807", nrOpn: "1073741816", fileMaxSource: sourceSystemd},
		"ubuntu-22.04": {systemd: true, version: 249, fileMax: "9223372036854775807", nrOpn: "1048576", fileMaxSource: sourceSystemd},
		"ubuntu-20.04": {systemd: true, version: 245, fileMax: "9223372036854775807", nrOpn: "1048576", fileMaxSource: sourceSystemd},
		// Ubuntu's systemd is built not to raise fs.nr_open (facts.systemd_bumps_nr_open).
		// noble keeps the library in the multiarch directory (libsystemd-shared package).
		"ubuntu-24.04": {systemd: true, version: 255, fileMax: "9223372036854775807", nrOpn: "1048576", fileMaxSource: sourceSystemd},
		"broken":       {systemd: false, fileMax: "2097152", nrOpn: "1048576", fileMaxSource: sourceSysctlD},
		// Stock roots. systemd 239 (RHEL 8) and 219 (Amazon Linux 2) do not
		// raise fs.file-max / fs.nr_open: the kernel's values stand (the
		// runtime value, within the ~10% of MemTotal the kernel computes,
		// and 1024*1024). 219 predates libsystemd-shared, so its version is
		// unknown (and no bump is modelled, as for centos-7).
		"rhel-8":            {systemd: true, version: 239, tuned: "virtual-guest", swappiness: "30", fileMax: "785426", nrOpn: "1048576", fileMaxSource: sourceKernelDefault},
		"amazon-linux-2":    {systemd: true, version: 0, fileMax: "391955", nrOpn: "1048576", fileMaxSource: sourceKernelDefault},
		"amazon-linux-2023": {systemd: true, version: 252, fileMax: "9223372036854775807", nrOpn: "1073741816", fileMaxSource: sourceSystemd},
	} {
		t.Run(root, func(t *testing.T) {
			h, err := host.New("../../testdata/roots/" + root)
			if err != nil {
				t.Fatal(err)
			}
			b := loadBootSources(h)
			if b.systemd.pid1 != w.systemd || b.systemd.version != w.version {
				t.Errorf("systemd %+v, want PID1 %v version %d", b.systemd, w.systemd, w.version)
			}
			switch {
			case w.tuned == "" && b.tuned != nil:
				t.Errorf("tuned %+v, want none", b.tuned)
			case w.tuned != "" && (b.tuned == nil || strings.Join(b.tuned.active, " ") != w.tuned || !b.tuned.enabled || !b.tuned.reapply || b.tuned.sysctl["vm.swappiness"].value != w.swappiness):
				t.Errorf("tuned %+v, want %s enabled, reapplying, swappiness %s", b.tuned, w.tuned, w.swappiness)
			}
			got := rootResults(t, root, "")
			if fm := got["fs.file-max"].Details; fm["boot_value"] != w.fileMax || fm["boot_source"] != w.fileMaxSource {
				t.Errorf("fs.file-max boot %v from %v, want %s from %s", fm["boot_value"], fm["boot_source"], w.fileMax, w.fileMaxSource)
			}
			if no := got["fs.nr_open"].Details; no["boot_value"] != w.nrOpn {
				t.Errorf("fs.nr_open boot %v (%v), want %s", no["boot_value"], no["boot_from"], w.nrOpn)
			}
		})
	}
}
