package fleet

import (
	"context"
	"flag"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/golive-sh/golive/internal/sshclient"
	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

// Budgets of issue 18 (DESIGN.md, Budgets) for a fan-out over many hosts
// with one profile: what is written to each host's connection, counted by
// the transport's counting wrapper around the TCP connection (ssh framing,
// encryption and cleanup included), and the cached run's wall time.
const (
	budgetFirstBytes  = 10_000_000 // first run, per host: the compressed binary and the rest
	budgetCachedBytes = 64 << 10   // cached run, per host
	budgetCachedWall  = 20 * time.Second
	scaleParallel     = 20
)

// scaleHosts is how many sshd servers TestFleetScale starts: 20 in a
// normal `go test` (make test), -fleet.hosts=100 for the full run, which
// BenchmarkFleet100 always does.
var scaleHosts = flag.Int("fleet.hosts", 20, "sshd servers TestFleetScale starts")

// releaseBinary is the real golive, built as `make build` builds it
// (static, -s -w, -trimpath): the binary a fleet run sends. Built once
// per test process, removed by TestMain.
var (
	releaseOnce sync.Once
	releasePath string
	releaseErr  error
	releaseDir  string
)

func releaseBinary(tb testing.TB) string {
	tb.Helper()
	releaseOnce.Do(func() {
		dir, err := os.MkdirTemp("", "golive-fleet-scale")
		if err != nil {
			releaseErr = err
			return
		}
		releaseDir = dir
		releasePath = filepath.Join(dir, "golive")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", releasePath, "github.com/golive-sh/golive/cmd/golive")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			releaseErr = err
			tb.Logf("go build:\n%s", out)
		}
	})
	if releaseErr != nil {
		tb.Fatalf("build golive: %v", releaseErr)
	}
	return releasePath
}

// scaleLab is n real sshd servers, each on its own loopback port with its
// own host key, HOME, $TMPDIR and cache dir, and fan-out options that
// trust them all and send the real golive with one service profile. The
// first is reached through a counting relay.
type scaleLab struct {
	servers []*sshdtest.Server
	targets []Target
	opts    Options
	binSize int64
	// relay stands between the fan-out and the first server and counts
	// what the client writes: an outside measure of the transport's count.
	relay *countingRelay
}

// countingRelay is a TCP relay on loopback that counts the bytes going
// from its clients to the server.
type countingRelay struct {
	addr string
	up   atomic.Int64
}

func startRelay(tb testing.TB, server string) *countingRelay {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	r := &countingRelay{addr: l.Addr().String()}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				s, err := net.Dial("tcp", server)
				if err != nil {
					return
				}
				defer s.Close()
				done := make(chan struct{})
				go func() {
					io.Copy(c, s)
					c.(*net.TCPConn).CloseWrite()
					close(done)
				}()
				n, _ := io.Copy(s, c)
				r.up.Add(n)
				s.(*net.TCPConn).CloseWrite()
				<-done
			}()
		}
	}()
	return r
}

func newScaleLab(tb testing.TB, n int) *scaleLab {
	tb.Helper()
	sshdtest.Need(tb)
	bin := releaseBinary(tb)
	fi, err := os.Stat(bin)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	os.Chmod(dir, 0o755)
	key := sshdtest.NewKey(tb, dir, "id")
	servers := sshdtest.StartMany(tb, n, func(int) sshdtest.Options {
		return sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{key.Public}}
	})
	l := &scaleLab{servers: servers, binSize: fi.Size()}
	var kh strings.Builder
	for i, s := range servers {
		addr := s.Addr
		if i == 0 {
			l.relay = startRelay(tb, s.Addr)
			addr = l.relay.addr
		}
		kh.WriteString(knownhosts.Line([]string{addr}, s.HostKey.Public) + "\n")
		l.targets = append(l.targets, target(tb, addr))
	}
	khFile := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(khFile, []byte(kh.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	// The service's profile: the hosts' own distro profile, and one
	// expectation of the service's. Every host runs every local check
	// (offline: no traffic leaves loopback).
	cfg := filepath.Join(dir, "golive.yaml")
	if err := os.WriteFile(cfg, []byte("extends: auto\nos:\n  kernel: \">= 3.10\"\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	bundle, err := NewBundle("auto", cfg)
	if err != nil {
		tb.Fatal(err)
	}
	auth, err := sshclient.NewAuth([]string{key.File}, "", "")
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := sshclient.NewHostKeys(khFile, false)
	if err != nil {
		tb.Fatal(err)
	}
	l.opts = Options{
		User: "root", Auth: auth, HostKeys: keys, Binaries: map[string]string{runtime.GOARCH: bin}, Bundle: bundle,
		CheckArgs: []string{"--profile", bundle.Profile, "--config", bundle.Config, "--offline", "--timeout", "60s"},
		Parallel:  scaleParallel, HostTimeout: 3 * time.Minute,
	}
	return l
}

// scaleRun is one fan-out over the lab's hosts.
type scaleRun struct {
	wall             time.Duration
	maxSent, sumSent int64
	maxHost          string
	results          []HostResult
	hostsWithAReport int
	cacheKinds       map[string]int
	slowest          time.Duration
	slowestHost      string
}

// run checks every host once and fails unless each was checked with the
// binary got as want (CacheStored on a first run, CacheHit on a cached
// one) and left no temp dir behind.
func (l *scaleLab) run(tb testing.TB, want string) scaleRun {
	tb.Helper()
	relayed := l.relay.up.Load()
	start := time.Now()
	results, err := Run(context.Background(), l.targets, l.opts)
	r := scaleRun{wall: time.Since(start), results: results, cacheKinds: map[string]int{}}
	if err != nil {
		tb.Fatal(err)
	}
	for _, res := range results {
		r.cacheKinds[res.Cache]++
		r.sumSent += res.BytesSent
		if res.BytesSent > r.maxSent {
			r.maxSent, r.maxHost = res.BytesSent, res.Target.Name()
		}
		if res.Duration > r.slowest {
			r.slowest, r.slowestHost = res.Duration, res.Target.Name()
		}
		if res.Kind != KindOK || res.Cache != want {
			tb.Errorf("%s: %s %q, cache %q; want ok with cache %q", res.Target.Name(), res.Kind, res.Err, res.Cache, want)
			continue
		}
		if _, err := DecodeReport(res.Report); err != nil {
			tb.Errorf("%s: %v", res.Target.Name(), err)
			continue
		}
		r.hostsWithAReport++
	}
	// The relay's count of what reached the first server is the
	// transport's count: both are every byte the client wrote. (The
	// relay adds a connection's bytes when the client closes it, which
	// the fan-out has done for every connection when Run returns; give
	// the relay's goroutines a moment to add theirs.)
	counted := results[0].BytesSent
	var seen int64
	for range 100 {
		if seen = l.relay.up.Load() - relayed; seen == counted {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if seen != counted {
		tb.Errorf("%s: the transport counted %d bytes sent, the relay in front of the server %d", results[0].Target.Name(), counted, seen)
	}
	for _, s := range l.servers {
		if left, _ := filepath.Glob(filepath.Join(s.Tmp, "golive.*")); len(left) > 0 {
			tb.Errorf("%s: temp dirs left: %v", s.Addr, left)
		}
	}
	return r
}

// forget empties every host's binary cache: the next run is a first run.
func (l *scaleLab) forget(tb testing.TB) {
	tb.Helper()
	for _, s := range l.servers {
		if err := os.RemoveAll(filepath.Join(s.Cache, "golive")); err != nil {
			tb.Fatal(err)
		}
	}
}

func (r scaleRun) perHost() float64 { return float64(r.sumSent) / float64(len(r.results)) }

// checkBytes fails when a host was sent more than budget bytes.
func (r scaleRun) checkBytes(tb testing.TB, what string, budget int64) {
	tb.Helper()
	if r.maxSent > budget {
		tb.Errorf("%s: %s was sent %d bytes, budget %d per host", what, r.maxHost, r.maxSent, budget)
	}
}

// TestFleetScale is issue 18's scale run, smaller: -fleet.hosts servers
// (20 by default), one profile, a first run that fills each host's cache
// and a second that finds it there. It holds the byte budgets, which do
// not depend on the machine's speed; BenchmarkFleet100 runs the same
// over 100 hosts and also holds the cached run's wall time.
func TestFleetScale(t *testing.T) {
	l := newScaleLab(t, *scaleHosts)
	first := l.run(t, CacheStored)
	cached := l.run(t, CacheHit)
	t.Logf("%d hosts, binary %d bytes; first run %v, %.0f bytes/host (max %d); cached run %v, %.0f bytes/host (max %d)",
		len(l.servers), l.binSize, first.wall.Round(time.Millisecond), first.perHost(), first.maxSent,
		cached.wall.Round(time.Millisecond), cached.perHost(), cached.maxSent)
	first.checkBytes(t, "first run", budgetFirstBytes)
	cached.checkBytes(t, "cached run", budgetCachedBytes)
	// The first run sent the binary compressed: less than the binary,
	// more than the cached run's whole exchange.
	for i, res := range first.results {
		if res.BytesSent >= l.binSize || res.BytesSent <= cached.results[i].BytesSent+l.binSize/4 {
			t.Errorf("%s: first run sent %d bytes, cached run %d, binary %d: want the compressed binary once",
				res.Target.Name(), res.BytesSent, cached.results[i].BytesSent, l.binSize)
		}
	}
	// Every host's cache holds exactly the binary, under its hash.
	for _, s := range l.servers {
		entries, _ := os.ReadDir(filepath.Join(s.Cache, "golive"))
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if len(names) != 1 || !strings.HasPrefix(names[0], "golive-") {
			t.Errorf("%s: cache dir holds %v, want one golive-<sha256>", s.Addr, names)
		}
	}
}

// BenchmarkFleet100 is issue 18's acceptance run: 100 real sshd servers on
// 100 loopback ports, the real golive (built as make build builds it) and
// one profile, at --parallel 20. One op is a first run (every host's
// cache emptied before it) and then a cached run. Reported: wall seconds
// and bytes written per host (mean, and the most any host got) of each.
// Budgets: the cached run under 20 s, under 64 KiB per host; the first
// run under 10 MB per host. A run over a budget fails.
func BenchmarkFleet100(b *testing.B) {
	l := newScaleLab(b, 100)
	var firsts, cacheds []scaleRun
	for b.Loop() {
		b.StopTimer()
		l.forget(b)
		b.StartTimer()
		firsts = append(firsts, l.run(b, CacheStored))
		cacheds = append(cacheds, l.run(b, CacheHit))
	}
	first, cached := worst(firsts), worst(cacheds)
	b.ReportMetric(first.wall.Seconds(), "first-s")
	b.ReportMetric(first.perHost(), "first-B/host")
	b.ReportMetric(float64(first.maxSent), "first-maxB/host")
	b.ReportMetric(cached.wall.Seconds(), "cached-s")
	b.ReportMetric(cached.perHost(), "cached-B/host")
	b.ReportMetric(float64(cached.maxSent), "cached-maxB/host")
	b.Logf("binary %d bytes; slowest host: first run %s %v, cached run %s %v",
		l.binSize, first.slowestHost, first.slowest.Round(time.Millisecond), cached.slowestHost, cached.slowest.Round(time.Millisecond))
	first.checkBytes(b, "first run", budgetFirstBytes)
	cached.checkBytes(b, "cached run", budgetCachedBytes)
	if cached.wall > budgetCachedWall {
		b.Errorf("cached run over %d hosts at --parallel %d took %v, budget %v", len(l.servers), scaleParallel, cached.wall, budgetCachedWall)
	}
}

// worst is the run of runs with the longest wall time, its bytes the most
// any run sent.
func worst(runs []scaleRun) scaleRun {
	w := slices.MaxFunc(runs, func(a, b scaleRun) int { return int(a.wall - b.wall) })
	for _, r := range runs {
		if r.maxSent > w.maxSent {
			w.maxSent, w.maxHost = r.maxSent, r.maxHost
		}
		w.sumSent = max(w.sumSent, r.sumSent)
	}
	return w
}
