package harden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
)

const serviceYAML = "service:\n  unit: goservice.service\n  binaries: [/opt/goservice/bin/goservice]\nharden:\n  lockdown: integrity\n  audit:\n    paths: {/etc/goservice: wa}\n"

// TestFixtureRoots: what each stock root's files say with a service
// profile on top of the detected distro's. centos-7 and rocky-9 ship
// auditd enabled with the stock rules.d/audit.rules (no watch), ubuntu
// 22.04 has no auditd; broken's auditd watches identity files only and its
// core_pattern names a directory that does not exist.
func TestFixtureRoots(t *testing.T) {
	cases := map[string]struct {
		audit, coredump, lockdown engine.Status
		auditd, place             string
	}{
		"centos-7":     {engine.Warn, engine.Warn, engine.Fail, "enabled", placeNowhere},
		"rocky-9":      {engine.Warn, engine.Pass, engine.Fail, "enabled", placeBounded},
		"ubuntu-22.04": {engine.Warn, engine.Warn, engine.Fail, "not-installed", placeNowhere},
		"broken":       {engine.Warn, engine.Warn, engine.Fail, "enabled", placeNowhere},
	}
	for root, c := range cases {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			p := profiletest.Detected(t, h, serviceYAML)
			rs := run(t, p, h)
			a := rs["harden/audit:/etc/goservice"]
			if a.Status != c.audit || a.Details["auditd"] != c.auditd {
				t.Errorf("audit: %s, auditd %v: %q", a.Status, a.Details["auditd"], a.Message)
			}
			cd := rs["harden/coredump"]
			if cd.Status != c.coredump || cd.Details["place"] != c.place {
				t.Errorf("coredump: %s, %v: %q", cd.Status, cd.Details["place"], cd.Message)
			}
			if l := rs["harden/lockdown"]; l.Status != c.lockdown {
				t.Errorf("lockdown: %s %q", l.Status, l.Message)
			}
		})
	}
	// The RHEL family's profiles ask for the binary's watch; Ubuntu's do not.
	for root, want := range map[string]bool{"rocky-9": true, "centos-7": true, "ubuntu-22.04": false} {
		h := hosttest.Fixture(t, root)
		p := profiletest.Detected(t, h, serviceYAML)
		if _, ok := run(t, p, h)["harden/audit:/opt/goservice/bin/goservice"]; ok != want {
			t.Errorf("%s: harden/audit of the binary planned %v, want %v", root, ok, want)
		}
	}
}

// TestRemediationClears applies the audit fix's files to a copy of the
// rocky-9 root, then runs augenrules' merge again through the check: the
// watch it wrote is found.
func TestRemediationClears(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "roots", "rocky-9")
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	h, err := host.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := profiletest.Detected(t, h, serviceYAML)
	before := run(t, p, h)
	fixed := 0
	for _, id := range []string{"harden/audit:/opt/goservice/bin/goservice", "harden/audit:/etc/goservice"} {
		r := before[id]
		if r.Status == engine.Pass || r.Remediation == nil {
			t.Fatalf("%s: %s with no fix", id, r.Status)
		}
		for _, a := range r.Remediation.Actions {
			if a.Kind != remediate.DropIn {
				continue
			}
			if !strings.HasPrefix(a.Path, rulesDir+"/golive-") {
				t.Errorf("%s writes %s", id, a.Path)
			}
			if err := os.WriteFile(filepath.Join(dir, a.Path), []byte(a.Content), 0o640); err != nil {
				t.Fatal(err)
			}
			fixed++
		}
	}
	if fixed != 2 {
		t.Fatalf("%d drop-ins", fixed)
	}
	h2, err := host.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	after := run(t, p, h2)
	for _, id := range []string{"harden/audit:/opt/goservice/bin/goservice", "harden/audit:/etc/goservice"} {
		if r := after[id]; r.Status != engine.Pass {
			t.Errorf("%s after the fix: %s %q", id, r.Status, r.Message)
		}
	}
}
