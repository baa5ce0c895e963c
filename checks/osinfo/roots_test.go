package osinfo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
)

func fixture(t *testing.T, root string) *host.Host {
	t.Helper()
	return hosttest.Fixture(t, root, host.WithClock(func() time.Time { return testNow }))
}

func TestFixtureRoots(t *testing.T) {
	cases := []struct {
		root, profile                 string
		distro, eol, kernel, eolWords string
	}{
		{"centos-7", "centos-7", "pass", "fail", "pass", "2024-06-30"},
		{"ubuntu-22.04", "ubuntu-22.04", "pass", "pass", "pass", "2027-06-01"},
		{"ubuntu-20.04", "ubuntu-20.04", "pass", "fail", "pass", "2025-05-29"},
		{"ubuntu-24.04", "ubuntu-24.04", "pass", "pass", "pass", "2029-05-31"},
		{"rocky-9", "rocky-9", "pass", "pass", "pass", "2032-05-31"},
		{"broken", "linux", "warn", "skip", "error", ""},
		{"rhel-8", "rhel-8", "pass", "pass", "pass", "2029-05-31"},
		{"amazon-linux-2", "amazon-linux-2", "pass", "fail", "pass", "2026-06-30"},
		{"amazon-linux-2023", "amazon-linux-2023", "pass", "pass", "pass", "2029-06-30"},
	}
	for _, c := range cases {
		t.Run(c.root, func(t *testing.T) {
			h := fixture(t, c.root)
			rel, _ := h.OSRelease()
			p := resolve(t, profile.Request{OS: rel}, "")
			if p.Name != c.profile {
				t.Fatalf("profile %s, want %s", p.Name, c.profile)
			}
			got := results(t, p, h)
			for id, want := range map[string]string{"os/distro": c.distro, "os/eol": c.eol, "os/kernel": c.kernel} {
				if r := got[id]; string(r.Status) != want {
					t.Errorf("%s: %s %q %q, want %s", id, r.Status, r.Observed, r.Message, want)
				}
			}
			if !strings.Contains(got["os/eol"].Observed, c.eolWords) {
				t.Errorf("os/eol observed %q, want the date %s", got["os/eol"].Observed, c.eolWords)
			}
		})
	}
}

// A stock Ubuntu 20.04 is past standard support (2025-05-29): os/eol fails
// and says how to pass — Ubuntu Pro ESM, declared with
// facts.extended_support — and then passes until ESM ends (2030-04-23).
func TestUbuntu2004StockRootNeedsESM(t *testing.T) {
	h := fixture(t, "ubuntu-20.04")
	rel, _ := h.OSRelease()
	r := results(t, resolve(t, profile.Request{OS: rel}, ""), h)["os/eol"]
	if r.Status != engine.Fail || !strings.Contains(r.Message, "without Ubuntu Pro ESM (until 2030-04-23)") {
		t.Fatalf("not entitled: %s %q, want fail naming Ubuntu Pro ESM", r.Status, r.Message)
	}
	steps := ""
	if r.Remediation != nil {
		for _, a := range r.Remediation.Actions {
			steps += a.Text + "\n"
		}
	}
	if !strings.Contains(steps, "facts.extended_support: true") || !strings.Contains(steps, "supported distro release") {
		t.Errorf("remediation %q: want the migration and the facts.extended_support step", steps)
	}
	r = results(t, resolve(t, profile.Request{OS: rel}, "extends: ubuntu-20.04\nfacts: {extended_support: true}\n"), h)["os/eol"]
	if r.Status != engine.Pass || !strings.Contains(r.Observed, "Ubuntu Pro ESM until 2030-04-23") {
		t.Errorf("entitled: %s %q %q, want pass until 2030-04-23", r.Status, r.Observed, r.Message)
	}
}

func TestBrokenRootNamesMalformedOSRelease(t *testing.T) {
	h := fixture(t, "broken")
	rel, _ := h.OSRelease()
	r := results(t, resolve(t, profile.Request{OS: rel}, ""), h)["os/distro"]
	if !strings.Contains(r.Message, "malformed line") || !strings.Contains(r.Message, "no built-in profile matches") {
		t.Errorf("message %q", r.Message)
	}
}

func TestChosenProfileThatDoesNotFitTheHostWarns(t *testing.T) {
	h := fixture(t, "rocky-9")
	rel, _ := h.OSRelease()
	r := results(t, resolve(t, profile.Request{OS: rel, Profile: "centos-7"}, ""), h)["os/distro"]
	if r.Status != engine.Warn || !strings.Contains(r.Message, "looks like rocky-9") {
		t.Errorf("%s %q", r.Status, r.Message)
	}
}

// The RHEL 8/9 rebuilds and CentOS releases resolve to a profile whose end of
// life is their own: CentOS Linux 8 / Stream 8 and Stream 9 end before RHEL's
// maintenance support, and RHEL's Extended Life Cycle Support is no
// entitlement a CentOS host can hold. The texts are the real os-release
// files of internal/profile/testdata/os-release.
func TestRHELFamilyLifeCycles(t *testing.T) {
	cases := []struct {
		text, profile string
		eol           engine.Status // at testNow (2026-11-21)
		extended      engine.Status // with facts.extended_support: true
		date          string
	}{
		{"rhel-8/rhel-8.7", "rhel-8", engine.Pass, engine.Pass, "2029-05-31"},
		{"rhel-8/rocky-8.10", "rhel-8", engine.Pass, engine.Pass, "2029-05-31"},
		{"rhel-8/almalinux-8.10", "rhel-8", engine.Pass, engine.Pass, "2029-05-31"},
		{"rhel-8/ol-8.10", "rhel-8", engine.Pass, engine.Pass, "2029-05-31"},
		{"centos-8/centos-linux-8", "centos-8", engine.Fail, engine.Fail, "2024-05-31"},
		{"centos-8/centos-stream-8", "centos-8", engine.Fail, engine.Fail, "2024-05-31"},
		{"centos-stream-9/centos-stream-9", "centos-stream-9", engine.Pass, engine.Pass, "2027-05-31"},
		{"rocky-9/ol-9.2", "rocky-9", engine.Pass, engine.Pass, "2032-05-31"},
		{"amazon-linux-2/amzn-2", "amazon-linux-2", engine.Fail, engine.Fail, "2026-06-30"},
		{"amazon-linux-2023/amzn-2023", "amazon-linux-2023", engine.Pass, engine.Pass, "2029-06-30"},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "..", "internal", "profile", "testdata", "os-release", filepath.FromSlash(c.text)))
			if err != nil {
				t.Fatal(err)
			}
			h := mkroot(t, map[string]string{"etc/os-release": string(data)})
			rel, _ := h.OSRelease()
			p := resolve(t, profile.Request{OS: rel}, "")
			if p.Name != c.profile {
				t.Fatalf("profile %s, want %s", p.Name, c.profile)
			}
			if r := results(t, p, h)["os/eol"]; r.Status != c.eol || !strings.Contains(r.Observed+r.Expected, c.date) {
				t.Errorf("os/eol %s (%q, expected %q), want %s naming %s", r.Status, r.Observed, r.Expected, c.eol, c.date)
			}
			entitled := resolve(t, profile.Request{OS: rel}, "extends: auto\nfacts: {extended_support: true}\n")
			if r := results(t, entitled, h)["os/eol"]; r.Status != c.extended {
				t.Errorf("entitled: os/eol %s (%q), want %s", r.Status, r.Message, c.extended)
			}
		})
	}
}
