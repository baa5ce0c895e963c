package port

import (
	"context"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

const serviceConfig = `extends: auto
service:
  unit: payments.service
  ports:
    - {port: 40000}
    - {port: 8080, address: 0.0.0.0, expect: listening}
    - {port: 33000, proto: udp}
`

// On each fixture root (an image, for golive: --root) the live checks skip
// and say why, and port/ephemeral judges the root's proc/sys values
// (testdata/roots/README.md, "ports").
func TestFixtureRootVerdicts(t *testing.T) {
	ephemeral := map[string]struct {
		status engine.Status
		words  string
	}{
		"centos-7":     {engine.Warn, "40000 is inside the ephemeral range 32768-61000"},
		"ubuntu-22.04": {engine.Warn, "40000 is inside the ephemeral range 32768-60999"},
		"rocky-9":      {engine.Warn, "40000 is inside the ephemeral range 32768-60999"},
		"broken":       {engine.Error, `"61000\t1024\n" is not a range of ports`},
	}
	for root, exp := range ephemeral {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			out := engine.Run(context.Background(), h, mustBuild(t, profiletest.Detected(t, h, serviceConfig)), engine.RunOptions{})
			got := map[string]engine.Result{}
			for _, r := range out.Results {
				got[r.ID] = r
			}
			if len(got) != 6 {
				t.Fatalf("%d results: %v", len(got), got)
			}
			for _, id := range []string{"port/free:40000/tcp", "port/listen:8080/tcp", "port/free:33000/udp"} {
				check(t, got[id], engine.Skip, "under --root there is no live socket table")
			}
			check(t, got["port/ephemeral:40000/tcp"], exp.status, exp.words)
			check(t, got["port/ephemeral:33000/udp"], exp.status)
			if root != "broken" {
				check(t, got["port/ephemeral:8080/tcp"], engine.Pass, "8080 is outside the ephemeral range")
				if a := got["port/ephemeral:40000/tcp"].Remediation.Actions; len(a) != 1 || a[0].Key != reservedKey || !strings.Contains(a[0].Value, "33000,40000") {
					t.Errorf("remediation %+v", a)
				}
			}
			reporttest.ValidateOutcome(t, h, root, out)
		})
	}
}

// A root without proc/sys/net/ipv4/ip_local_port_range is an image whose
// range is set when it boots: skip.
func TestEphemeralSkipsWithoutRunningKernel(t *testing.T) {
	h := hosttest.Root(t, map[string]string{"etc/os-release": "ID=rocky\nVERSION_ID=9.4\n"})
	p := profiletest.Detected(t, h, serviceConfig)
	out := engine.Run(context.Background(), h, mustBuild(t, p), engine.RunOptions{})
	for _, r := range out.Results {
		check(t, r, engine.Skip)
	}
}

// service.ports is read strictly: each mistake names the file and line.
func TestServicePortsErrors(t *testing.T) {
	for _, c := range []struct{ yaml, err string }{
		{"service:\n  ports:\n    - {port: 0}\n", "p.yaml:4: port: 0 is out of range (1 to 65535)"},
		{"service:\n  ports:\n    - {port: 8080, proto: sctp}\n", "p.yaml:4: proto"},
		{"service:\n  ports:\n    - {port: 8080, expect: open}\n", "p.yaml:4: expect"},
		{"service:\n  ports:\n    - {port: 8080, adress: 0.0.0.0}\n", `p.yaml:4: unknown key "adress"`},
		{"service:\n  ports:\n    - port: 8080\n      address: localhost\n", `p.yaml:5: service.ports address "localhost": not an IP address`},
		{"service:\n  ports:\n    - {port: 8080, address: \"fe80::1%eth0\"}\n", "p.yaml:4: service.ports address"},
		{"service:\n  ports:\n    - {port: 8080}\n    - {port: 8080, proto: tcp}\n", "p.yaml:5: service.ports: 8080/tcp is listed twice"},
		{"service:\n  ports:\n    - {proto: udp}\n", "p.yaml:4: service.ports: an entry without a port"},
		{"service:\n  ports: 8080\n", "p.yaml:3:"},
		{"port:\n  ports: [8080]\n", `p.yaml:3: port: the section takes no keys (the ports are service.ports)`},
	} {
		p, err := profiletest.ResolveErr(t, "p.yaml", "extends: none\n"+c.yaml)
		if err == nil {
			_, err = build(p.Section(kind), p)
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.err)
		}
	}
	// The same port on both transports is two ports; defaults fill in.
	p := profiletest.ResolveNamed(t, "p.yaml", "extends: none\nservice:\n  ports:\n    - {port: 53}\n    - {port: 53, proto: udp, expect: listening}\n")
	var ids []string
	for _, c := range mustBuild(t, p) {
		ids = append(ids, c.ID())
	}
	if got := strings.Join(ids, " "); got != "port/free:53/tcp port/ephemeral:53/tcp port/listen:53/udp port/ephemeral:53/udp" {
		t.Errorf("ids %s", got)
	}
}

// Through the engine's registry, as `golive check`, `list` and `explain` use it.
func TestRegisteredWithTheEngine(t *testing.T) {
	checks, err := engine.Build(profiletest.Resolve(t, "extends: none\nservice:\n  ports: [{port: 8080, expect: listening}]\n"))
	if err != nil || len(checks) != 2 || checks[0].ID() != "port/listen:8080/tcp" {
		t.Fatalf("%v %v", checks, err)
	}
	for _, id := range []string{"port/free:8080/tcp", "port/listen:53/udp", "port/ephemeral:65535/tcp"} {
		if m, ok := engine.Explain(id); !ok || m.ID != id || m.Category != kind || m.Why == "" {
			t.Errorf("explain %s: %+v %v", id, m, ok)
		}
	}
	for _, id := range []string{"port/free:0/tcp", "port/free:65536/tcp", "port/free:80/sctp", "port/open:80/tcp", "port/free:80"} {
		if _, ok := engine.Explain(id); ok {
			t.Errorf("explain %s: known", id)
		}
	}
}

func mustBuild(t *testing.T, p *profile.Profile) []engine.Check {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}
