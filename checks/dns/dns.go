// Package dns checks name resolution the way the service will meet it:
// resolv.conf and nsswitch.conf read exactly as glibc reads them, the
// systemd-resolved stub seen through to its upstream servers, every
// nameserver in use asked directly (github.com/miekg/dns: UDP, TCP when
// truncated), and the service's names resolved through /etc/hosts and DNS
// in the order, with the search list, that glibc would use.
//
// Under --root the configuration comes from the root and the queries are
// made from this machine; --offline skips every check but dns/config.
//
// Profile section (all optional; dns/config and the nameserver checks run
// without it):
//
//	dns:
//	  names:                       # dns/resolve:<name>
//	    - db1.internal.example.com
//	    - {name: api.example.com, expect: [10.0.0.5], types: [A]}
//	  reverse: [10.0.0.5]          # dns/reverse:<ip>
//	  port: 53                     # the nameservers' port
//	  max_nameservers: 3           # dns/config warns above it
//	  max_lookup_time: 10s         # dns/config warns when a lookup can block longer
package dns

import (
	_ "embed"
	"net/netip"
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"
	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and check category.
const kind = "dns"

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "DNS: the resolver configuration and the names the service needs.", profile.Named{"names": profile.ListOf("", "", profile.OneOf("", "", profile.Text("A DNS name.", ""), profile.Of(nameFields{}, "A name with what it must resolve to.")))})
		},
		Checks: []engine.CheckDoc{
			{Heading: "`dns/config`", Example: "dns/config"},
			{Heading: "`dns/nameserver:<ip>`", Example: "dns/nameserver:10.0.0.2"},
			{Heading: "`dns/nameservers`", Example: "dns/nameservers"},
			{Heading: "`dns/resolve:<name>`", Example: "dns/resolve:db.internal.example.com"},
			{Heading: "`dns/reverse:<ip>`", Example: "dns/reverse:10.0.0.11"},
		},
	})
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	st, err := parseSection(sec, p)
	if err != nil {
		return nil, err
	}
	cache := &systemCache{glibc: glibcFact.Get(p)}
	pr := probe{name: ".", qtype: mdns.TypeSOA}
	example := ""
	if len(st.names) > 0 {
		pr = probe{name: st.names[0].name, qtype: st.names[0].types[0]}
		example = st.names[0].name
	}
	cfg := metaConfig()
	cfg.Expected = expectedConfig(st)
	checks := []engine.Check{
		&configCheck{Base: engine.Base{M: cfg}, maxNS: st.maxNS, maxLookup: st.maxLookup, example: example, cache: cache},
		&nameserverSet{Base: engine.Base{M: metaNameservers()}, port: st.port, probe: pr, cache: cache},
	}
	for _, n := range st.names {
		m := metaResolve(n.name)
		m.Where = n.where
		if len(n.expect) > 0 {
			m.Expected = "resolves to " + strings.Join(addrStrings(n.expect), ", ")
		}
		checks = append(checks, &resolveCheck{Base: engine.Base{M: m}, name: n.name, types: n.types, expect: n.expect, port: st.port, cache: cache})
	}
	for _, r := range st.reverse {
		m := metaReverse(r.addr.String())
		m.Where = r.where
		checks = append(checks, &reverseCheck{Base: engine.Base{M: m}, addr: r.addr, port: st.port, cache: cache})
	}
	return checks, nil
}

func expectedConfig(st settings) string {
	return "1 to " + strconv.Itoa(min(st.maxNS, maxNS)) + " nameservers; ndots 1 with a search list; a lookup gives up within " + st.maxLookup.String()
}

// explain describes any dns ID, also one no profile names.
func explain(id string) (engine.Meta, bool) {
	parts, ok := engine.ParseID(id)
	if !ok || parts.Category != kind {
		return engine.Meta{}, false
	}
	kind, target := parts.Name, parts.Target
	switch {
	case kind == "config" && target == "":
		return metaConfig(), true
	case kind == "nameservers" && target == "":
		return metaNameservers(), true
	case kind == "nameserver" && validAddr(target):
		return metaNameserver(target), true
	case kind == "resolve" && target != "":
		return metaResolve(target), true
	case kind == "reverse" && validAddr(target):
		return metaReverse(target), true
	}
	return engine.Meta{}, false
}

func validAddr(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

var resolvReads = []string{
	resolvConfPath + " (glibc's res_init rules: keywords at the start of a line, the last domain/search line wins, the first 3 nameservers are used, options capped as glibc caps them)",
	uplinkPath + " when " + resolvConfPath + " is systemd-resolved's stub (127.0.0.53/54, or a link to stub-resolv.conf)",
}

func metaConfig() engine.Meta {
	return engine.Meta{
		ID: kind + "/config", Category: kind, Title: "resolver configuration",
		Expected: expectedConfig(settings{maxNS: defaultMaxNameservers, maxLookup: defaultMaxLookupTime}),
		Level:    profile.LevelFail, Severity: "high",
		Reads: append(append([]string{}, resolvReads...), nsswitchPath+" (hosts line)", hostsPath, "/proc/sys/kernel/hostname or /etc/hostname (glibc's search domain when resolv.conf has none)"),
		Why:   "every outgoing connection by name starts with a lookup: without a nameserver glibc asks 127.0.0.1, nameservers after the third are never asked, ndots above 1 sends each external name through the search list first, and timeout × attempts × nameservers is how long a lookup blocks when DNS is down",
		Fix:   "edit /etc/resolv.conf (or NetworkManager/netplan/DHCP, which write it; /etc/systemd/resolved.conf DNS= for systemd-resolved): 1 to 3 nameservers that answer, ndots:1, and timeout/attempts that fail fast",
	}
}

func metaNameservers() engine.Meta {
	return engine.Meta{
		ID: kind + "/nameservers", Category: kind, Title: "nameservers in use answer",
		Expected: "every nameserver in use answers", Level: profile.LevelFail, Severity: "high", Network: true,
		Reads: resolvReads,
		Why:   "stands for the dns/nameserver:<ip> checks when the engine cannot plan per host; see dns/nameserver",
		Fix:   "see dns/nameserver",
	}
}

func metaNameserver(addr string) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "nameserver", addr), Category: kind, Title: "nameserver " + addr + " answers",
		Expected: "answers a recursive query within the check timeout", Level: profile.LevelFail, Severity: "high", Network: true,
		Reads: resolvReads,
		Why:   "glibc asks the nameservers in order and waits for each one that stays silent; a server that refuses recursion or answers SERVFAIL is skipped after its answer; queried from this machine, UDP first and TCP when the answer is truncated",
		Fix:   "make the server answer (service running, UDP and TCP 53 open, recursion allowed for this host) or remove it from resolv.conf (or from systemd-resolved's DNS=)",
	}
}

func metaResolve(name string) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "resolve", name), Category: kind, Title: "resolves " + name,
		Expected: "resolves", Level: profile.LevelFail, Severity: "critical", Network: true,
		Reads: append(append([]string{}, resolvReads...), nsswitchPath+" (the hosts line: service order and [STATUS=action])", hostsPath),
		Why:   "the service reaches its dependencies by name; the lookup follows nsswitch.conf (files before dns reads /etc/hosts first), then DNS with the search list and ndots in glibc's order",
		Fix:   "publish the records in DNS (or an /etc/hosts line when files comes first), or fix the nameservers",
	}
}

func metaReverse(addr string) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "reverse", addr), Category: kind, Title: "reverse lookup of " + addr,
		Expected: "has a name (PTR)", Level: profile.LevelFail, Severity: "medium", Network: true,
		Reads: append(append([]string{}, resolvReads...), nsswitchPath, hostsPath),
		Why:   "services that check reverse DNS (MySQL without skip-name-resolve, Kerberos, SSH with UseDNS, mail) reject or slow down addresses without a PTR record",
		Fix:   "ask the owner of the reverse zone (in-addr.arpa / ip6.arpa) to publish a PTR record",
	}
}
