package dns

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// testProfile resolves a standalone profile written in a temp file.
func testProfile(t testing.TB, yaml string) *profile.Profile {
	t.Helper()
	return profiletest.ResolveNamed(t, "golive.yaml", yaml)
}

// dnsProfile is a profile whose nameservers listen on port.
func dnsProfile(t testing.TB, port uint16, extra string) *profile.Profile {
	t.Helper()
	return testProfile(t, fmt.Sprintf("dns:\n  port: %d\n%s", port, extra))
}

// resolvConfFor names the test servers, one nameserver line each.
func resolvConfFor(servers []*testServer, extra string) string {
	var b strings.Builder
	for _, s := range servers {
		fmt.Fprintf(&b, "nameserver %s\n", s.ip)
	}
	return b.String() + extra
}

// labRoot is a temp root with the given files and an nsswitch.conf that
// sends hosts lookups to files, then DNS (unless the files override it).
func labRoot(t testing.TB, files map[string]string) *host.Host {
	t.Helper()
	all := map[string]string{"etc/nsswitch.conf": "hosts: files dns\n", "etc/hosts": "127.0.0.1 localhost\n", "etc/host.conf": "multi on\n"}
	for _, m := range []string{"myhostname", "resolve", "mdns4_minimal"} { // the modules golive evaluates are installed
		all["usr/lib/x86_64-linux-gnu/libnss_"+m+".so.2"] = ""
	}
	for k, v := range files {
		all[k] = v
	}
	return hosttest.Root(t, all)
}

// expand replaces host-dependent placeholders with the checks they stand
// for, as a host-aware planner would.
func expand(h *host.Host, checks []engine.Check) []engine.Check {
	var out []engine.Check
	for _, c := range checks {
		if e, ok := c.(interface {
			Expand(*host.Host) []engine.Check
		}); ok {
			out = append(out, e.Expand(h)...)
			continue
		}
		out = append(out, c)
	}
	return out
}

// run plans the dns checks of p for h, expands them and runs those whose
// ID starts with one of only (all when only is empty), so that a test
// server sees no query but the ones the test is about.
func run(t testing.TB, p *profile.Profile, h *host.Host, opt engine.RunOptions, only ...string) map[string]engine.Result {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	if opt.CheckTimeout == 0 {
		opt.CheckTimeout = 2 * time.Second
	}
	var selected []engine.Check
	for _, c := range expand(h, checks) {
		for _, prefix := range only {
			if strings.HasPrefix(c.ID(), prefix) {
				selected = append(selected, c)
				break
			}
		}
		if len(only) == 0 {
			selected = append(selected, c)
		}
	}
	out := engine.Run(context.Background(), h, selected, opt)
	m := map[string]engine.Result{}
	for _, r := range out.Results {
		m[r.ID] = r
	}
	return m
}

// result runs and returns one check's result, failing when it is absent.
func result(t testing.TB, p *profile.Profile, h *host.Host, id string, opt engine.RunOptions) engine.Result {
	t.Helper()
	all := run(t, p, h, opt, id)
	r, ok := all[id]
	if !ok {
		var ids []string
		for k := range all {
			ids = append(ids, k)
		}
		t.Fatalf("no result for %s; have %v", id, ids)
	}
	return r
}

func mustBuild(t testing.TB, p *profile.Profile) []engine.Check {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}
