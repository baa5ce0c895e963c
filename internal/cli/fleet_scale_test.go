package cli_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

// fleetHealthy is how many healthy hosts TestFleetCheckFailuresAtScale
// puts among the failing ones: 12 in a normal `go test`,
// -fleet.hosts=100 for issue 18's full run.
var fleetHealthy = flag.Int("fleet.hosts", 12, "healthy sshd servers among the failing ones in TestFleetCheckFailuresAtScale")

// Issue 18 §"Failure at scale": one `golive fleet check` over many real
// sshd servers, among them one of each way a host fails in a sweep — down,
// a changed host key, a key it does not accept, a shell that never answers
// after auth, a server that never sends its banner, one that sends it and
// then nothing, a full disk, and a login whose cache dir is not writable.
// Each is classified as the fan-out classifies it alone, the healthy
// hosts all finish, and the unchecked ones make the exit code 1 even with
// --fail-on none.
func TestFleetCheckFailuresAtScale(t *testing.T) {
	l := newFleetLab(t)
	healthy := sshdtest.StartMany(t, *fleetHealthy, func(int) sshdtest.Options {
		return sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{l.key.Public}}
	})
	for _, s := range healthy {
		l.trust(t, s.KnownHostsLine())
	}
	const hostTimeout = 30 * time.Second
	accept := []ssh.PublicKey{l.key.Public}

	down := sshdtest.ClosedPort(t)

	changed := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: accept})
	impostor := sshdtest.NewKey(t, l.dir, "recorded_host_key")
	l.trust(t, strings.Replace(changed.KnownHostsLine(),
		strings.TrimSpace(string(ssh.MarshalAuthorizedKey(changed.HostKey.Public))),
		strings.TrimSpace(string(ssh.MarshalAuthorizedKey(impostor.Public))), 1))

	stranger := sshdtest.NewKey(t, l.dir, "stranger")
	noAuth := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{stranger.Public}})
	l.trust(t, noAuth.KnownHostsLine())

	// Authenticates, then every command hangs (a wedged shell, an NFS
	// home that stopped answering). The command ends once its sshd
	// session is gone (the client hung up), else after 2 minutes.
	write(t, l.dir, "hang.sh", "#!/bin/sh\np=$PPID; i=0\nwhile [ $i -lt 120 ] && kill -0 \"$p\" 2>/dev/null; do sleep 1; i=$((i+1)); done\n")
	os.Chmod(filepath.Join(l.dir, "hang.sh"), 0o755)
	hangs := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: accept,
		Config: []string{"ForceCommand exec " + filepath.Join(l.dir, "hang.sh")}})
	l.trust(t, hangs.KnownHostsLine())

	noBanner := sshdtest.StartSilent(t)
	bannerOnly := sshdtest.StartStalling(t)

	// The golive sent does not fit: RLIMIT_FSIZE 1 MiB on the server.
	diskFull := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: accept, FileSizeLimit: 1 << 20})
	l.trust(t, diskFull.KnownHostsLine())

	// A login user whose cache dir cannot be made: $XDG_CACHE_HOME is
	// root's, mode 0755. The host is still checked, with the binary sent
	// into the private temp dir.
	rootOwned := filepath.Join(l.dir, "root-cache")
	if err := os.Mkdir(rootOwned, 0o755); err != nil {
		t.Fatal(err)
	}
	u := sshdtest.User{Name: "golivecache", UID: 4343}
	noCache := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: accept, Users: []sshdtest.User{u},
		Env: []string{"XDG_CACHE_HOME=" + rootOwned}})
	l.trust(t, noCache.KnownHostsLine())

	var hosts strings.Builder
	for _, s := range healthy {
		hosts.WriteString(s.Addr + "\n")
	}
	for _, h := range []string{down, changed.Addr, noAuth.Addr, hangs.Addr, noBanner.Addr, bannerOnly, diskFull.Addr, u.Name + "@" + noCache.Addr} {
		hosts.WriteString(h + "\n")
	}
	write(t, l.dir, "hosts.txt", hosts.String())
	out := filepath.Join(l.dir, "out")
	start := time.Now()
	r := l.run(t, "--config", "ready.yaml", "--hosts", "hosts.txt", "--parallel", "20", "--fail-on", "none", "-q",
		"--host-timeout", hostTimeout.String(), "--timeout", "20s", "--format", "json", "--out-dir", out)
	took := time.Since(start)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1: hosts could not be checked\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	v := decodeFleet(t, []byte(r.stdout))
	t.Logf("%d hosts in %v: %+v", v.Raw.Summary.Hosts, took.Round(time.Millisecond), v.Raw.Summary)

	for _, c := range []struct {
		name, host, kind, want string
	}{
		{"down", down, "unreachable", "refused"},
		{"changed host key", changed.Addr, "hostkey", "CHANGED"},
		{"key not accepted", noAuth.Addr, "auth", ""},
		{"hangs after auth", hangs.Addr, "timeout", "host timeout " + hostTimeout.String()},
		{"no banner", noBanner.Addr, "timeout", "handshake"},
		{"banner, then nothing", bannerOnly, "timeout", "handshake"},
		{"disk full", diskFull.Addr, "remote", "disk full"},
	} {
		st, kind, msg := v.host(t, c.host)
		if st != "unchecked" || kind != c.kind || !strings.Contains(msg, c.want) {
			t.Errorf("%s (%s): %s %s %q; want unchecked %s with %q", c.name, c.host, st, kind, msg, c.kind, c.want)
		}
	}
	for _, s := range append(healthy, noCache) {
		if st, kind, msg := v.host(t, s.Addr); st != "ready" {
			t.Errorf("%s: %s %s %q, want ready: one host's failure must not stop the others", s.Addr, st, kind, msg)
		}
	}
	if s := v.Raw.Summary; s.Hosts != len(healthy)+8 || s.Ready != len(healthy)+1 || s.Unchecked != 7 {
		t.Errorf("summary %+v, want %d hosts, %d ready, 7 unchecked", s, len(healthy)+8, len(healthy)+1)
	}
	// A report for each host checked, none for the others.
	files, _ := filepath.Glob(filepath.Join(out, "127.0.0.1_*.json"))
	if len(files) != len(healthy)+1 {
		t.Errorf("%d reports in --out-dir, want %d", len(files), len(healthy)+1)
	}
	// Nothing left in a temp dir, and no partial binary in a cache.
	assertCleanedUp(t, append(healthy, hangs, diskFull, noCache)...)
	if left, _ := os.ReadDir(filepath.Join(diskFull.Cache, "golive")); len(left) != 0 {
		t.Errorf("the full disk's cache dir holds %v: the partial file must be removed", left)
	}
	if left, _ := os.ReadDir(rootOwned); len(left) != 0 {
		t.Errorf("the unwritable cache dir holds %v", left)
	}
	for _, s := range healthy {
		if left, _ := filepath.Glob(filepath.Join(s.Cache, "golive", "golive-*")); len(left) != 1 {
			t.Errorf("%s: cache holds %v, want the binary", s.Addr, left)
		}
	}
}
