package dns

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/remediate"
)

const twoServers = "search corp.example.com\nnameserver 10.0.0.2\nnameserver 10.0.0.3\noptions timeout:2\n"

func TestConfig(t *testing.T) {
	stubLink := "->../run/systemd/resolve/stub-resolv.conf"
	cases := []struct {
		name    string
		files   map[string]string
		profile string
		status  engine.Status
		words   []string
		details map[string]any
	}{
		{name: "two nameservers, fast timeouts: pass",
			files:  map[string]string{"etc/resolv.conf": twoServers},
			status: engine.Pass, words: []string{"glibc uses 2 nameserver(s)"},
			details: map[string]any{"ndots": 1, "timeout": 2, "attempts": 2, "stub": false}},
		{name: "no nameserver line: glibc falls back to 127.0.0.1",
			files:  map[string]string{"etc/resolv.conf": "search corp.example.com\n"},
			status: engine.Fail, words: []string{"no nameserver line", "127.0.0.1"},
			details: map[string]any{"implied": true}},
		{name: "no resolv.conf at all",
			files:  map[string]string{"etc/hostname": "app01.corp.example.com\n"},
			status: engine.Fail, words: []string{"/etc/resolv.conf cannot be used", "127.0.0.1"}},
		{name: "more than three: the rest are never asked",
			files:  map[string]string{"etc/resolv.conf": "nameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\nnameserver 10.0.0.5\noptions timeout:1\n"},
			status: engine.Warn, words: []string{"4 nameservers, more than max_nameservers (3)", "10.0.0.5 (line 4) never asked"}},
		{name: "max_nameservers from the profile",
			files:   map[string]string{"etc/resolv.conf": twoServers},
			profile: "dns: {max_nameservers: 1}\n",
			status:  engine.Warn, words: []string{"2 nameservers, more than max_nameservers (1)"}},
		{name: "ndots above 1 with a search list",
			files:  map[string]string{"etc/resolv.conf": twoServers + "options ndots:3\n"},
			status: engine.Warn, words: []string{"ndots:3 with a search list", "example.com: example.com.corp.example.com., example.com."}},
		{name: "ndots above 1 without a search list is harmless",
			files:  map[string]string{"etc/resolv.conf": "nameserver 10.0.0.2\noptions ndots:3 timeout:2\n"},
			status: engine.Pass},
		{name: "the worst case beyond max_lookup_time warns and says how it was computed",
			files:  map[string]string{"etc/resolv.conf": "nameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n"},
			status: engine.Warn, words: []string{"can block 30 s", "(5 s + 3 s + 6 s) per attempt × 2 attempts = 28 s", "5 s × 3 nameservers × 2 attempts = 30 s", "timeout:1 attempts:2"}},
		{name: "single-request doubles Go's worst case",
			files:   map[string]string{"etc/resolv.conf": "nameserver 10.0.0.2\noptions single-request timeout:3\n"},
			profile: "dns: {max_lookup_time: 8s}\n",
			status:  engine.Warn, words: []string{"can block 12 s", "× 2 = 12 s (single-request: A, then AAAA)"}},
		{name: "attempts:0 makes glibc send nothing",
			files:  map[string]string{"etc/resolv.conf": "nameserver 10.0.0.2\noptions attempts:0\n"},
			status: engine.Fail, words: []string{"attempts:0: glibc sends no query at all"}},
		{name: "a nameserver listed twice",
			files:  map[string]string{"etc/resolv.conf": "nameserver 10.0.0.2\nnameserver 10.0.0.2\noptions timeout:1\n"},
			status: engine.Warn, words: []string{"listed twice (lines 1 and 2)"}},
		{name: "lines glibc ignores are named",
			files:  map[string]string{"etc/resolv.conf": "nameserver 10.0.0.2\n nameserver 10.0.0.3\nnameservers 10.0.0.4\nnameserver 10.0.0.999\noptions timeout:1 rotat\n"},
			status: engine.Warn, words: []string{"line 2: \"nameserver 10.0.0.3\" starts with whitespace", "line 3: \"nameservers 10.0.0.4\" is not a resolv.conf keyword", "line 4: nameserver \"10.0.0.999\" is not an IPv4 or IPv6 address", "unknown option \"rotat\""}},
		{name: "a CRLF file on a modern glibc loses its nameservers",
			files:  map[string]string{"etc/resolv.conf": "nameserver 10.0.0.2\r\nsearch corp.example.com\r\n"},
			status: engine.Fail, words: []string{"no nameserver line", "carriage return"},
			details: map[string]any{"crlf": true}},
		{name: "the resolved stub with upstreams",
			files: map[string]string{"etc/resolv.conf": stubLink,
				"run/systemd/resolve/stub-resolv.conf": "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch corp.example.com\n",
				"run/systemd/resolve/resolv.conf":      "nameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch corp.example.com\n"},
			status: engine.Pass, words: []string{"glibc uses 1 nameserver(s)"},
			details: map[string]any{"stub": true, "upstreams": []string{"10.0.0.2", "10.0.0.3"}, "options": []string{"edns0", "trust-ad"}}},
		{name: "the resolved stub in an image: upstreams unknown",
			files:  map[string]string{"etc/resolv.conf": stubLink},
			status: engine.Pass, words: []string{"upstream servers are unknown"},
			details: map[string]any{"stub": true, "upstreams": nil}},
		{name: "the resolved stub without upstream servers",
			files: map[string]string{"etc/resolv.conf": "nameserver 127.0.0.53\n",
				"run/systemd/resolve/resolv.conf": "# No DNS servers known.\n"},
			status: engine.Warn, words: []string{"knows no upstream DNS server"}},
		{name: "nsswitch.conf without a hosts line on glibc 2.17: DNS first",
			files:   map[string]string{"etc/resolv.conf": twoServers, "etc/nsswitch.conf": "passwd: files\nHosts: files dns\n"},
			profile: "facts: {glibc: \"2.17\"}\ndns: {}\n",
			status:  engine.Warn, words: []string{"has no hosts line", "dns [!UNAVAIL=return] files", "database names are case-sensitive"}},
		{name: "nsswitch.conf without a hosts line on glibc 2.33+: files dns, nothing to say",
			files:  map[string]string{"etc/resolv.conf": twoServers, "etc/nsswitch.conf": "passwd: files\n"},
			status: engine.Pass, details: map[string]any{"nsswitch_hosts": "files dns", "nsswitch_default": true}},
		{name: "a hosts line without a colon is still one",
			files:  map[string]string{"etc/resolv.conf": twoServers, "etc/nsswitch.conf": "hosts dns files\n"},
			status: engine.Pass, details: map[string]any{"nsswitch_hosts": "dns files", "nsswitch_default": false}},
		{name: "glibc 2.33+ rejects an nsswitch.conf it cannot parse",
			files:  map[string]string{"etc/resolv.conf": twoServers, "etc/nsswitch.conf": "hosts: files [NOTFOUND=jump] dns\n"},
			status: engine.Fail, words: []string{"does not parse (line 1)", "every lookup by name fails", "\"jump\" is not an action"}},
		{name: "glibc 2.33+: an empty last hosts line leaves no service",
			files:  map[string]string{"etc/resolv.conf": twoServers, "etc/nsswitch.conf": "hosts: files dns\nhosts:\n"},
			status: engine.Fail, words: []string{"names no service", "a second hosts line: glibc uses this one, not the one on line 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"etc/nsswitch.conf": "hosts: files dns\n", "etc/hosts": "127.0.0.1 localhost\n"}
			for k, v := range c.files {
				files[k] = v
			}
			h := hosttest.Root(t, files)
			prof := c.profile
			if prof == "" {
				prof = "dns: {}\n"
			}
			r := result(t, testProfile(t, prof), h, "dns/config", engine.RunOptions{})
			if r.Status != c.status {
				t.Errorf("%s %q, want %s", r.Status, r.Message, c.status)
			}
			said := r.Message
			if r.Remediation != nil {
				for _, a := range r.Remediation.Actions {
					said += " | " + a.Text
				}
			}
			for _, w := range c.words {
				if !strings.Contains(said, w) {
					t.Errorf("message and remediation %q lack %q", said, w)
				}
			}
			for k, want := range c.details {
				if got := r.Details[k]; !equalish(got, want) {
					t.Errorf("details.%s = %#v, want %#v", k, got, want)
				}
			}
			if (r.Status == engine.Fail || r.Status == engine.Warn) && (r.Remediation == nil || r.Remediation.Actions[0].Kind != remediate.Manual) {
				t.Errorf("a %s needs manual remediation actions, got %+v", r.Status, r.Remediation)
			}
			if wc, ok := r.Details["worst_case"].(worstCase); !ok || wc.GlibcHow == "" || wc.GoHow == "" {
				t.Errorf("details.worst_case must say how it was computed: %#v", r.Details["worst_case"])
			}
		})
	}
}

func equalish(got, want any) bool {
	switch w := want.(type) {
	case []string:
		g, ok := got.([]string)
		return ok && strings.Join(g, ",") == strings.Join(w, ",")
	case nil:
		return got == nil
	}
	return got == want
}

func TestConfigNeedsNoNetwork(t *testing.T) {
	checks := mustBuild(t, testProfile(t, "dns: {names: [db1.test], reverse: [10.0.0.5]}\n"))
	for _, c := range checks {
		if want := c.ID() != "dns/config"; c.Meta().Network != want {
			t.Errorf("%s: Network=%v, want %v", c.ID(), c.Meta().Network, want)
		}
	}
}

func TestConfigTakesTheSearchDomainFromTheHostname(t *testing.T) {
	h := hosttest.Root(t, map[string]string{"etc/resolv.conf": "nameserver 10.0.0.2\n", "etc/hostname": "app01.corp.example.com\n"})
	sys := loadSystem(h, "")
	if d, from := sys.search(); strings.Join(d, " ") != "corp.example.com" || !strings.Contains(from, "hostname") {
		t.Errorf("search %v from %q, want corp.example.com from the hostname", d, from)
	}
}
