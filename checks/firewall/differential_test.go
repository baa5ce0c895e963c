package firewall

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// probePorts are the ports every case probes; the generator draws rules
// around them.
var probePorts = []uint16{22, 53, 80, 123, 443, 3306, 8080, 9000, 9001, 9100, 40000}

// genRuleset writes a random nft ruleset from the constructs rulesets use
// (and a few that depend on the client, which golive must call "depends").
func genRuleset(r *rand.Rand) string {
	var b strings.Builder
	port := func() string {
		switch r.IntN(6) {
		case 0:
			lo := probePorts[r.IntN(len(probePorts))]
			return fmt.Sprintf("%d-%d", lo, lo+uint16(r.IntN(3)))
		case 1:
			var e []string
			for range 1 + r.IntN(3) {
				e = append(e, fmt.Sprint(probePorts[r.IntN(len(probePorts))]))
			}
			return "{ " + strings.Join(e, ", ") + " }"
		case 2:
			return []string{"ssh", "http", "https", "domain", "ntp", "mysql"}[r.IntN(6)]
		}
		return fmt.Sprint(probePorts[r.IntN(len(probePorts))])
	}
	verdict := func() string {
		return []string{"accept", "accept", "drop", "reject", "counter accept", "log prefix \"x \" drop", "reject with tcp reset"}[r.IntN(7)]
	}
	proto := func() string { return []string{"tcp", "udp"}[r.IntN(2)] }
	ruleLine := func(inet bool, sub bool) string {
		v := verdict()
		if strings.Contains(v, "tcp reset") {
			return fmt.Sprintf("tcp dport %s %s", port(), v)
		}
		switch r.IntN(20) {
		case 0:
			return "ct state established,related accept"
		case 1:
			return "ct state invalid drop"
		case 2:
			return "iif lo accept"
		case 3:
			return fmt.Sprintf("iifname %q %s dport %s %s", []string{"gl0", "gl*", "eth0", "lo"}[r.IntN(4)], proto(), port(), v)
		case 4:
			return fmt.Sprintf("meta l4proto %s %s", proto(), []string{"accept", "drop"}[r.IntN(2)])
		case 5:
			return fmt.Sprintf("meta l4proto { tcp, udp } th dport %s %s", port(), v)
		case 6:
			if inet {
				return fmt.Sprintf("meta nfproto %s %s dport %s %s", []string{"ipv4", "ipv6"}[r.IntN(2)], proto(), port(), v)
			}
		case 7:
			return fmt.Sprintf("%s dport != %s %s", proto(), port(), v)
		case 8:
			if !sub {
				return fmt.Sprintf("%s dport %s %s sub", proto(), port(), []string{"jump", "goto"}[r.IntN(2)])
			}
			return fmt.Sprintf("%s dport %s return", proto(), port())
		case 9:
			return fmt.Sprintf("tcp dport @allowed %s", v)
		case 10:
			return fmt.Sprintf("udp dport vmap { %d : accept, %d : drop }", probePorts[r.IntN(len(probePorts))], probePorts[r.IntN(len(probePorts))])
		case 11:
			return "icmp type echo-request accept"
		case 12:
			return fmt.Sprintf("ip saddr 10.99.0.0/24 %s dport %s %s", proto(), port(), v)
		case 13:
			return fmt.Sprintf("ct state new %s dport %s %s", proto(), port(), v)
		case 14:
			return fmt.Sprintf("meta pkttype host %s dport %s %s", proto(), port(), v)
		case 15:
			return fmt.Sprintf("ip6 nexthdr %s %s dport %s %s", proto(), proto(), port(), v)
		}
		return fmt.Sprintf("%s dport %s %s", proto(), port(), v)
	}
	tables := 1 + r.IntN(2)
	for ti := range tables {
		fam := []string{"inet", "inet", "ip", "ip6"}[r.IntN(4)]
		inet := fam == "inet"
		fmt.Fprintf(&b, "table %s t%d {\n", fam, ti)
		fmt.Fprintf(&b, "\tset allowed { type inet_service; elements = { %d, %d } }\n", probePorts[r.IntN(len(probePorts))], probePorts[r.IntN(len(probePorts))])
		fmt.Fprintf(&b, "\tchain sub {\n")
		for range r.IntN(4) {
			fmt.Fprintf(&b, "\t\t%s\n", ruleLine(inet, true))
		}
		fmt.Fprintf(&b, "\t}\n")
		hook := "input"
		if r.IntN(5) == 0 {
			hook = "prerouting"
		}
		prio := []string{"filter", "0", "-10", "filter + 5", "raw"}[r.IntN(5)]
		fmt.Fprintf(&b, "\tchain c%d {\n\t\ttype filter hook %s priority %s; policy %s;\n", ti, hook, prio, []string{"accept", "drop"}[r.IntN(2)])
		for range 1 + r.IntN(8) {
			fmt.Fprintf(&b, "\t\t%s\n", ruleLine(inet, false))
		}
		fmt.Fprintf(&b, "\t}\n}\n")
	}
	return b.String()
}

// textSource serves one file.
type textSource map[string]string

func (s textSource) read(name string) ([]byte, error) {
	if t, ok := s[name]; ok {
		return []byte(t), nil
	}
	return nil, os.ErrNotExist
}
func (s textSource) glob(string) ([]string, error) { return nil, nil }

// TestRulesetVerdictsMatchRealPackets is the family's truth: random
// rulesets loaded by the real nft into a network namespace the test
// makes, and for every probed port, protocol and address family a real
// packet sent from a second namespace. Where golive's verdict does not
// depend on the client, the packet must agree with it — from the file
// (the offline parser) and from the kernel (netlink, live.go).
func TestRulesetVerdictsMatchRealPackets(t *testing.T) {
	cases := 90
	if testing.Short() {
		cases = 20
	}
	l := newLab(t, probePorts)
	r := rand.New(rand.NewPCG(2026, 12))
	var agreed, dependent, refusedByNft int
	for i := range cases {
		text := genRuleset(r)
		if err := l.load(text); err != nil {
			// The generator may write what nft refuses (a jump loop, a
			// family mismatch): the parser must not be asked about it.
			refusedByNft++
			continue
		}
		file, _, err := parseNftFile(textSource{"/etc/nftables.conf": text}, "/etc/nftables.conf")
		if err != nil {
			t.Fatalf("case %d: nft loaded it, golive refused it: %v\n%s", i, err, text)
		}
		live, err := liveRulesetIn(l.server.Process.Pid)
		if err != nil {
			t.Fatalf("case %d: netlink: %v", i, err)
		}
		a, d := l.probeAll(t, func() string { return fmt.Sprintf("case %d\n%s", i, text) },
			rulesetSource("file", file), rulesetSource("netlink", live))
		agreed, dependent = agreed+a, dependent+d
		if t.Failed() {
			dumpCase(t, i, text)
			return
		}
	}
	t.Logf("%d verdicts agreed with a real packet, %d depended on the client, %d generated rulesets refused by nft", agreed, dependent, refusedByNft)
	if agreed < cases*len(probePorts)*2 {
		t.Errorf("only %d verdicts compared: the generator makes too many dependent cases", agreed)
	}
}

func dumpCase(t *testing.T, i int, text string) {
	d := t.TempDir()
	_ = os.WriteFile(filepath.Join(d, fmt.Sprintf("case%d.nft", i)), []byte(text), 0o644)
}
