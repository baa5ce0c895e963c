package fleet

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/sshclient"
	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

func testOptions(t *testing.T) Options {
	t.Helper()
	dir := t.TempDir()
	key := sshdtest.NewKey(t, dir, "id")
	auth, err := sshclient.NewAuth([]string{key.File}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sshclient.NewHostKeys(filepath.Join(dir, "known_hosts"), false)
	if err != nil {
		t.Fatal(err)
	}
	return Options{User: "root", Auth: auth, HostKeys: keys, Binaries: map[string]string{"amd64": "/nonexistent"},
		Parallel: 4, HostTimeout: time.Minute}
}

func target(t testing.TB, addr string) Target {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	return Target{Dest: sshclient.Dest{Host: host, Port: p}}
}

func TestRunBoundsParallelism(t *testing.T) {
	opts := testOptions(t)
	opts.Parallel = 2
	var mu sync.Mutex
	cur, most := 0, 0
	full := make(chan struct{})
	var once sync.Once
	checkOne = func(_ context.Context, tg Target, _ *Options) HostResult {
		mu.Lock()
		cur++
		most = max(most, cur)
		if cur == opts.Parallel {
			once.Do(func() { close(full) })
		}
		mu.Unlock()
		<-full // the first hosts wait until the pool is full once
		mu.Lock()
		cur--
		mu.Unlock()
		return HostResult{Target: tg, Kind: KindOK}
	}
	t.Cleanup(func() { checkOne = checkHost })
	var targets []Target
	for i := range 7 {
		targets = append(targets, Target{Dest: sshclient.Dest{Host: "h" + strconv.Itoa(i), Port: 22}})
	}
	var finished []string
	opts.Done = func(r HostResult) { finished = append(finished, r.Target.Host) }
	res, err := Run(context.Background(), targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	if most != 2 {
		t.Errorf("%d hosts ran at once, want --parallel 2", most)
	}
	for i, r := range res {
		if r.Target != targets[i] {
			t.Errorf("result %d is %v: results must keep target order", i, r.Target)
		}
	}
	if len(finished) != len(targets) {
		t.Errorf("Done called %d times for %d hosts", len(finished), len(targets))
	}
}

// A server that accepts and never speaks SSH must not hold a host past
// its timeout: the handshake is cut and the host reported as timed out.
func TestHostTimeoutOnASilentServer(t *testing.T) {
	silent := sshdtest.StartSilent(t)
	opts := testOptions(t)
	opts.HostTimeout = time.Second
	res, err := Run(context.Background(), []Target{target(t, silent.Addr)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Kind != KindTimeout || !strings.Contains(r.Err, "host timeout 1s") {
		t.Errorf("silent server: %s %q, want timeout", r.Kind, r.Err)
	}
	if _, total := silent.MaxOpen(); total != 1 {
		t.Errorf("%d connections, want 1 (no retry loop)", total)
	}
}

func TestUnreachableHost(t *testing.T) {
	opts := testOptions(t)
	res, _ := Run(context.Background(), []Target{target(t, sshdtest.ClosedPort(t))}, opts)
	if r := res[0]; r.Kind != KindUnreachable || !strings.Contains(r.Err, "connection refused") {
		t.Errorf("closed port: %s %q", r.Kind, r.Err)
	}
}

func TestValidateRefusesNUL(t *testing.T) {
	o := Options{Auth: &sshclient.Auth{}, HostKeys: &sshclient.HostKeys{}, Binaries: map[string]string{"amd64": "x"}, Parallel: 1, HostTimeout: 1, CheckArgs: []string{"a\x00b"}}
	if err := o.Validate(); err == nil {
		t.Error("an argument with a NUL byte was accepted")
	}
}
