package firewall

import (
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

// FuzzNftConfig: nft configuration is outside input (a root's files); the
// parser must end, bound its work, and never panic, and whatever it builds
// must evaluate.
func FuzzNftConfig(f *testing.F) {
	for _, s := range []string{
		"flush ruleset\ntable inet filter {\n chain input {\n  type filter hook input priority filter; policy drop;\n  ct state established,related accept\n  iif lo accept\n  tcp dport { 22, 80-90 } accept\n  udp dport vmap { 53 : accept, 123 : drop }\n }\n}\n",
		"define p = { 22, 443 }\ntable ip t { set s { type inet_service; elements = { 1, 2 } }\nchain c { type filter hook input priority -10; tcp dport $p accept; tcp dport @s drop; jump x }\nchain x { return } }\n",
		"add table inet t\nadd chain inet t c { type filter hook input priority 0 ; policy drop ; }\ninsert rule inet t c tcp dport 22 accept\ndelete table inet t\n",
		"include \"/etc/nftables.d/*.nft\"\ntable inet t { flags dormant; chain c { type filter hook prerouting priority raw; fib saddr . iif oif missing drop } }",
		"table inet t { chain c { meta l4proto { tcp, udp } th dport != 9 reject with icmpx type admin-prohibited\nip saddr 10.0.0.0/8 limit rate 10/second burst 5 packets counter log prefix \"x \" accept } }",
		"table inet t { chain c { \\\n type filter hook input priority filter + 5; } }",
		"table", "{{{{", "\"", "define x = $x\ntable ip t { chain c { tcp dport $x accept } }",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		rs, _, err := parseNftFile(textSource{"/etc/nftables.conf": src, "/etc/nftables.d/a.nft": src}, "/etc/nftables.conf")
		if err != nil {
			return
		}
		for _, v6 := range []bool{false, true} {
			rs.evaluate(packet{v6: v6, proto: "tcp", port: 22, iif: "eth0"})
			rs.evaluate(packet{v6: v6, proto: "udp", port: 53})
		}
	})
}

// FuzzFirewalldXML: zone and service files under the root.
func FuzzFirewalldXML(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="utf-8"?><zone target="DROP"><service name="ssh"/><port port="80-90" protocol="tcp"/><rule family="ipv4"><source address="10.0.0.0/8"/><port port="22" protocol="tcp"/><accept/></rule><interface name="eth0"/></zone>`))
	f.Add([]byte(`<service><port protocol="udp" port="53"/><include service="dns"/></service>`))
	f.Add([]byte(`<zone><port port="-1" protocol="tcp"/></zone>`))
	f.Add([]byte(`<zone`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if z, err := parseZone("z", "/z.xml", data); err == nil {
			fw := &firewalld{defaultZone: "z", zones: map[string]*fwZone{"z": z}, services: map[string][]fwPort{}, serviceFile: map[string]string{}}
			fw.judge(nil, 22, "tcp", nil)
		}
		_, _, _ = parseService(data)
	})
}

// FuzzUfwRules: user.rules under the root.
func FuzzUfwRules(f *testing.F) {
	f.Add([]byte("### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in\n### tuple ### deny any 80,443,8000:8100 0.0.0.0/0 any 10.0.0.0/8 in_eth0\n### tuple ### allow any 22 0.0.0.0/0 any 0.0.0.0/0 OpenSSH - in\n"))
	f.Add([]byte("### tuple ### allow tcp 9:1 x y z in\n### tuple ###\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, _ := parseUfwTuples("/etc/ufw/user.rules", data)
		st := &ufwState{enabled: true, policy: "DROP", ipv6: true, rules4: rules, rules6: rules}
		for _, p := range []uint16{22, 80, 8050} {
			st.judge(p, "tcp", false, []string{"eth0"})
		}
	})
}

// FuzzVerdictAttr: a verdict map element's data, as netlink gives it.
func FuzzVerdictAttr(f *testing.F) {
	f.Add([]byte{8, 0, 1, 0, 0, 0, 0, 1})
	f.Add([]byte{8, 0, 1, 0, 0xff, 0xff, 0xff, 0xfd, 8, 0, 2, 0, 'a', 'b', 0, 0})
	f.Add([]byte{3, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = verdictAttr(data)
	})
}

// FuzzLegacyTable: the kernel's x_tables blob is trusted less than that:
// any bytes must give an error or a ruleset that evaluates.
func FuzzLegacyTable(f *testing.F) {
	f.Add(false, uint32(2), uint32(0), uint32(0), make([]byte, 152))
	f.Add(true, uint32(2), uint32(0), uint32(200), make([]byte, 400))
	f.Fuzz(func(t *testing.T, v6 bool, hooks, entry, underflow uint32, blob []byte) {
		tbl := host.LegacyTable{V6: v6, Name: "filter", ValidHooks: hooks & 0x1f, Entries: blob}
		for i := range 5 {
			tbl.HookEntry[i], tbl.Underflow[i] = entry, underflow
		}
		rs := newRuleset()
		if fromLegacy(rs, tbl) == nil {
			rs.evaluate(packet{proto: "tcp", port: 22, iif: "eth0", v6: v6})
		}
	})
}

// FuzzIptablesSave: iptables-save files under the root.
func FuzzIptablesSave(f *testing.F) {
	f.Add([]byte("*filter\n:INPUT DROP [0:0]\n:SVC - [0:0]\n-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i eth+ -p tcp -m multiport --dports 80,8000:8100 -j SVC\n-A SVC -p tcp ! --dport 22 -m comment --comment \"a b\" -j REJECT --reject-with tcp-reset\n-I INPUT 1 -s 10.0.0.0/8 -j ACCEPT\nCOMMIT\n"))
	f.Add([]byte("*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p udp --dport 53 -j DROP\nCOMMIT\n"))
	f.Add([]byte("-A INPUT\n*x\n:"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs := newRuleset()
		if _, err := parseIptablesSave(rs, "ip", "/etc/sysconfig/iptables", data); err == nil {
			rs.evaluate(packet{proto: "tcp", port: 22, iif: "eth0"})
		}
	})
}
