package osinfo

import (
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
