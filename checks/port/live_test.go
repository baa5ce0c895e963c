package port

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/report/reporttest"
	"github.com/golive-sh/golive/internal/testenv"
)

const netnsEnv = "GOLIVE_PORT_IN_NETNS"

// TestSocketTableAgreesWithSS compares golive's reading of /proc/net with
// ss(8) (iproute2, which asks the kernel over netlink sock_diag) in a
// network namespace the test makes, so the only sockets are the ones it
// opens: TCP and UDP, IPv4 and IPv6, loopback and wildcard, v6only on and
// off (set per socket, and through net.ipv6.bindv6only, the namespace's
// own copy of the sysctl). Both must list the same listeners, with the
// same address, port and inode. Then the family's checks run on the
// same sockets and name this process as their holder.
func TestSocketTableAgreesWithSS(t *testing.T) {
	if os.Getenv(netnsEnv) == "" {
		testenv.NeedNamespaces(t)
		testenv.NeedCommand(t, "ss", "iproute2")
		cmd := testenv.Namespace{Net: true}.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), netnsEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
			t.Fatalf("in a network namespace: %v\n%s", err, out)
		}
		t.Logf("%s", out)
		return
	}
	v6 := fileExists("/proc/net/tcp6")
	for _, bindv6only := range []string{"0", "1"} {
		t.Run("bindv6only="+bindv6only, func(t *testing.T) {
			if v6 {
				// The namespace's own sysctl: the host's is untouched.
				if err := os.WriteFile("/proc/sys/net/ipv6/bindv6only", []byte(bindv6only), 0); err != nil {
					t.Fatal(err)
				}
			}
			opened := openSockets(t, v6)
			h, err := host.New("/")
			if err != nil {
				t.Fatal(err)
			}
			tbl := sockets(h)
			if tbl.err != nil || tbl.bad != 0 {
				t.Fatalf("table: %v, %d bad lines", tbl.err, tbl.bad)
			}
			ours := map[string]bool{}
			for _, l := range tbl.listeners {
				ours[fmt.Sprintf("%s %s ino:%d", l.Proto, l.Local(), l.Inode)] = true
			}
			theirs, v6only := ssListeners(t)
			if !maps(ours, theirs) {
				t.Errorf("golive and ss differ:\ngolive %v\nss     %v", keys(ours), keys(theirs))
			}
			for _, want := range opened {
				if !ours[want] {
					t.Errorf("the test's socket %s is missing: %v", want, keys(ours))
				}
			}
			t.Logf("%d listeners agree; ss's v6only per [::] socket (which /proc/net does not show): %v", len(ours), v6only)
			if v6 {
				// The socket that set nothing follows the sysctl.
				raw := strings.Fields(opened[len(opened)-1])[1]
				want := raw[strings.LastIndexByte(raw, ':'):] + " v6only:" + bindv6only
				if len(v6only) != 5 || !slices.ContainsFunc(v6only, func(s string) bool { return strings.HasSuffix(s, want) }) {
					t.Errorf("v6only of the five [::] sockets %v: want one ending %q", v6only, want)
				}
			}
			checkOwnListeners(t, h, opened)
		})
	}
}

// openSockets opens the listeners of the comparison and returns them as
// "proto local ino:N", closed when the test ends.
func openSockets(t *testing.T, v6 bool) []string {
	type spec struct{ network, addr string }
	specs := []spec{{"tcp4", "127.0.0.1:0"}, {"tcp4", "0.0.0.0:0"}, {"udp4", "127.0.0.1:0"}, {"udp4", "0.0.0.0:0"}}
	if v6 {
		specs = append(specs,
			spec{"tcp6", "[::1]:0"}, spec{"udp6", "[::1]:0"},
			spec{"tcp6", "[::]:0"}, spec{"udp6", "[::]:0"}, // Go sets IPV6_V6ONLY on
			spec{"tcp", "[::]:0"}, spec{"udp", "[::]:0"}, // Go sets IPV6_V6ONLY off: dual-stack
		)
	}
	var out []string
	for _, s := range specs {
		var fd uintptr
		var local net.Addr
		if strings.HasPrefix(s.network, "tcp") {
			l, err := net.Listen(s.network, s.addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			local, fd = l.Addr(), sysFD(t, l.(*net.TCPListener))
		} else {
			c, err := net.ListenPacket(s.network, s.addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			local, fd = c.LocalAddr(), sysFD(t, c.(*net.UDPConn))
		}
		out = append(out, fmt.Sprintf("%s %s ino:%d", s.network[:3], netip.MustParseAddrPort(local.String()), inodeOf(t, fd)))
	}
	if v6 {
		// A socket that leaves IPV6_V6ONLY to net.ipv6.bindv6only, as a C
		// program that never sets it does.
		fd, err := syscall.Socket(syscall.AF_INET6, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Close(fd) })
		if err := syscall.Bind(fd, &syscall.SockaddrInet6{}); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Listen(fd, 8); err != nil {
			t.Fatal(err)
		}
		sa, _ := syscall.Getsockname(fd)
		out = append(out, fmt.Sprintf("tcp [::]:%d ino:%d", sa.(*syscall.SockaddrInet6).Port, inodeOf(t, uintptr(fd))))
	}
	return out
}

func sysFD(t *testing.T, c syscall.Conn) uintptr {
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fd uintptr
	rc.Control(func(f uintptr) { fd = f })
	return fd
}

func inodeOf(t *testing.T, fd uintptr) uint64 {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(fd), &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// ssListeners runs ss -ltnueH: "tcp LISTEN 0 128 *:40965 *:* ino:7484770 sk:1003 cgroup:/ v6only:0 <->".
// ss prints a dual-stack [::] as "*"; golive, which cannot tell, as [::].
func ssListeners(t *testing.T) (map[string]bool, []string) {
	out, err := exec.Command("ss", "-ltnueH").Output()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	var v6only []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		local := f[4]
		i := strings.LastIndexByte(local, ':')
		addr, port := strings.Trim(local[:i], "[]"), local[i+1:]
		if j := strings.IndexByte(addr, '%'); j >= 0 {
			addr = addr[:j] // 127.0.0.53%lo: the device a socket is bound to
		}
		if addr == "*" {
			addr = "::"
		}
		var ino string
		for _, x := range f[6:] {
			if strings.HasPrefix(x, "ino:") {
				ino = x
			}
			if strings.HasPrefix(x, "v6only:") && addr == "::" {
				v6only = append(v6only, local+" "+x)
			}
		}
		p, _ := strconv.ParseUint(port, 10, 16)
		got[fmt.Sprintf("%s %s %s", f[0], netip.AddrPortFrom(netip.MustParseAddr(addr), uint16(p)), ino)] = true
	}
	return got, v6only
}

// checkOwnListeners runs the family's checks on the test's first socket,
// tcp 127.0.0.1: this process holds it, and golive must say so.
func checkOwnListeners(t *testing.T, h *host.Host, opened []string) {
	f := strings.Fields(opened[0])
	ap := netip.MustParseAddrPort(f[1])
	r := rule{Port: ap.Port(), Proto: "tcp", Expect: expectFree}
	self := fmt.Sprintf("(pid %d)", os.Getpid())
	check(t, (&freeCheck{rule: r}).Run(context.Background(), h), engine.Fail, "127.0.0.1:"+strconv.Itoa(int(ap.Port())), self)
	r.Expect, r.Address = expectListening, netip.IPv4Unspecified()
	check(t, (&listenCheck{rule: r}).Run(context.Background(), h), engine.Fail, "not on 0.0.0.0")
	r.Address = netip.MustParseAddr("127.0.0.1")
	check(t, (&listenCheck{rule: r}).Run(context.Background(), h), engine.Pass, self)
	r.Address = netip.Addr{}
	check(t, (&listenCheck{rule: r}).Run(context.Background(), h), engine.Warn, "loopback only")
	// The live results' details (listeners with pid, comm, unit) and
	// remediations fit the report schema.
	free := &freeCheck{Base: engine.Base{M: metaFree(r)}, rule: r}
	listen := &listenCheck{Base: engine.Base{M: metaListen(r)}, rule: r}
	reporttest.ValidateOutcome(t, h, "/", engine.Run(context.Background(), h, []engine.Check{free, listen}, engine.RunOptions{}))
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func maps(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
