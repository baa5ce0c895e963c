package port

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strconv"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

const nonRootEnv = "GOLIVE_PORT_NONROOT_PORT"

// TestNonRootCannotNameTheHolder: golive as nobody sees root's listener
// in /proc/net but may not read root's /proc/<pid>/fd. port/free still
// fails (the port is taken) and says naming the holder needs root;
// port/listen, which must tell the service's unit from another, skips
// with "needs root". As root, the test binary runs itself as nobody
// while this process holds the socket.
func TestNonRootCannotNameTheHolder(t *testing.T) {
	if p := os.Getenv(nonRootEnv); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			t.Fatal(err)
		}
		nonRootCheck(t, uint16(n))
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to hold a socket nobody cannot trace to its process (as non-root, see TestSocketTableAgreesWithSS)")
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := netip.MustParseAddrPort(l.Addr().String()).Port()
	hosttest.RerunAsNobody(t, []string{nonRootEnv + "=" + strconv.Itoa(int(port))})
}

func nonRootCheck(t *testing.T, port uint16) {
	if os.Geteuid() == 0 {
		t.Fatal("meant to run unprivileged")
	}
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	r := rule{Port: port, Proto: "tcp", Expect: expectFree, Unit: "payments.service"}
	check(t, (&freeCheck{rule: r}).Run(context.Background(), h), engine.Fail, "uid 0", "naming the process needs root")
	r.Expect = expectListening
	check(t, (&listenCheck{rule: r}).Run(context.Background(), h), engine.Skip, "needs root: naming the process on "+strconv.Itoa(int(port))+"/tcp")
}
