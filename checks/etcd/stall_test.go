package etcd

import (
	"crypto/tls"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/golive-sh/golive/checks/etcd/etcdtest"
	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/depcheck/deptest"
	"github.com/golive-sh/golive/internal/engine"
)

// staller completes TLS (with a certificate of the cluster's CA) and the
// HTTP/2 preface, then reads and never answers: a member that hangs.
func staller(t *testing.T, c *etcdtest.Cluster) string {
	t.Helper()
	leaf := c.CA.Issue(t, deptest.Leaf{CN: "staller", IPs: deptest.Loopback})
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{leaf.TLS}, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
				pre := make([]byte, len(http2.ClientPreface))
				if _, err := io.ReadFull(conn, pre); err != nil {
					return
				}
				if err := http2.NewFramer(conn, conn).WriteSettings(); err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, conn) // and never a word more
			}()
		}
	}()
	return ln.Addr().String()
}

// A member that completed TLS and the HTTP/2 preface and then stalled is
// not "a firewall dropping packets, a host that is down": the message says
// how far the connection got, and the fix is about the member.
func TestStalledMemberMessageSaysWhatWasObserved(t *testing.T) {
	c := sharedCluster(t)
	addr := staller(t, c)
	yaml := "etcd:\n  endpoints: [https://" + addr + "]\n  ca_file: /" + etcdtest.CAFile + "\n"
	r := runEndpoint(t, c, yaml, 2*time.Second)
	want(t, r, engine.Fail, depcheck.CauseTimeout, "TCP connected in", "the TLS handshake (TLS 1.3) completed in",
		"the HTTP/2 preface was answered in", "got no answer before the check's deadline")
	for _, guess := range []string{"firewall", "host that is down", "dropping"} {
		if strings.Contains(r.Message, guess) {
			t.Errorf("message guesses %q: %s", guess, r.Message)
		}
		if r.Remediation != nil {
			for _, a := range r.Remediation.Actions {
				if strings.Contains(a.Text, guess) {
					t.Errorf("remediation guesses %q: %s", guess, a.Text)
				}
			}
		}
	}
	if r.Remediation == nil || !strings.Contains(r.Remediation.Summary, "member does not answer") {
		t.Errorf("remediation %+v, want one about the member", r.Remediation)
	}
}

// Each stage that times out says only what was observed up to it.
func TestTimeoutMessagesPerStage(t *testing.T) {
	c := sharedCluster(t)
	cases := []struct {
		name, yaml string
		words, not []string
	}{
		{"TCP connected, TLS never answered", "etcd:\n  endpoints: [https://" + deptest.SilentListener(t) + "]\n  ca_file: /" + etcdtest.CAFile + "\n",
			[]string{"TCP connected in", "the TLS handshake did not complete"}, []string{"firewall", "completed in", "preface was answered"}},
		{"TCP connected, no TLS, preface never answered", "etcd:\n  endpoints: [http://" + deptest.SilentListener(t) + "]\n",
			[]string{"TCP connected in", "did not answer the HTTP/2 preface"}, []string{"firewall", "TLS", "stuck"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runEndpoint(t, c, tc.yaml, time.Second)
			want(t, r, engine.Fail, depcheck.CauseTimeout, tc.words...)
			for _, w := range tc.not {
				if strings.Contains(r.Message, w) {
					t.Errorf("message claims %q: %s", w, r.Message)
				}
			}
		})
	}
}
