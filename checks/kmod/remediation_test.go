package kmod

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/testenv"
)

// TestRemediationLoadsAtBoot renders the boot check's fix into the bash
// script golive remediate writes, runs it with ROOT= on a copy-like root
// (modprobe is listed for the booted system, not run), and checks again:
// the module now loads at boot, and a second run changes nothing.
func TestRemediationLoadsAtBoot(t *testing.T) {
	bash := testenv.NeedCommand(t, "bash", "bash")
	h := hosttest.Root(t, map[string]string{
		"etc/os-release":                        "ID=golive-test\n",
		"usr/lib/modules-load.d/other.conf":     "overlay\n", // no /etc/modules-load.d: the fix makes it
		"etc/modprobe.d/x.conf":                 "blacklist floppy\n",
		"usr/lib/modules/6.1.0/modules.builtin": "kernel/net/unix/unix.ko\n",
	})
	p := profiletest.Detected(t, h, "extends: none\nkmod:\n  br-netfilter: {}\n")
	run := func(h *host.Host) engine.Result {
		for _, r := range engine.Run(context.Background(), h, mustBuild(t, p), engine.RunOptions{}).Results {
			if r.ID == "kmod/boot:br-netfilter" {
				return r
			}
		}
		t.Fatal("not run")
		return engine.Result{}
	}
	r := run(h)
	if r.Status != engine.Fail || r.Remediation == nil {
		t.Fatalf("%s %q", r.Status, r.Message)
	}
	var script strings.Builder
	now := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	if err := remediate.Bash(&script, remediate.Input{
		Tool: "golive test", Host: "h", Distro: "test", Root: h.Root(), Profile: "p", CheckedAt: now, GeneratedAt: now,
		Guard: remediate.Guard{Distro: "test", Rules: []remediate.GuardRule{{ID: "golive-test"}}},
		Fixes: []remediate.Fix{{CheckID: r.ID, Status: string(r.Status), Plan: *r.Remediation}},
	}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		cmd := exec.Command(bash, "-c", script.String())
		cmd.Env = append(os.Environ(), "ROOT="+h.Root())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("remediation: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "skipped under ROOT: run on the booted system: modprobe br-netfilter") {
			t.Errorf("modprobe not listed for the booted system:\n%s", out)
		}
		if i == 1 && !strings.Contains(string(out), "unchanged") {
			t.Errorf("second run changed something:\n%s", out)
		}
	}
	h2, err := host.New(h.Root())
	if err != nil {
		t.Fatal(err)
	}
	if r := run(h2); r.Status != engine.Pass || !strings.Contains(r.Message, "/etc/modules-load.d/golive-br-netfilter.conf:1") {
		t.Errorf("after the fix: %s %q", r.Status, r.Message)
	}
}
