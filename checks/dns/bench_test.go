package dns

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

// BenchmarkSilentNameservers50 runs 50 dns/nameserver checks against 50
// loopback servers that never answer (127.0.1.1 .. 127.0.1.50, UDP sockets
// that read and drop), with a 1 s check timeout and the engine's default
// parallelism. Budget (DESIGN.md, issue 5): the run ends in under 1.5 s.
func BenchmarkSilentNameservers50(b *testing.B) {
	const n = 50
	specs := make([]serverSpec, n)
	for i := range specs {
		specs[i] = serverSpec{ip: fmt.Sprintf("127.0.1.%d", i+1), silent: true}
	}
	port, servers := startLab(b, specs...)
	h := hosttest.Root(b, map[string]string{"etc/resolv.conf": "nameserver 127.0.1.1\n"})
	cache := &systemCache{}
	checks := make([]engine.Check, n)
	for i, s := range servers {
		t := target{Addr: s.ip, Role: "nameserver", Source: "benchmark"}
		checks[i] = &nameserverCheck{Base: engine.Base{M: metaNameserver(s.ip.String())}, target: t, port: port, probe: probe{name: ".", qtype: mdns.TypeSOA}, cache: cache}
		allow(netip.AddrPortFrom(s.ip, port))
	}
	var worst time.Duration
	for b.Loop() {
		start := time.Now()
		out := engine.Run(context.Background(), h, checks, engine.RunOptions{CheckTimeout: time.Second})
		worst = max(worst, time.Since(start))
		for _, r := range out.Results {
			if r.Status != engine.Fail || r.Details["cause"] != causeTimeout {
				b.Fatalf("%s: %s %q, want fail: timeout", r.ID, r.Status, r.Message)
			}
		}
	}
	b.ReportMetric(worst.Seconds(), "wall-s/run")
	if worst > 1500*time.Millisecond {
		b.Errorf("50 silent nameservers took %s; the budget is 1.5 s", worst)
	}
}
