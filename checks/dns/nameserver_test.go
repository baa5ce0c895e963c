package dns

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/remediate"
)

func TestNameserverOutcomesAreDistinct(t *testing.T) {
	const timeout = 500 * time.Millisecond
	cases := []struct {
		name      string
		spec      serverSpec
		names     string // dns.names, when the probe is not the root SOA
		status    engine.Status
		cause     string
		transport string
		fallback  bool
		words     string
		probe     string // the query name the server must see
	}{
		{name: "answers the root SOA", spec: serverSpec{zones: map[string]zone{".": {}}},
			status: engine.Pass, cause: causeAnswer, transport: "udp", words: "NOERROR", probe: "."},
		{name: "NXDOMAIN is an answer", spec: serverSpec{zones: map[string]zone{}},
			status: engine.Pass, cause: causeAnswer, transport: "udp", words: "NXDOMAIN"},
		{name: "SERVFAIL fails", spec: serverSpec{zones: map[string]zone{".": {rcode: mdns.RcodeServerFailure}}},
			status: engine.Fail, cause: causeServfail, transport: "udp", words: "SERVFAIL"},
		{name: "REFUSED fails as refused recursion", spec: serverSpec{zones: map[string]zone{".": {rcode: mdns.RcodeRefused}}},
			status: engine.Fail, cause: causeRefused, transport: "udp", words: "refuses recursion for this client"},
		{name: "another rcode fails", spec: serverSpec{zones: map[string]zone{".": {rcode: mdns.RcodeNotImplemented}}},
			status: engine.Fail, cause: causeRcode, transport: "udp", words: "NOTIMP"},
		{name: "a truncated UDP answer is completed over TCP", spec: serverSpec{zones: map[string]zone{".": {truncate: true}}},
			status: engine.Pass, cause: causeAnswer, transport: "tcp", fallback: true, words: "complete over TCP"},
		{name: "truncated, and TCP is refused", spec: serverSpec{zones: map[string]zone{".": {truncate: true}}, noTCP: true},
			status: engine.Fail, cause: causeNetwork, transport: "tcp", fallback: true, words: "connection refused"},
		{name: "truncated, and TCP stays silent", spec: serverSpec{zones: map[string]zone{".": {truncate: true, tcpSilent: true}}},
			status: engine.Fail, cause: causeTimeout, transport: "tcp", fallback: true, words: "no answer within"},
		{name: "silent server times out at the check timeout", spec: serverSpec{silent: true},
			status: engine.Fail, cause: causeTimeout, transport: "udp", words: "no answer within"},
		{name: "a referral without recursion warns", spec: serverSpec{zones: map[string]zone{"ref.test.": {noRA: true}}}, names: "  names: [ref.test]\n",
			status: engine.Warn, cause: causeAnswer, transport: "udp", words: "not a recursive resolver"},
		{name: "the probe is the first configured name", spec: serverSpec{zones: map[string]zone{"db1.test.": {a: []string{"10.0.0.5"}}}}, names: "  names: [db1.test, db2.test]\n",
			status: engine.Pass, cause: causeAnswer, transport: "udp", words: "db1.test A", probe: "db1.test."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.spec.ip = "127.0.0.1"
			port, servers := startLab(t, c.spec)
			h := labRoot(t, map[string]string{"etc/resolv.conf": resolvConfFor(servers, "")})
			start := time.Now()
			r := result(t, dnsProfile(t, port, c.names), h, "dns/nameserver:127.0.0.1", engine.RunOptions{CheckTimeout: timeout})
			took := time.Since(start)
			if r.Status != c.status || r.Details["cause"] != c.cause || !strings.Contains(r.Message+" "+r.Observed, c.words) {
				t.Fatalf("%s cause=%v %q (observed %q), want %s cause=%s mentioning %q", r.Status, r.Details["cause"], r.Message, r.Observed, c.status, c.cause, c.words)
			}
			if r.Details["transport"] != c.transport || r.Details["tcp_fallback"] != c.fallback {
				t.Errorf("transport %v fallback %v, want %s %v", r.Details["transport"], r.Details["tcp_fallback"], c.transport, c.fallback)
			}
			if _, ok := r.Details["rtt_ms"].(float64); !ok {
				t.Errorf("rtt_ms missing: %v", r.Details)
			}
			if c.cause == causeTimeout && (took < timeout-100*time.Millisecond || took > timeout+400*time.Millisecond) {
				t.Errorf("a silent server took %s; it must end at the check timeout (%s)", took, timeout)
			}
			if r.Status == engine.Fail && (r.Remediation == nil || r.Remediation.Actions[0].Kind != remediate.Manual) {
				t.Errorf("a failing nameserver needs a manual remediation, got %+v", r.Remediation)
			}
			if c.probe != "" {
				if qs := servers[0].questions(); len(qs) == 0 || qs[0].name != c.probe {
					t.Errorf("the server saw %v, want the probe %s", qs, c.probe)
				}
			}
		})
	}
}

func TestNameserverNobodyListeningIsANetworkFailure(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(pc.LocalAddr().(*net.UDPAddr).Port)
	pc.Close() // nothing listens there now: the kernel answers "port unreachable"
	allow(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port))
	h := labRoot(t, map[string]string{"etc/resolv.conf": "nameserver 127.0.0.1\n"})
	r := result(t, dnsProfile(t, port, ""), h, "dns/nameserver:127.0.0.1", engine.RunOptions{CheckTimeout: time.Second})
	if r.Status != engine.Fail || r.Details["cause"] != causeNetwork || !strings.Contains(r.Message, "refused") {
		t.Errorf("%s %v %q, want fail network (connection refused)", r.Status, r.Details["cause"], r.Message)
	}
}

func TestUseVCAsksOverTCPOnly(t *testing.T) {
	port, servers := startLab(t, serverSpec{ip: "127.0.0.1", zones: map[string]zone{".": {}}})
	h := labRoot(t, map[string]string{"etc/resolv.conf": resolvConfFor(servers, "options use-vc\n")})
	r := result(t, dnsProfile(t, port, ""), h, "dns/nameserver:127.0.0.1", engine.RunOptions{})
	if r.Status != engine.Pass || r.Details["transport"] != "tcp" {
		t.Fatalf("%s over %v, want pass over tcp", r.Status, r.Details["transport"])
	}
	for _, q := range servers[0].questions() {
		if q.proto != "tcp" {
			t.Errorf("use-vc: a query went over %s", q.proto)
		}
	}
}

func TestExpandNamesTheServersInUse(t *testing.T) {
	stub := "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch corp.example.com\n"
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"the first three nameservers, duplicates once",
			map[string]string{"etc/resolv.conf": "nameserver 10.0.0.2\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n"},
			[]string{"dns/nameserver:10.0.0.2", "dns/nameserver:10.0.0.3"}},
		{"no nameserver: glibc's implied 127.0.0.1",
			map[string]string{"etc/resolv.conf": "search example.com\n"},
			[]string{"dns/nameserver:127.0.0.1"}},
		{"the resolved stub under --root: its upstreams, not the stub",
			map[string]string{
				"etc/resolv.conf":                       "->../run/systemd/resolve/stub-resolv.conf",
				"run/systemd/resolve/stub-resolv.conf":  stub,
				"run/systemd/resolve/resolv.conf":       "nameserver 10.0.0.2\nnameserver 2001:db8::53\n",
				"usr/lib/systemd/resolv.conf.unrelated": "",
			},
			[]string{"dns/nameserver:10.0.0.2", "dns/nameserver:2001:db8::53"}},
		{"the stub without /run: nothing to probe, the set reports why",
			map[string]string{"etc/resolv.conf": "->../run/systemd/resolve/stub-resolv.conf"},
			[]string{"dns/nameservers"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := labRoot(t, c.files)
			p := testProfile(t, "dns: {}\n")
			checks, err := build(p.Section(kind), p)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ch := range expand(h, checks) {
				if strings.HasPrefix(ch.ID(), "dns/nameserver") {
					got = append(got, ch.ID())
					if !ch.Meta().Network {
						t.Errorf("%s must be a network check (--offline skips it)", ch.ID())
					}
				}
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestNameserverSetProbesAllWhenNotExpanded(t *testing.T) {
	port, servers := startLab(t,
		serverSpec{ip: "127.0.0.1", zones: map[string]zone{".": {}}},
		serverSpec{ip: "127.0.0.2", silent: true})
	h := labRoot(t, map[string]string{"etc/resolv.conf": resolvConfFor(servers, "")})
	p := dnsProfile(t, port, "")
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{CheckTimeout: 500 * time.Millisecond})
	var set engine.Result
	for _, r := range out.Results {
		if r.ID == "dns/nameservers" {
			set = r
		}
	}
	per, _ := set.Details["nameservers"].([]map[string]any)
	if set.Status != engine.Fail || set.Observed != "1 of 2 answer" || len(per) != 2 || !strings.Contains(set.Message, "127.0.0.2") {
		t.Errorf("%s %q %q, %d per-server details; want fail naming 127.0.0.2", set.Status, set.Observed, set.Message, len(per))
	}
}

func TestImpliedLoopbackIsNotAskedUnderRoot(t *testing.T) {
	h := labRoot(t, map[string]string{"etc/resolv.conf": "search example.com\n"})
	all := run(t, testProfile(t, "dns: {names: [db1.test]}\n"), h, engine.RunOptions{})
	for _, id := range []string{"dns/nameserver:127.0.0.1", "dns/resolve:db1.test"} {
		if r := all[id]; r.Status != engine.Skip || !strings.Contains(r.Message, "names no nameserver") {
			t.Errorf("%s: %s %q, want skip: the root's own loopback is not this machine's", id, r.Status, r.Message)
		}
	}
}
