package firewall

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"

	"github.com/golive-sh/golive/internal/host"
)

// ruleset5000 is a configuration of 5,000 rules: an input chain of
// per-port accepts with counters and comments, as generated rulesets
// (kube-proxy, fail2ban, per-tenant allow lists) look.
func ruleset5000() string {
	var b strings.Builder
	b.WriteString("flush ruleset\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tct state established,related accept\n\t\tiif lo accept\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "\t\tip saddr 10.%d.%d.0/24 tcp dport %d counter accept comment \"tenant %d\"\n", i/250, i%250, 20000+i, i)
	}
	b.WriteString("\t}\n}\n")
	return b.String()
}

// DESIGN.md budget (issue 16): a 5,000-rule ruleset judged under 50 ms —
// parsed from its file and every probe of a port check evaluated.
func BenchmarkNftConfig5000Rules(b *testing.B) {
	src := textSource{"/etc/nftables.conf": ruleset5000()}
	for b.Loop() {
		rs, _, err := parseNftFile(src, "/etc/nftables.conf")
		if err != nil {
			b.Fatal(err)
		}
		for _, v6 := range []bool{false, true} {
			rs.evaluate(packet{v6: v6, proto: "tcp", port: 8080, iif: "eth0"})
		}
	}
}

// The same ruleset as netlink gives it: converted and evaluated.
func BenchmarkLiveRuleset5000Rules(b *testing.B) {
	t := &nftables.Table{Name: "filter", Family: nftables.TableFamilyINet}
	ch := &nftables.Chain{Name: "input", Table: t, Hooknum: nftables.ChainHookInput, Priority: nftables.ChainPriorityFilter}
	k := &host.NftRuleset{Chains: []*nftables.Chain{ch}, Rules: map[*nftables.Chain][]*nftables.Rule{}, Sets: map[host.NftSetKey]host.NftSet{}}
	for i := range 5000 {
		port := make([]byte, 2)
		binary.BigEndian.PutUint16(port, uint16(20000+i))
		k.Rules[ch] = append(k.Rules[ch], &nftables.Rule{Handle: uint64(i + 1), Exprs: []expr.Any{
			&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1}, &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{2}},
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 4},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{10, byte(i / 250), byte(i % 250), 0}},
			&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1}, &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{6}},
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: port},
			&expr.Counter{}, &expr.Verdict{Kind: expr.VerdictAccept},
		}})
	}
	for b.Loop() {
		rs := fromNetlink(k)
		for _, v6 := range []bool{false, true} {
			rs.evaluate(packet{v6: v6, proto: "tcp", port: 8080, iif: "eth0"})
		}
	}
}
