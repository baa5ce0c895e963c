// Package port checks the service's ports (service.ports in the profile):
// that nothing else holds them before go-live (port/free), that the
// service's own unit listens on them, on the addresses it must, after
// go-live (port/listen), and that an outgoing connection cannot take them
// first (port/ephemeral).
//
// The family has no section of its own; it reads service.ports:
//
//	service:
//	  unit: payments.service
//	  ports:
//	    - {port: 8080}                                   # free (the default)
//	    - {port: 9090, address: 0.0.0.0, expect: listening}
//	    - {port: 5353, proto: udp}
package port

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

// kind is the checks' category; the family's profile input is service.ports.
const kind = "port"

// The expect: values of service.ports.
const (
	expectFree      = "free"
	expectListening = "listening"
)

// section is empty: what the family checks is the service's own (service.ports).
type section struct{}

//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "Ports: the family reads service.ports; this section takes no keys.", nil)
		},
		Checks: []engine.CheckDoc{
			{Heading: "`port/free:<port>/<proto>`", Example: "port/free:8080/tcp"},
			{Heading: "`port/listen:<port>/<proto>`", Example: "port/listen:8080/tcp"},
			{Heading: "`port/ephemeral:<port>/<proto>`", Example: "port/ephemeral:8080/tcp"},
		},
	})
}

// rule is one entry of service.ports, defaults applied.
type rule struct {
	Port    uint16
	Proto   string
	Address netip.Addr // invalid: anywhere
	Expect  string
	Unit    string // service.unit: whose listener counts as the service's
}

func (r rule) target() string { return fmt.Sprintf("%d/%s", r.Port, r.Proto) }

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	if sec != nil && (sec.Kind != yaml.MappingNode || len(sec.Content) > 0) {
		at := sec
		if len(sec.Content) > 0 {
			at = sec.Content[0]
		}
		return nil, p.Errorf(at, "port: the section takes no keys (the ports are service.ports)")
	}
	rules := make([]rule, 0, len(p.Service.Ports))
	for _, sp := range p.Service.Ports {
		r := rule{Port: uint16(sp.Port), Proto: sp.Proto, Expect: sp.Expect, Unit: p.Service.Unit}
		if r.Proto == "" {
			r.Proto = "tcp"
		}
		if r.Expect == "" {
			r.Expect = expectFree
		}
		if sp.Address != "" {
			// Checked when the profile was read (profile.checkPorts).
			r.Address, _ = netip.ParseAddr(sp.Address)
			r.Address = r.Address.Unmap()
		}
		rules = append(rules, r)
	}
	var checks []engine.Check
	for _, r := range rules {
		if r.Expect == expectListening {
			checks = append(checks, &listenCheck{Base: engine.Base{M: metaListen(r)}, rule: r})
		} else {
			checks = append(checks, &freeCheck{Base: engine.Base{M: metaFree(r)}, rule: r})
		}
		checks = append(checks, &ephemeralCheck{Base: engine.Base{M: metaEphemeral(r)}, rule: r, all: rules})
	}
	return checks, nil
}

func explain(id string) (engine.Meta, bool) {
	pid, ok := engine.ParseID(id)
	if !ok || pid.Category != kind {
		return engine.Meta{}, false
	}
	num, proto, ok := strings.Cut(pid.Target, "/")
	n, err := strconv.ParseUint(num, 10, 16)
	if !ok || err != nil || n == 0 || proto != "tcp" && proto != "udp" {
		return engine.Meta{}, false
	}
	r := rule{Port: uint16(n), Proto: proto}
	switch pid.Name {
	case "free":
		return metaFree(r), true
	case "listen":
		return metaListen(r), true
	case "ephemeral":
		return metaEphemeral(r), true
	}
	return engine.Meta{}, false
}

const liveOnly = "the running kernel's socket tables (/proc/net/tcp, tcp6, udp, udp6; a live host only)"

func metaFree(r rule) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "free", r.target()), Category: kind,
		Title:    fmt.Sprintf("port %s is free for the service", r.target()),
		Expected: "nothing listens there but " + serviceName(r),
		Level:    profile.LevelFail, Severity: "high",
		Reads: []string{liveOnly, "/proc/<pid>/fd socket links (other users' processes: root only), /proc/<pid>/comm and /proc/<pid>/cgroup, to name the holder"},
		Why: "a port another process holds makes the service's bind fail with EADDRINUSE at go-live: the unit starts, exits, " +
			"and restarts in a loop while the other process answers the service's clients",
		Fix: "stop or reconfigure the process that holds the port (systemctl disable --now UNIT), or give the service another port",
	}
}

func metaListen(r rule) engine.Meta {
	where := "an address beyond loopback"
	if r.Address.IsValid() {
		where = addrName(r.Address)
	}
	return engine.Meta{
		ID: engine.CheckID(kind, "listen", r.target()), Category: kind,
		Title:    fmt.Sprintf("the service listens on %s", r.target()),
		Expected: fmt.Sprintf("%s listens on %s", serviceName(r), where),
		Level:    profile.LevelFail, Severity: "high",
		Reads: []string{liveOnly, "/proc/<pid>/fd socket links (other users' processes: root only), /proc/<pid>/comm and /proc/<pid>/cgroup, to name the listener"},
		Why: "a service that started but does not listen where its clients connect is down for them: bound to 127.0.0.1 it is " +
			"unreachable from other hosts, on another process's port its clients reach the wrong program",
		Fix: "start the unit (systemctl enable --now UNIT) and make it listen on the address and port the profile names",
	}
}

func metaEphemeral(r rule) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "ephemeral", r.target()), Category: kind,
		Title:    fmt.Sprintf("port %s is outside the ephemeral range or reserved", r.target()),
		Expected: "outside net.ipv4.ip_local_port_range, or in net.ipv4.ip_local_reserved_ports",
		Level:    profile.LevelWarn, Severity: "medium",
		Reads: []string{"/proc/sys/net/ipv4/ip_local_port_range", "/proc/sys/net/ipv4/ip_local_reserved_ports"},
		Why: "the kernel picks the local port of every outgoing connection (and of every unbound UDP send) from " +
			"net.ipv4.ip_local_port_range, IPv6 included; a service port inside it can be taken by a client connection before " +
			"the service binds it, so a restart fails with EADDRINUSE at random",
		Fix: "add the port to net.ipv4.ip_local_reserved_ports (a sysctl-set action: sysctl -w now, and a line in " +
			"/etc/sysctl.d/90-golive.conf for the next boot), or move the service below the range",
	}
}

func serviceName(r rule) string {
	if r.Unit != "" {
		return r.Unit
	}
	return "the service"
}

// addrName says what a profile's address stands for.
func addrName(a netip.Addr) string {
	switch {
	case a == netip.IPv4Unspecified():
		return "0.0.0.0 (every IPv4 address)"
	case a == netip.IPv6Unspecified():
		return ":: (every IPv6 address)"
	}
	return a.String()
}
