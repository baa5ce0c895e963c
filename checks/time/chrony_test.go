package clock

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/testenv"
)

// The tests here run a real chronyd (the Debian package chrony) on
// loopback: -x leaves this machine's clock alone, -d keeps it in the
// foreground, -u root keeps it from looking up its _chrony user, and the
// generated configuration names only 127.0.0.x sources and temp files.

func lookChrony(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	testenv.Missing(t, name+" not found: install the Debian package chrony (scripts/test-deps.sh does it) to run the time family's tests against a real NTP server")
	return ""
}

// freeUDPPort is a loopback UDP port free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

// startChronyd runs chronyd with conf (plus a pid file in a temp dir) until
// the test ends.
func startChronyd(t *testing.T, conf string) {
	t.Helper()
	bin := lookChrony(t, "chronyd")
	if os.Geteuid() != 0 {
		t.Skip("chronyd -u root needs root") // chronyd refuses another -u without its user
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "chrony.conf")
	conf += fmt.Sprintf("pidfile %s/chronyd.pid\n", dir)
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-x", "-d", "-u", "root", "-f", path)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("chronyd:\n%s", log.String())
		}
	})
}

// TestOffsetAgainstChronyd: a real NTP server (chronyd serving its local
// clock at stratum 8) gives a pass with its stratum and an offset near
// zero: it reads the same clock as this test.
func TestOffsetAgainstChronyd(t *testing.T) {
	port := freeUDPPort(t)
	startChronyd(t, fmt.Sprintf("port %d\nbindaddress 127.0.0.1\nallow 127.0.0.1\nlocal stratum 8\ncmdport 0\n", port))
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var r engine.Result
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if r = offsetResult(t, addr, time.Second); r.Status == engine.Pass {
			break
		}
	}
	want(t, r, engine.Pass, "stratum 8", "within 100ms")
	if off := r.Details["offset_ms"].(float64); off > 20 || off < -20 {
		t.Errorf("offset %vms to a server on this machine's clock", off)
	}
}

// TestOffsetChronydDenies: chronyd answers nothing to a client its allow
// rules do not name: a timeout, as on a real network with a server that
// does not serve this host.
func TestOffsetChronydDenies(t *testing.T) {
	port := freeUDPPort(t)
	startChronyd(t, fmt.Sprintf("port %d\nbindaddress 127.0.0.1\nallow 127.0.0.2\nlocal stratum 8\ncmdport 0\n", port))
	time.Sleep(300 * time.Millisecond)
	r := offsetResult(t, fmt.Sprintf("127.0.0.1:%d", port), 500*time.Millisecond)
	want(t, r, engine.Fail, "timeout")
}

// TestChronyConfSourcesAgreeWithChronyd: for generated chrony.conf files,
// the sources parseNTPConfig reads are the ones chronyd itself configures
// (chronyc sources), in order. Every source is a 127.0.0.x address with
// the discard port, so chronyd sends nothing off loopback.
func TestChronyConfSourcesAgreeWithChronyd(t *testing.T) {
	chronyc := lookChrony(t, "chronyc")
	lines := []string{
		"server 127.0.0.%d port 9 iburst",
		"pool 127.0.0.%d port 9",
		"peer 127.0.0.%d port 9",
		"  Server   127.0.0.%d port 9 minpoll 4 maxpoll 6",
		"SERVER 127.0.0.%d port 9 prefer",
		"\tpool 127.0.0.%d port 9 maxsources 1",
		"# server 127.0.0.%d port 9",
		"! server 127.0.0.%d port 9",
		"; server 127.0.0.%d port 9",
		"%% server 127.0.0.%d port 9",
	}
	for round := range 4 {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			var conf strings.Builder
			addr := 10 + round*20
			// Each round takes a different subset and order of the lines.
			for i := range lines {
				l := lines[(i*(round+3))%len(lines)]
				if (i+round)%4 == 3 {
					continue
				}
				fmt.Fprintf(&conf, l+"\n", addr)
				addr++
			}
			cmdport := freeUDPPort(t)
			fmt.Fprintf(&conf, "port 0\ncmdport %d\nbindcmdaddress 127.0.0.1\ncmdallow 127.0.0.1\n", cmdport)
			mine := parseNTPConfig([]byte(conf.String())).servers
			startChronyd(t, conf.String())
			theirs := chronySources(t, chronyc, cmdport)
			if !slices.Equal(mine, theirs) {
				t.Errorf("parseNTPConfig %v, chronyd %v\n%s", mine, theirs, conf.String())
			}
		})
	}
}

// chronySources asks chronyd for its sources' addresses, retrying while
// it starts.
func chronySources(t *testing.T, chronyc string, port int) []string {
	t.Helper()
	var out []byte
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		out, err = exec.CommandContext(ctx, chronyc, "-h", "127.0.0.1", "-p", fmt.Sprint(port), "-n", "-c", "sources").Output()
		cancel()
		if err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("chronyc sources: %v", err)
	}
	got := []string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Split(line, ","); len(f) > 2 {
			got = append(got, f[2])
		}
	}
	return got
}
