// Package firewall checks that a packet from another host reaches the
// service's ports (service.ports in the profile) through the host's
// firewall: firewall/port:<port>/<proto>. It reads the configuration the
// firewall loads at boot — firewalld's zones and services, ufw's user
// rules, nftables' configuration file — and, on a running host, the
// ruleset loaded in the kernel (netlink), and tells them apart like
// sysctl's runtime and boot values.
//
// Profile section (optional):
//
//	firewall:
//	  interfaces: [eth0]   # where clients arrive (default: every interface but lo)
package firewall

import (
	_ "embed"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

const kind = "firewall"

type section struct {
	Interfaces []string `yaml:"interfaces" doc:"The interfaces the service's clients arrive on; a firewall that treats interfaces differently (firewalld zones, iifname rules) is judged for these. Default: every interface but lo." example:"[eth0]"`
}

//go:embed doc.md
var doc string

// managerFact is the firewall the distro ships: what golive names when
// none is enabled, and whose remediation it offers.
var managerFact = profile.DeclareFact(profile.FactSpec[string]{
	Key: "firewall", Family: kind, Doc: "the host firewall the distro ships: firewalld, ufw, nftables or none",
	Check: func(v string) error {
		switch v {
		case "", "firewalld", "ufw", "nftables", "none":
			return nil
		}
		return fmt.Errorf("facts.firewall: %q is not firewalld, ufw, nftables or none", v)
	},
})

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "Firewall: whether clients reach service.ports through the host firewall.", nil)
		},
		Checks: []engine.CheckDoc{
			{Heading: "`firewall/port:<port>/<proto>`", Example: "firewall/port:8080/tcp"},
		},
	})
}

// target is one port of service.ports that clients must reach.
type target struct {
	port       uint16
	proto      string
	ifaces     []string
	distroFact string
}

func (t target) id() string { return fmt.Sprintf("%d/%s", t.port, t.proto) }

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	var s section
	if sec != nil {
		if err := p.DecodeStrict(sec, &s); err != nil {
			return nil, err
		}
	}
	for i, n := range s.Interfaces {
		if n == "" || len(n) > 15 || strings.ContainsAny(n, "/ \t\x00") {
			return nil, p.Errorf(profile.FieldNode(sec, "interfaces").Content[i], "firewall.interfaces: %q is not an interface name (1 to 15 characters, no / or space)", n)
		}
	}
	fact := managerFact.Get(p)
	var checks []engine.Check
	seen := map[string]bool{}
	for _, sp := range p.Service.Ports {
		t := target{port: uint16(sp.Port), proto: sp.Proto, ifaces: s.Interfaces, distroFact: fact}
		if t.proto == "" {
			t.proto = "tcp"
		}
		if sp.Address != "" {
			// A port bound to loopback is not for other hosts: no firewall
			// stands between it and its clients.
			if a, err := netip.ParseAddr(sp.Address); err == nil && a.Unmap().IsLoopback() {
				continue
			}
		}
		if seen[t.id()] {
			continue
		}
		seen[t.id()] = true
		checks = append(checks, &portCheck{Base: engine.Base{M: metaPort(t)}, t: t})
	}
	return checks, nil
}

func explain(id string) (engine.Meta, bool) {
	pid, ok := engine.ParseID(id)
	if !ok || pid.Category != kind || pid.Name != "port" {
		return engine.Meta{}, false
	}
	num, proto, ok := strings.Cut(pid.Target, "/")
	n, err := strconv.ParseUint(num, 10, 16)
	if !ok || err != nil || n == 0 || proto != "tcp" && proto != "udp" {
		return engine.Meta{}, false
	}
	return metaPort(target{port: uint16(n), proto: proto}), true
}

func metaPort(t target) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "port", t.id()), Category: kind,
		Title:    fmt.Sprintf("clients on other hosts reach port %s through the firewall", t.id()),
		Expected: "accepted for a new connection from any client, in the configuration loaded at boot and in the running kernel",
		Level:    profile.LevelFail, Severity: "high",
		Reads: []string{
			"firewalld: " + firewalldConf + " (DefaultZone=), zones and services in " + firewalldEtc + " over " + firewalldUsrLib + " (zones/*.xml, services/*.xml)",
			"ufw: " + ufwConf + " (ENABLED=), " + ufwDefaults + " (DEFAULT_INPUT_POLICY=, IPV6=), " + ufwRules4 + " and " + ufwRules6 + " (### tuple ### lines)",
			"nftables: the file nftables.service loads (its ExecStart= nft -f FILE: /etc/nftables.conf on Debian and Ubuntu, /etc/sysconfig/nftables.conf on RHEL) and what it includes",
			"which of them starts at boot: the units firewalld, ufw, nftables, iptables, netfilter-persistent (.wants links)",
			"the running kernel's nftables ruleset through netlink (CAP_NET_ADMIN: root), /proc/net/ip_tables_names (legacy iptables), the interfaces (a live host only)",
		},
		Why: "a service that starts but whose port the host firewall drops is down for every client while every local check passes — " +
			"\"it started but nobody can reach it\"; a port open only in the running kernel (firewall-cmd without --permanent, " +
			"nft add rule by hand) closes at the next reboot or reload, and one open only in the files is not open yet",
		Fix: "firewalld: firewall-cmd --permanent --zone=ZONE --add-port=PORT/PROTO, then firewall-cmd --reload; " +
			"ufw: ufw allow PORT/PROTO; nftables: a rule accepting the port in the input chain of the file nftables.service loads " +
			"(nft -f FILE to load it); a port open only at runtime: make it permanent the same way",
	}
}
