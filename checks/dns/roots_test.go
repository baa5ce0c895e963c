package dns

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/report"
)

// serviceConfig is a service's golive.yaml on top of the detected distro.
const serviceConfig = "extends: auto\ndns:\n  names: [db1.internal.example.com, localhost]\n  reverse: [10.0.0.5]\n"

// rootRun plans the dns checks for a fixture root as `golive check
// --root` would (profile detected from os-release) and runs them with
// --offline: the fixtures name 10.0.0.x nameservers, which tests must
// never query.
func rootRun(t *testing.T, root string) (*host.Host, *profile.Profile, engine.Outcome) {
	t.Helper()
	h := hosttest.Fixture(t, root)
	rel, _ := h.OSRelease()
	cfg := filepath.Join(t.TempDir(), "golive.yaml")
	if err := os.WriteFile(cfg, []byte(serviceConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Resolve(profile.Request{OS: rel, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), h, expand(h, mustBuild(t, p)), engine.RunOptions{Offline: true})
	return h, p, out
}

func TestFixtureRoots(t *testing.T) {
	cases := []struct {
		root, profile string
		config        string   // dns/config status
		words         []string // in its message
		nameservers   string   // the dns/nameserver checks planned for the root
		details       map[string]any
	}{
		{"centos-7", "centos-7", "warn", []string{"can block 20 s", "(5 s + 5 s) per attempt × 2 attempts = 20 s"},
			"dns/nameserver:10.0.0.2 dns/nameserver:10.0.0.3",
			map[string]any{"search": []string{"corp.example.com"}, "nsswitch_hosts": "files dns myhostname", "stub": false}},
		{"rocky-9", "rocky-9", "warn", []string{"can block 20 s"},
			"dns/nameserver:10.0.0.2 dns/nameserver:10.0.0.3",
			map[string]any{"search": []string{"corp.example.com"}, "nsswitch_hosts": "files dns myhostname", "stub": false}},
		{"ubuntu-22.04", "ubuntu-22.04", "pass", []string{"glibc uses 1 nameserver(s); a lookup gives up after at most 10 s"},
			"dns/nameserver:10.0.0.2 dns/nameserver:10.0.0.3",
			map[string]any{"stub": true, "in_use": []string{"127.0.0.53"}, "upstreams": []string{"10.0.0.2", "10.0.0.3"},
				"options": []string{"edns0", "trust-ad"}, "nsswitch_hosts": "files mdns4_minimal [NOTFOUND=return] dns"}},
		{"broken", "linux", "warn", []string{
			"6 nameservers, more than max_nameservers (3)", "10.0.0.7 (line 9), fe80::53%eth0 (line 10), 10.0.0.8 (line 11) never asked",
			`line 4: nameserver "10.0.0.999" is not an IPv4 or IPv6 address`, `line 5: "nameservers 10.0.0.4" is not a resolv.conf keyword line`,
			`line 6: "nameserver 10.0.0.5" starts with whitespace`, `unknown option "bogus-option"`,
			"ndots:15 with a search list", "can block 135 s", "(5 s + 3 s + 6 s) per attempt × 5 attempts = 70 s", "5 s × 3 nameservers × 9 attempts = 135 s",
			"/etc/hosts: line 3"},
			"dns/nameserver:10.0.0.2 dns/nameserver:10.0.0.3 dns/nameserver:10.0.0.6",
			map[string]any{"search": []string{"corp.example.com", "example.com"}, "ndots": 15, "attempts": 5, "rotate": true,
				"in_use": []string{"10.0.0.2", "10.0.0.3", "10.0.0.6"}, "ignored": []string{"10.0.0.7", "fe80::53%eth0", "10.0.0.8"},
				"nsswitch_hosts": "files dns"}}, // "hosts files dns": glibc needs no colon
	}
	for _, c := range cases {
		t.Run(c.root, func(t *testing.T) {
			h, p, out := rootRun(t, c.root)
			if p.Name != c.profile {
				t.Fatalf("profile %s, want %s", p.Name, c.profile)
			}
			var planned []string
			for _, r := range out.Results {
				switch {
				case r.ID == "dns/config":
					if string(r.Status) != c.config {
						t.Errorf("dns/config: %s %q, want %s", r.Status, r.Message, c.config)
					}
					for _, w := range c.words {
						if !strings.Contains(r.Message, w) {
							t.Errorf("dns/config message %q lacks %q", r.Message, w)
						}
					}
					for k, want := range c.details {
						if got := r.Details[k]; !equalish(got, want) {
							t.Errorf("details.%s = %#v, want %#v", k, got, want)
						}
					}
				case r.Status != engine.Skip || !strings.Contains(r.Message, "offline"):
					t.Errorf("%s: %s %q, want skip: --offline", r.ID, r.Status, r.Message)
				}
				if strings.HasPrefix(r.ID, "dns/nameserver:") {
					planned = append(planned, r.ID)
				}
			}
			if got := strings.Join(planned, " "); got != c.nameservers {
				t.Errorf("nameserver checks %q, want %q", got, c.nameservers)
			}
			validateReport(t, h, p, out)
		})
	}
}

func TestFixtureRootsReadGlibcDialect(t *testing.T) {
	for root, want := range map[string]dialect{"centos-7": legacy, "rocky-9": modern, "ubuntu-22.04": modern, "broken": modern} {
		h := hosttest.Fixture(t, root)
		rel, _ := h.OSRelease()
		p, err := profile.Resolve(profile.Request{OS: rel})
		if err != nil {
			t.Fatal(err)
		}
		if got := dialectFor(glibcFact.Get(p)); got != want {
			t.Errorf("%s (glibc %q): dialect %v, want %v", root, glibcFact.Get(p), got, want)
		}
	}
}

// validateReport renders the results as the JSON report. (The schema
// validator, reporttest, does not build while go.sum lacks
// golang.org/x/text v0.40.0; this checks that every result encodes and
// that details stay objects, as the schema requires.)
func validateReport(t *testing.T, h *host.Host, p *profile.Profile, out engine.Outcome) {
	t.Helper()
	rep := report.New(report.Input{Version: "test", Identity: h.Identity(), Root: h.Root(),
		Profile: report.Profile{Name: p.Name, Chain: p.Chain, Fallback: p.Fallback}, Outcome: out})
	var buf bytes.Buffer
	if err := report.JSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Checks []struct {
			ID      string         `json:"id"`
			Details map[string]any `json:"details"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Checks {
		if c.Details == nil {
			t.Errorf("%s: details is not an object", c.ID)
		}
	}
}

func TestNetworkResultsRenderAsJSON(t *testing.T) {
	port, servers := startLab(t,
		serverSpec{ip: "127.0.0.1", zones: map[string]zone{".": {}, "db1.test.": {a: []string{"10.0.0.5"}}, "5.0.0.10.in-addr.arpa.": {ptr: []string{"db1.test"}}}},
		serverSpec{ip: "127.0.0.2", silent: true})
	h := labRoot(t, map[string]string{"etc/resolv.conf": resolvConfFor(servers, "search test\noptions timeout:1\n")})
	p := dnsProfile(t, port, "  names: [db1, {name: nope.test, expect: [10.0.0.9]}]\n  reverse: [10.0.0.5]\n")
	checks := expand(h, mustBuild(t, p))
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{CheckTimeout: 1500 * time.Millisecond})
	if len(out.Results) != 6 {
		t.Errorf("%d results, want config, 2 nameservers, 2 resolve, 1 reverse", len(out.Results))
	}
	validateReport(t, h, p, out)
}
