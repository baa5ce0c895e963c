package firewall

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// genIptablesSave writes a random iptables-save file for one family.
func genIptablesSave(r *rand.Rand, v6 bool) string {
	var b strings.Builder
	port := func() string {
		p := probePorts[r.IntN(len(probePorts))]
		if r.IntN(5) == 0 {
			return fmt.Sprintf("%d:%d", p, p+1+uint16(r.IntN(2)))
		}
		return fmt.Sprint(p)
	}
	proto := func() string { return []string{"tcp", "udp"}[r.IntN(2)] }
	target := func(user bool) string {
		t := []string{"ACCEPT", "ACCEPT", "DROP", "REJECT", "LOG --log-prefix \"x \"", "REJECT --reject-with tcp-reset"}[r.IntN(6)]
		if user && r.IntN(4) == 0 {
			t = []string{"RETURN", "ACCEPT"}[r.IntN(2)]
		}
		return t
	}
	rule := func(chain string, user bool) string {
		t := target(user)
		p := proto()
		if strings.Contains(t, "tcp-reset") {
			p = "tcp"
		}
		switch r.IntN(12) {
		case 0:
			return fmt.Sprintf("-A %s -m state --state RELATED,ESTABLISHED -j ACCEPT", chain)
		case 1:
			return fmt.Sprintf("-A %s -i lo -j ACCEPT", chain)
		case 2:
			return fmt.Sprintf("-A %s -i %s -p %s -m %s --dport %s -j %s", chain, []string{"gl0", "gl+", "eth0", "lo"}[r.IntN(4)], p, p, port(), t)
		case 3:
			return fmt.Sprintf("-A %s -p %s -m multiport --dports %s,%s -j %s", chain, p, port(), port(), t)
		case 4:
			return fmt.Sprintf("-A %s -p %s -m %s ! --dport %s -j %s", chain, p, p, port(), t)
		case 5:
			if !user {
				return fmt.Sprintf("-A %s -p %s -m %s --dport %s -j SVC", chain, p, p, port())
			}
		case 6:
			return fmt.Sprintf("-A %s -p %s -m conntrack --ctstate NEW -m %s --dport %s -j %s", chain, p, p, port(), t)
		case 7:
			src := "10.99.0.0/24"
			if v6 {
				src = "fd99::/64"
			}
			return fmt.Sprintf("-A %s -s %s -p %s -m %s --dport %s -j %s", chain, src, p, p, port(), t)
		case 8:
			return fmt.Sprintf("-A %s -p %s -j %s", chain, p, []string{"ACCEPT", "DROP"}[r.IntN(2)])
		case 9:
			if p == "tcp" {
				return fmt.Sprintf("-A %s -p tcp -m tcp --dport %s --syn -m comment --comment \"new web\" -j %s", chain, port(), t)
			}
		}
		return fmt.Sprintf("-A %s -p %s -m %s --dport %s -j %s", chain, p, p, port(), t)
	}
	b.WriteString("*filter\n")
	fmt.Fprintf(&b, ":INPUT %s [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:SVC - [0:0]\n", []string{"ACCEPT", "DROP"}[r.IntN(2)])
	for range r.IntN(3) {
		b.WriteString(rule("SVC", true) + "\n")
	}
	for range 1 + r.IntN(7) {
		b.WriteString(rule("INPUT", false) + "\n")
	}
	b.WriteString("COMMIT\n")
	if r.IntN(4) == 0 {
		p := proto()
		fmt.Fprintf(&b, "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p %s -m %s --dport %s -j DROP\nCOMMIT\n", p, p, port())
	}
	return b.String()
}

// TestIptablesSaveVerdictsMatchRealPackets: random iptables-save files (as
// /etc/sysconfig/iptables and /etc/iptables/rules.v4 hold them) restored
// by the real iptables-restore and ip6tables-restore into the lab's
// namespace, and a real packet per port, protocol and family.
func TestIptablesSaveVerdictsMatchRealPackets(t *testing.T) {
	testenv.NeedCommand(t, "iptables-restore", "iptables")
	cases := 40
	if testing.Short() {
		cases = 15
	}
	l := newLab(t, probePorts)
	r := rand.New(rand.NewPCG(9, 12))
	var agreed, dependent, refused int
	for i := range cases {
		v4, v6 := genIptablesSave(r, false), genIptablesSave(r, true)
		script := "nft flush ruleset\niptables-restore <<'EOF4'\n" + v4 + "EOF4\nip6tables-restore <<'EOF6'\n" + v6 + "EOF6\n"
		if out, err := exec.Command("nsenter", "--net=/proc/"+strconv.Itoa(l.server.Process.Pid)+"/ns/net", "sh", "-ec", script).CombinedOutput(); err != nil {
			refused++
			t.Logf("case %d refused: %v %s", i, err, out)
			continue
		}
		rs := newRuleset()
		if _, err := parseIptablesSave(rs, "ip", "/etc/iptables/rules.v4", []byte(v4)); err != nil {
			t.Fatalf("case %d: iptables-restore took it, golive did not: %v\n%s", i, err, v4)
		}
		if _, err := parseIptablesSave(rs, "ip6", "/etc/iptables/rules.v6", []byte(v6)); err != nil {
			t.Fatalf("case %d: ip6tables-restore took it, golive did not: %v\n%s", i, err, v6)
		}
		a, d := l.probeAll(t, func() string { return fmt.Sprintf("case %d\n%s\n%s", i, v4, v6) }, rulesetSource("iptables", rs))
		agreed, dependent = agreed+a, dependent+d
		if t.Failed() {
			return
		}
	}
	t.Logf("%d verdicts agreed with iptables-restore and a real packet, %d depended on the client, %d files refused", agreed, dependent, refused)
	if agreed < cases*len(probePorts)*2 {
		t.Errorf("only %d verdicts compared", agreed)
	}
}

// TestLegacyTablesMatchRealPackets: the same generated files restored by
// iptables-legacy-restore into x_tables (what CentOS 7 runs), read back
// through the getsockopt calls iptables-legacy-save makes, and judged
// against real packets.
func TestLegacyTablesMatchRealPackets(t *testing.T) {
	testenv.NeedCommand(t, "iptables-legacy-restore", "iptables")
	cases := 30
	if testing.Short() {
		cases = 10
	}
	l := newLab(t, probePorts)
	r := rand.New(rand.NewPCG(11, 12))
	var agreed, dependent int
	// Every case names both tables, so a restore replaces what the last one left.
	const emptyRaw = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
	for i := range cases {
		v4, v6 := genIptablesSave(r, false), genIptablesSave(r, true)
		for _, f := range []*string{&v4, &v6} {
			if !strings.Contains(*f, "*raw") {
				*f += emptyRaw
			}
		}
		script := "iptables-legacy-restore <<'EOF4'\n" + v4 + "EOF4\nip6tables-legacy-restore <<'EOF6'\n" + v6 + "EOF6\n"
		if out, err := exec.Command("nsenter", "--net=/proc/"+strconv.Itoa(l.server.Process.Pid)+"/ns/net", "sh", "-ec", script).CombinedOutput(); err != nil {
			t.Fatalf("case %d: %v %s", i, err, out)
		}
		rs := newRuleset()
		err := inNetns(l.server.Process.Pid, func() error {
			for _, v6 := range []bool{false, true} {
				for _, name := range []string{"raw", "filter"} {
					tbl, err := host.ReadLegacyTable(v6, name)
					if err != nil {
						return err
					}
					if err := fromLegacy(rs, tbl); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		a, d := l.probeAll(t, func() string { return fmt.Sprintf("case %d\n%s\n%s", i, v4, v6) }, rulesetSource("iptables", rs))
		agreed, dependent = agreed+a, dependent+d
		if t.Failed() {
			return
		}
	}
	t.Logf("%d verdicts from the kernel's legacy tables agreed with real packets, %d depended on the client", agreed, dependent)
	if agreed < cases*len(probePorts)*2 {
		t.Errorf("only %d verdicts compared", agreed)
	}
}
