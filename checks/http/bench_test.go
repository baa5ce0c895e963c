package http

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// 100 checks of one local HTTPS server, run by the engine in parallel.
func BenchmarkHundredEndpoints(b *testing.B) {
	p := newPKI(b)
	leaf := p.leaf(b, false)
	s := server(b, handler(), &leaf)
	h := rootWithCA(b, p)
	var y strings.Builder
	y.WriteString("extends: none\nhttp:\n")
	for i := range 100 {
		fmt.Fprintf(&y, "  %s/ok?n=%d: {ca_file: /etc/app/ca.pem, body: [up]}\n", s.URL, i)
	}
	prof := profiletest.ResolveNamed(b, "p.yaml", y.String())
	checks, err := build(prof.Section(kind), prof)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
		for _, r := range out.Results {
			if r.Status != engine.Pass {
				b.Fatalf("%s: %s", r.ID, r.Message)
			}
		}
	}
}
