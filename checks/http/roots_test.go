package http

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// On every fixture root: --offline skips the check (it talks to another
// machine); online, an https endpoint whose CA is not in the root's bundle
// fails on TLS naming the roots searched — the broken root's malformed
// bundle trusts nothing either — and a plain http one passes.
func TestFixtureRoots(t *testing.T) {
	p := newPKI(t)
	leaf := p.leaf(t, false)
	s := server(t, handler(), &leaf)
	plain := server(t, handler(), nil)
	for _, root := range []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"} {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			prof := profiletest.Detected(t, h, fmt.Sprintf("extends: auto\nhttp:\n  %s/ok: {}\n  %s/ok: {}\n", s.URL, plain.URL))
			checks, err := build(prof.Section(kind), prof)
			if err != nil {
				t.Fatal(err)
			}
			off := engine.Run(context.Background(), h, checks, engine.RunOptions{Offline: true})
			for _, r := range off.Results {
				if r.Status != engine.Skip {
					t.Errorf("--offline: %s is %s", r.ID, r.Status)
				}
			}
			on := engine.Run(context.Background(), h, checks, engine.RunOptions{})
			for _, r := range on.Results {
				switch {
				case strings.HasPrefix(r.ID, "http/get:https"):
					if r.Status != engine.Fail || r.Details["cause"] != "tls" {
						t.Errorf("%s: %s %v: %s", r.ID, r.Status, r.Details["cause"], r.Message)
					}
				default:
					if r.Status != engine.Pass {
						t.Errorf("%s: %s: %s", r.ID, r.Status, r.Message)
					}
				}
			}
		})
	}
}
