package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/cli"
	"github.com/golive-sh/golive/internal/depcheck/deptest"
)

// BenchmarkSilentPeers is a whole `golive check` with default flags against
// N network checks whose peers never answer, at --check-timeout 1s: TLS
// endpoints, etcd endpoints and MySQL servers that accept a connection and
// never say a word, and DNS names asked of a nameserver that reads nothing.
// One op is one run. DESIGN.md's budget: up to 1,000 such checks end
// within the check timeout + 0.5 s without flags; a run over it fails.
func BenchmarkSilentPeers(b *testing.B) {
	for _, n := range []int{100, 358, 1000} {
		b.Run(fmt.Sprintf("checks=%d", n), func(b *testing.B) { benchSilentPeers(b, n) })
	}
}

func benchSilentPeers(b *testing.B, n int) {
	const timeout = time.Second
	dir := silentPeersWorkdir(b, n)
	args := []string{"check", "--root", filepath.Join(dir, "root"), "--config", filepath.Join(dir, "silent.yaml"),
		"--offline=false", "--only", "tls,etcd,mysql,dns/resolve:*", "--check-timeout", timeout.String(), "--format", "json", "--fail-on", "none"}
	var worst time.Duration
	for b.Loop() {
		var out, errb bytes.Buffer
		start := time.Now()
		code := cli.Execute(args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb,
			Getenv: func(string) string { return "" }, Now: time.Now})
		took := time.Since(start)
		worst = max(worst, took)
		if code != 0 {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
		var rep struct {
			Checks []struct {
				ID, Status, Message string
				Details             map[string]any
			}
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			b.Fatal(err)
		}
		if len(rep.Checks) != n {
			b.Fatalf("%d checks, want %d", len(rep.Checks), n)
		}
		for _, c := range rep.Checks {
			if c.Status != "fail" && c.Status != "error" {
				b.Fatalf("%s: %s, want a failure: the peer never answers: %s", c.ID, c.Status, c.Message)
			}
		}
	}
	b.ReportMetric(worst.Seconds(), "worst-s")
	if budget := timeout + 500*time.Millisecond; worst > budget {
		b.Errorf("%d silent peers took %v at worst, budget %v (check timeout + 0.5 s)", n, worst, budget)
	}
}

// silentPeersWorkdir writes a root (resolv.conf naming the silent
// nameserver, the test CA) and a profile of exactly n network checks: a
// quarter each of DNS names, MySQL servers (three checks each), etcd
// endpoints (at most the section's 64, and two checks of the cluster) and
// TLS endpoints for the rest.
func silentPeersWorkdir(b *testing.B, n int) string {
	dir := b.TempDir()
	ca := deptest.NewCA(b, "Golive Silent CA")
	mustWrite(b, filepath.Join(dir, "root/etc/resolv.conf"), "nameserver 127.0.0.1\noptions timeout:5 attempts:2\n")
	mustWrite(b, filepath.Join(dir, "root/etc/ssl/test-ca.pem"), string(ca.PEM))

	var y strings.Builder
	names, servers, etcd := n/4, n/4/3, min(64, n/4)
	fmt.Fprintf(&y, "dns:\n  port: %d\n  names:\n", silentUDP(b))
	for i := range names {
		fmt.Fprintf(&y, "    - {name: n%d.silent.test, types: [A]}\n", i)
	}
	y.WriteString("mysql:\n")
	mysql := deptest.SilentListener(b)
	for i := range servers {
		fmt.Fprintf(&y, "  - {name: s%d, dsn: \"golive@tcp(%s)/\", role: primary}\n", i, mysql)
	}
	y.WriteString("etcd:\n  endpoints:\n")
	for range etcd {
		fmt.Fprintf(&y, "    - http://%s\n", deptest.SilentListener(b))
	}
	y.WriteString("tls:\n  endpoints:\n")
	for range n - names - 3*servers - etcd - 2 { // etcd adds etcd/cluster and etcd/version
		fmt.Fprintf(&y, "    - {address: %q, ca_file: /etc/ssl/test-ca.pem}\n", deptest.SilentListener(b))
	}
	mustWrite(b, filepath.Join(dir, "silent.yaml"), y.String())
	return dir
}

// silentUDP is a nameserver on 127.0.0.1 that receives queries and never
// answers: they wait in its socket buffer (or are dropped when it is full).
func silentUDP(b *testing.B) int {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c.LocalAddr().(*net.UDPAddr).Port
}

func mustWrite(b *testing.B, path, content string) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		b.Fatal(err)
	}
}
