package firewall

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// lab is two network namespaces the test makes, joined by a veth pair:
// "server" (10.99.0.1, fd99::1 on gl0) holds the ruleset and listeners on
// every probed port, "client" (10.99.0.2, fd99::2 on gl1) sends the real
// packets. Nothing of it touches the host's network: the namespaces die
// with their holder processes.
type lab struct {
	server, client *exec.Cmd
	udpSeen        sync.Map
	closers        []func()
}

const (
	labIface = "gl0"
	serverV4 = "10.99.0.1"
	serverV6 = "fd99::1"
)

func newLab(t *testing.T, ports []uint16) *lab {
	t.Helper()
	testenv.NeedNamespaces(t)
	testenv.NeedCommand(t, "nft", "nftables")
	testenv.NeedCommand(t, "ip", "iproute2")
	l := &lab{}
	for _, c := range []**exec.Cmd{&l.server, &l.client} {
		cmd := exec.Command("unshare", "--net", "sleep", "3600")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		*c = cmd
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	}
	// unshare execs sleep once the namespace exists: wait for that.
	for _, c := range []*exec.Cmd{l.server, l.client} {
		for i := 0; ; i++ {
			self, _ := os.Readlink("/proc/self/ns/net")
			ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", c.Process.Pid))
			if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", c.Process.Pid)); err == nil && ns != self && strings.HasSuffix(exe, "sleep") {
				break
			}
			if i > 500 {
				t.Fatal("the namespace holder did not start")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	sp, cp := l.server.Process.Pid, l.client.Process.Pid
	// Permanent neighbour entries: a ruleset with a drop policy drops
	// ICMPv6 neighbour discovery (and ARP is not IP), and the question is
	// the port's, not whether the link resolves.
	l.sh(t, sp, "ip link set lo up && ip link add gl0 address 02:00:00:00:99:01 type veth peer name gl1 address 02:00:00:00:99:02 netns "+strconv.Itoa(cp)+
		" && ip addr add 10.99.0.1/24 dev gl0 && ip addr add fd99::1/64 dev gl0 nodad && ip link set gl0 up"+
		" && ip neigh add 10.99.0.2 lladdr 02:00:00:00:99:02 dev gl0 nud permanent && ip -6 neigh add fd99::2 lladdr 02:00:00:00:99:02 dev gl0 nud permanent")
	l.sh(t, cp, "ip link set lo up && ip addr add 10.99.0.2/24 dev gl1 && ip addr add fd99::2/64 dev gl1 nodad && ip link set gl1 up"+
		" && ip neigh add 10.99.0.1 lladdr 02:00:00:00:99:01 dev gl1 nud permanent && ip -6 neigh add fd99::1 lladdr 02:00:00:00:99:01 dev gl1 nud permanent")
	t.Cleanup(func() {
		for _, c := range l.closers {
			c()
		}
	})
	err := inNetns(sp, func() error {
		for _, p := range ports {
			ln, err := net.Listen("tcp", fmt.Sprintf("[::]:%d", p))
			if err != nil {
				return err
			}
			l.closers = append(l.closers, func() { ln.Close() })
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					_, _ = c.Write([]byte("k"))
					c.Close()
				}
			}()
			pc, err := net.ListenPacket("udp", fmt.Sprintf("[::]:%d", p))
			if err != nil {
				return err
			}
			l.closers = append(l.closers, func() { pc.Close() })
			go func() {
				buf := make([]byte, 64)
				for {
					n, _, err := pc.ReadFrom(buf)
					if err != nil {
						return
					}
					l.udpSeen.Store(string(buf[:n]), true)
				}
			}()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// sh runs a shell command in the network namespace of pid.
func (l *lab) sh(t *testing.T, pid int, script string) {
	t.Helper()
	out, err := exec.Command("nsenter", "--net=/proc/"+strconv.Itoa(pid)+"/ns/net", "sh", "-ec", script).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
}

// load replaces the server's ruleset with text, through nft -f.
func (l *lab) load(text string) error {
	cmd := exec.Command("nsenter", "--net=/proc/"+strconv.Itoa(l.server.Process.Pid)+"/ns/net", "nft", "-f", "-")
	cmd.Stdin = strings.NewReader("flush ruleset\n" + text)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("nft -f: %v: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

// inNetns runs f on a thread that has joined pid's network namespace; the
// sockets f opens stay in that namespace. The thread is never unlocked, so
// the runtime discards it when f returns.
func inNetns(pid int, f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/net", pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- err
			return
		}
		errc <- f()
	}()
	return <-errc
}

var nonce struct {
	sync.Mutex
	n int
}

// reaches sends one real packet from the client: a TCP connection (true
// when the handshake completes) or a UDP datagram (true when the server's
// socket receives it).
func (l *lab) reaches(p packet, wait time.Duration) (bool, error) {
	addr := serverV4
	if p.v6 {
		addr = serverV6
	}
	var got bool
	err := inNetns(l.client.Process.Pid, func() error {
		target := net.JoinHostPort(addr, strconv.Itoa(int(p.port)))
		if p.proto == "tcp" {
			// Reachable means a client can use it: the handshake completes
			// and the server's first byte comes back (the connection's
			// later packets pass too, not only its SYN).
			c, err := net.DialTimeout("tcp", target, wait)
			if err == nil {
				defer c.Close()
				_ = c.SetReadDeadline(time.Now().Add(wait))
				b := make([]byte, 1)
				n, _ := c.Read(b)
				got = n == 1
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ECONNRESET) ||
				errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM) {
				return nil
			}
			return err
		}
		c, err := net.Dial("udp", target)
		if err != nil {
			return err
		}
		defer c.Close()
		nonce.Lock()
		nonce.n++
		id := fmt.Sprintf("n%d", nonce.n)
		nonce.Unlock()
		_, _ = c.Write([]byte(id))
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		for ctx.Err() == nil {
			if _, ok := l.udpSeen.Load(id); ok {
				got = true
				return nil
			}
			time.Sleep(2 * time.Millisecond)
		}
		return nil
	})
	return got, err
}

// liveRulesetIn reads the ruleset of pid's network namespace through
// netlink, as golive reads the host's.
func liveRulesetIn(pid int) (*ruleset, error) {
	fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/net", pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	k, err := host.ReadNftables(fd)
	if err != nil {
		return nil, err
	}
	_ = inNetns(pid, func() error { k.Interfaces = host.InterfaceNames(); return nil })
	return fromNetlink(k), nil
}

// verdictSource is one way golive judges a probe (a ruleset from a file,
// one read through netlink, a firewalld or ufw configuration).
type verdictSource struct {
	name  string
	judge func(packet) portVerdict
}

// probeAll sends one real packet per probed port, protocol and address
// family, and holds each source's verdict to it: where golive does not say
// the answer depends on the client (a single client cannot stand for all),
// open must mean the packet got through and closed that it did not. An
// "open" the packet contradicts is asked again with a 3 s wait, so that a
// slow machine cannot fail the test. describe names the case in errors.
func (l *lab) probeAll(t *testing.T, describe func() string, sources ...verdictSource) (agreed, dependent int) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, port := range probePorts {
		for _, proto := range []string{"tcp", "udp"} {
			for _, v6 := range []bool{false, true} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					p := packet{v6: v6, proto: proto, port: port, iif: labIface}
					real, err := l.reaches(p, 300*time.Millisecond)
					if err != nil {
						t.Errorf("probe %+v: %v", p, err)
						return
					}
					for _, src := range sources {
						v := src.judge(p)
						if v.state != stateOpen && v.state != stateClosed || len(v.depends) > 0 {
							mu.Lock()
							dependent++
							mu.Unlock()
							continue
						}
						if v.state == stateOpen && !real {
							real, _ = l.reaches(p, 3*time.Second)
						}
						mu.Lock()
						if (v.state == stateOpen) != real {
							t.Errorf("%s/%d v6=%v: golive (%s) says %s (%s), a real packet says reachable=%v, in %s",
								proto, port, v6, src.name, v.state, v.by, real, describe())
						} else {
							agreed++
						}
						mu.Unlock()
					}
				}()
			}
		}
	}
	wg.Wait()
	return agreed, dependent
}

// rulesetSource judges with a ruleset.
func rulesetSource(name string, rs *ruleset) verdictSource {
	return verdictSource{name, func(p packet) portVerdict { return fromOutcome(rs.evaluate(p)) }}
}
