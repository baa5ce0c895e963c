package dns

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// The tests talk to in-process DNS servers on 127.0.0.0/8 only. TestMain
// fences exchange(): an address no test server registered (the host's own
// resolver, systemd-resolved's stub, a fixture's 10.0.0.2) is refused
// before any packet leaves, and the run fails.
var (
	fenceMu    sync.Mutex
	fenced     = map[netip.AddrPort]bool{}
	violations []string
)

func TestMain(m *testing.M) {
	if role := os.Getenv(helperEnv); role != "" {
		os.Exit(runHelper(role)) // re-executed inside the differential test's namespace
	}
	dialGuard = func(ap netip.AddrPort) error {
		fenceMu.Lock()
		defer fenceMu.Unlock()
		if ap.Addr().IsLoopback() && !isStubAddr(ap.Addr()) && fenced[ap] {
			return nil
		}
		violations = append(violations, ap.String())
		return fmt.Errorf("test fence: %s is not a test server", ap)
	}
	code := m.Run()
	if len(violations) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: queries were attempted to addresses outside the test servers: %s\n", strings.Join(violations, ", "))
		code = 1
	}
	os.Exit(code)
}

// allow lets exchange() reach ap (a test server, or a loopback port a test
// wants refused).
func allow(ap netip.AddrPort) {
	fenceMu.Lock()
	defer fenceMu.Unlock()
	fenced[ap] = true
}

// zone says how a test server answers one name (lower-case, fully
// qualified); names it does not hold get NXDOMAIN.
type zone struct {
	rcode     int // an error rcode to answer with; 0: answer from the records
	a, aaaa   []string
	ptr       []string
	truncate  bool // over UDP: an empty answer with TC set; the records over TCP
	tcpSilent bool // over TCP: read the query and never answer
	drop      bool // never answer
	noRA      bool // answer without recursion available
}

// serverSpec describes one server of a lab.
type serverSpec struct {
	ip     string          // 127.0.0.x
	zones  map[string]zone // "." for the root SOA
	silent bool            // a UDP socket that reads and drops; a TCP listener that accepts and says nothing
	noTCP  bool            // nothing listens on TCP: connections are refused
}

// testServer is a running server; seen lists the questions it got.
type testServer struct {
	ip    netip.Addr
	zones map[string]zone
	mu    sync.Mutex
	seen  []seenQuery
}

type seenQuery struct {
	name  string
	qtype uint16
	proto string
}

// names are the distinct query names the server saw, in first-seen order.
func (s *testServer) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, q := range s.seen {
		if len(out) == 0 || !contains(out, q.name) {
			out = append(out, q.name)
		}
	}
	return out
}

func (s *testServer) questions() []seenQuery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenQuery(nil), s.seen...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// startLab starts the servers on one shared random port (the profile's
// dns.port is one number for all nameservers), UDP and TCP alike. It
// binds UDP on a random port first, then everything else on that port,
// and retries with a new port when one of them is taken.
func startLab(t testing.TB, specs ...serverSpec) (uint16, []*testServer) {
	t.Helper()
	for attempt := 0; attempt < 20; attempt++ {
		port, servers, closers, err := tryLab(specs)
		if err != nil {
			for _, c := range closers {
				c.Close()
			}
			continue
		}
		t.Cleanup(func() {
			for _, c := range closers {
				c.Close()
			}
		})
		for _, s := range servers {
			allow(netip.AddrPortFrom(s.ip, port))
		}
		return port, servers
	}
	t.Fatal("could not bind the test servers on one port")
	return 0, nil
}

func tryLab(specs []serverSpec) (uint16, []*testServer, []io.Closer, error) {
	var closers []io.Closer
	var servers []*testServer
	port := 0
	for _, spec := range specs {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(spec.ip, fmt.Sprint(port)))
		if err != nil {
			return 0, nil, closers, err
		}
		closers = append(closers, pc)
		port = pc.LocalAddr().(*net.UDPAddr).Port
		var ln net.Listener
		if !spec.noTCP {
			if ln, err = net.Listen("tcp", net.JoinHostPort(spec.ip, fmt.Sprint(port))); err != nil {
				return 0, nil, closers, err
			}
			closers = append(closers, ln)
		}
		s := &testServer{ip: netip.MustParseAddr(spec.ip), zones: spec.zones}
		servers = append(servers, s)
		if spec.silent {
			go drainUDP(pc)
			if ln != nil {
				go holdTCP(ln)
			}
			continue
		}
		closers = append(closers, s.serve(pc, ln)...)
	}
	return uint16(port), servers, closers, nil
}

// serve runs miekg/dns servers on the sockets; the returned closers shut
// them down.
func (s *testServer) serve(pc net.PacketConn, ln net.Listener) []io.Closer {
	var out []io.Closer
	start := func(srv *mdns.Server) {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		out = append(out, shutdown{srv})
	}
	start(&mdns.Server{PacketConn: pc, Handler: mdns.HandlerFunc(func(w mdns.ResponseWriter, r *mdns.Msg) { s.handle(w, r, "udp") })})
	if ln != nil {
		start(&mdns.Server{Listener: ln, Handler: mdns.HandlerFunc(func(w mdns.ResponseWriter, r *mdns.Msg) { s.handle(w, r, "tcp") })})
	}
	return out
}

type shutdown struct{ srv *mdns.Server }

func (s shutdown) Close() error { return s.srv.Shutdown() }

func (s *testServer) handle(w mdns.ResponseWriter, r *mdns.Msg, proto string) {
	if len(r.Question) != 1 {
		return
	}
	q := r.Question[0]
	name := strings.ToLower(q.Name)
	s.mu.Lock()
	s.seen = append(s.seen, seenQuery{name, q.Qtype, proto})
	s.mu.Unlock()
	z, ok := s.zones[name]
	if z.drop || (z.tcpSilent && proto == "tcp") {
		return
	}
	m := new(mdns.Msg)
	m.SetReply(r)
	m.RecursionAvailable = !z.noRA
	switch {
	case !ok:
		m.Rcode = mdns.RcodeNameError
	case z.rcode != 0:
		m.Rcode = z.rcode
	case z.truncate && proto == "udp":
		m.Truncated = true
	default:
		m.Answer = z.records(q)
	}
	_ = w.WriteMsg(m)
}

func (z zone) records(q mdns.Question) []mdns.RR {
	hdr := func(t uint16) mdns.RR_Header {
		return mdns.RR_Header{Name: q.Name, Rrtype: t, Class: mdns.ClassINET, Ttl: 60}
	}
	var out []mdns.RR
	switch q.Qtype {
	case mdns.TypeA:
		for _, a := range z.a {
			out = append(out, &mdns.A{Hdr: hdr(mdns.TypeA), A: net.ParseIP(a)})
		}
	case mdns.TypeAAAA:
		for _, a := range z.aaaa {
			out = append(out, &mdns.AAAA{Hdr: hdr(mdns.TypeAAAA), AAAA: net.ParseIP(a)})
		}
	case mdns.TypePTR:
		for _, p := range z.ptr {
			out = append(out, &mdns.PTR{Hdr: hdr(mdns.TypePTR), Ptr: mdns.Fqdn(p)})
		}
	case mdns.TypeSOA:
		out = append(out, &mdns.SOA{Hdr: hdr(mdns.TypeSOA), Ns: "a.root-servers.net.", Mbox: "nstld.verisign-grs.com.",
			Serial: 2026112100, Refresh: 1800, Retry: 900, Expire: 604800, Minttl: 86400})
	}
	return out
}

// drainUDP reads and drops every datagram until the socket is closed.
func drainUDP(pc net.PacketConn) {
	buf := make([]byte, 65536)
	for {
		if _, _, err := pc.ReadFrom(buf); err != nil {
			return
		}
	}
}

// holdTCP accepts connections and never writes; they close with the
// listener's owner at cleanup (the client's own deadline ends them first).
func holdTCP(ln net.Listener) {
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(time.Millisecond)
			continue
		}
		held = append(held, c)
	}
}
