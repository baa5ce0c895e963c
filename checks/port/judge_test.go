package port

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
)

func sock(proto, addrPort string, o *owner) held {
	ap := netip.MustParseAddrPort(addrPort)
	h := held{listener: listener{Proto: proto, Addr: ap.Addr(), V6: ap.Addr().Is6(), Port: ap.Port(), UID: 998, Inode: 7}}
	if o != nil {
		h.owner, h.known = *o, true
	} else {
		h.refused = true
	}
	return h
}

var (
	nginx = &owner{PID: 812, Comm: "nginx", Unit: "nginx.service"}
	mine  = &owner{PID: 4242, Comm: "payments", Unit: "payments.service"}
)

func portRule(expect, addr string) rule {
	r := rule{Port: 8080, Proto: "tcp", Expect: expect, Unit: "payments.service"}
	if addr != "" {
		r.Address = netip.MustParseAddr(addr)
	}
	return r
}

func TestJudgeFree(t *testing.T) {
	cases := []struct {
		name  string
		rule  rule
		held  []held
		want  engine.Status
		words []string
	}{
		{"nothing listens", portRule("free", ""), nil, engine.Pass, []string{"nothing listens on 8080/tcp"}},
		{"the service's own unit", portRule("free", ""), []held{sock("tcp", "0.0.0.0:8080", mine)}, engine.Pass, []string{"the service's own", "payments (pid 4242) of payments.service"}},
		{"another unit", portRule("free", ""), []held{sock("tcp", "0.0.0.0:8080", nginx)}, engine.Fail, []string{"nginx (pid 812) of nginx.service", "EADDRINUSE"}},
		{"unnamed without root", portRule("free", ""), []held{sock("tcp", "127.0.0.1:8080", nil)}, engine.Fail, []string{"uid 998", "naming the process needs root"}},
		{"loopback holder clashes with the IPv4 wildcard", portRule("free", "0.0.0.0"), []held{sock("tcp", "127.0.0.1:8080", nginx)}, engine.Fail, []string{"nginx"}},
		{"dual-stack holder clashes with IPv4", portRule("free", "10.0.0.5"), []held{sock("tcp", "[::]:8080", nginx)}, engine.Fail, []string{"[::]:8080"}},
		{"another specific address is no clash", portRule("free", "10.0.0.5"), []held{sock("tcp", "127.0.0.1:8080", nginx)}, engine.Pass, []string{"another address than 10.0.0.5"}},
		{"IPv4 wildcard leaves IPv6 free", portRule("free", "::1"), []held{sock("tcp", "0.0.0.0:8080", nginx)}, engine.Pass, []string{"another address"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := judgeFree(c.rule, c.held)
			check(t, res, c.want, c.words...)
			if (res.Status == engine.Fail) != (res.Remediation != nil) {
				t.Errorf("remediation %+v for %s", res.Remediation, res.Status)
			}
		})
	}
}

func TestJudgeListen(t *testing.T) {
	noUnit := portRule("listening", "")
	noUnit.Unit = ""
	cases := []struct {
		name  string
		rule  rule
		held  []held
		want  engine.Status
		words []string
	}{
		{"nothing listens", portRule("listening", ""), nil, engine.Fail, []string{"nothing listens on 8080/tcp: is payments.service running?"}},
		{"wildcard", portRule("listening", ""), []held{sock("tcp", "0.0.0.0:8080", mine)}, engine.Pass, []string{"beyond loopback"}},
		{"loopback only", portRule("listening", ""), []held{sock("tcp", "127.0.0.1:8080", mine), sock("tcp", "[::1]:8080", mine)}, engine.Warn, []string{"loopback only: unreachable from other hosts"}},
		{"loopback named", portRule("listening", "127.0.0.1"), []held{sock("tcp", "127.0.0.1:8080", mine)}, engine.Pass, []string{"127.0.0.1:8080"}},
		{"loopback where 0.0.0.0 is wanted", portRule("listening", "0.0.0.0"), []held{sock("tcp", "127.0.0.1:8080", mine)}, engine.Fail, []string{"not on 0.0.0.0:8080/tcp"}},
		{"IPv4 wildcard serves an IPv4 address", portRule("listening", "10.0.0.5"), []held{sock("tcp", "0.0.0.0:8080", mine)}, engine.Pass, nil},
		{"IPv4 wildcard does not serve ::", portRule("listening", "::"), []held{sock("tcp", "0.0.0.0:8080", mine)}, engine.Fail, nil},
		{"[::] for 0.0.0.0 depends on v6only", portRule("listening", "0.0.0.0"), []held{sock("tcp", "[::]:8080", mine)}, engine.Warn, []string{"dual-stack", "IPV6_V6ONLY"}},
		{"another unit holds it", portRule("listening", ""), []held{sock("tcp", "0.0.0.0:8080", nginx)}, engine.Fail, []string{"held by another process, not payments.service", "nginx"}},
		{"holder unknown without root", portRule("listening", ""), []held{sock("tcp", "0.0.0.0:8080", nil)}, engine.Skip, []string{"needs root: naming the process"}},
		{"without service.unit any listener counts", noUnit, []held{sock("tcp", "0.0.0.0:8080", nil)}, engine.Pass, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, judgeListen(c.rule, c.held), c.want, c.words...)
		})
	}
}

func TestJudgeEphemeral(t *testing.T) {
	eph := portRange{32768, 60999}
	all := []rule{{Port: 40000, Proto: "tcp"}, {Port: 8080, Proto: "tcp"}, {Port: 33000, Proto: "udp"}}
	check(t, judgeEphemeral(all[1], all, eph, nil), engine.Pass, "outside the ephemeral range 32768-60999")
	check(t, judgeEphemeral(all[0], all, eph, []portRange{{39000, 41000}}), engine.Pass, "reserved")
	res := judgeEphemeral(all[0], all, eph, []portRange{{50000, 50000}, {2379, 2380}})
	check(t, res, engine.Warn, "inside the ephemeral range 32768-60999 and not in net.ipv4.ip_local_reserved_ports")
	// One value for every port's fix: the reserved list plus each profile
	// port inside the range, sorted.
	a := res.Remediation.Actions
	if len(a) != 1 || a[0].Key != reservedKey || a[0].Value != "2379-2380,33000,40000,50000" {
		t.Errorf("actions %+v", a)
	}
}

func TestParseSysctlPorts(t *testing.T) {
	if r, err := parsePortRange("32768\t60999\n"); err != nil || r != (portRange{32768, 60999}) {
		t.Errorf("%v %v", r, err)
	}
	for _, bad := range []string{"", "1", "61000 1024", "1 2 3", "0x10 20", "1 70000"} {
		if _, err := parsePortRange(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if rs, err := parsePortList("2379-2380,3306,8080-8089\n"); err != nil || joinRanges(rs) != "2379-2380,3306,8080-8089" {
		t.Errorf("%v %v", rs, err)
	}
	if rs, err := parsePortList("\n"); err != nil || rs != nil {
		t.Errorf("empty: %v %v", rs, err)
	}
	for _, bad := range []string{"a", "10-5", "1,,2", "70000", strings.Repeat("1,", maxReserved) + "1"} {
		if _, err := parsePortList(bad); err == nil {
			t.Errorf("%.20q accepted", bad)
		}
	}
}

func TestUnitFromCgroup(t *testing.T) {
	for in, want := range map[string]string{
		"0::/system.slice/payments.service\n":                     "payments.service",
		"0::/system.slice/payments.service/worker\n":              "payments.service",
		"0::/user.slice/user-1000.slice/session-2.scope\n":        "session-2.scope",
		"12:pids:/\n1:name=systemd:/system.slice/nginx.service\n": "nginx.service",
		"0::/\n": "",
		"11:memory:/system.slice/x.service\n1:name=systemd:/system.slice/y.service": "y.service",
	} {
		if got := unitFromCgroup([]byte(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func check(t *testing.T, r engine.Result, status engine.Status, words ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s %q (observed %q), want %s", r.Status, r.Message, r.Observed, status)
		return
	}
	for _, w := range words {
		if !strings.Contains(r.Message+" | "+r.Observed, w) {
			t.Errorf("%q (observed %q) does not mention %q", r.Message, r.Observed, w)
		}
	}
}
