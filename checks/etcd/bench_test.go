package etcd

import (
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/depcheck/deptest"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// BenchmarkHealthyEndpoint is one etcd/endpoint check against the shared
// cluster: TCP, TLS, HTTP/2 preface, a new client, Authenticate (bcrypt on
// the server: most of the time) and Status.
func BenchmarkHealthyEndpoint(b *testing.B) {
	c := sharedCluster(b)
	p := resolve(b, oneEndpoint(c, ""))
	checks, err := build(p.Section(Kind), p)
	if err != nil {
		b.Fatal(err)
	}
	h, err := host.New(c.Root)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		out := engine.Run(b.Context(), h, checks[:1], engine.RunOptions{CheckTimeout: 10 * time.Second})
		if out.Results[0].Status != engine.Pass {
			b.Fatal(out.Results[0].Message)
		}
	}
}

// BenchmarkSilentEndpoints runs 64 (maxEndpoints) etcd/endpoint checks against servers
// that accept and never answer, with a 1 s check timeout: one op is one
// whole run; DESIGN.md budgets 100 such endpoints at under 1.5 s.
func BenchmarkSilentEndpoints(b *testing.B) {
	var urls []string
	for range maxEndpoints {
		urls = append(urls, "https://"+deptest.SilentListener(b))
	}
	p := resolve(b, "etcd:\n  endpoints: ["+strings.Join(urls, ", ")+"]\n")
	checks, err := build(p.Section(Kind), p)
	if err != nil {
		b.Fatal(err)
	}
	h, err := host.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		out := engine.Run(b.Context(), h, checks[:maxEndpoints], engine.RunOptions{CheckTimeout: time.Second})
		for _, r := range out.Results {
			if r.Details["cause"] != "timeout" {
				b.Fatalf("%s: %s %s", r.ID, r.Status, r.Message)
			}
		}
	}
}
