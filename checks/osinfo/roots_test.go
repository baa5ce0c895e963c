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
