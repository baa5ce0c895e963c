package dns

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	mdns "github.com/miekg/dns"
	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/profile"
)

// Defaults of the dns section.
const (
	defaultPort           = 53
	defaultMaxNameservers = maxNS
	// defaultMaxLookupTime is how long a lookup may block before dns/config
	// warns: the request timeouts of most services are 10 to 30 s, and a
	// lookup that uses them up turns a DNS outage into a service outage
	// instead of a quick, retryable error.
	defaultMaxLookupTime = 10 * time.Second
)

// section is the dns: part of a profile, as written.
type section struct {
	Names          []yaml.Node `yaml:"names" shape:"names" doc:"Names that must resolve through the host's resolver." example:"[db1.internal.example.com]"` // a name, or {name, expect, types}
	Reverse        []string    `yaml:"reverse" doc:"Addresses whose reverse lookup must answer." example:"[10.0.0.21]"`
	Port           *int        `yaml:"port" doc:"The port nameservers are queried on." default:"53" min:"1" max:"65535"`
	MaxNameservers *int        `yaml:"max_nameservers" doc:"The most nameservers resolv.conf may list before a warning." default:"3" min:"1" max:"64"`
	MaxLookupTime  string      `yaml:"max_lookup_time" doc:"The longest a lookup may take when every nameserver is silent." default:"10s" format:"duration"`
}

type nameFields struct {
	Name   string   `yaml:"name" doc:"The name to resolve." required:"true"`
	Expect []string `yaml:"expect" doc:"Addresses the answer must contain."`
	Types  []string `yaml:"types" doc:"Record types to ask for." example:"[A, AAAA]"`
}

// nameSpec is one name to resolve.
type nameSpec struct {
	name   string
	types  []uint16
	expect []netip.Addr
	where  string // file:line of the entry
}

// reverseSpec is one address to look up.
type reverseSpec struct {
	addr  netip.Addr
	where string
}

// settings is the validated section.
type settings struct {
	names     []nameSpec
	reverse   []reverseSpec
	port      uint16
	maxNS     int
	maxLookup time.Duration
}

// parseSection validates the section; every error names the file and
// line it was written on.
func parseSection(sec *yaml.Node, p *profile.Profile) (settings, error) {
	st := settings{port: defaultPort, maxNS: defaultMaxNameservers, maxLookup: defaultMaxLookupTime}
	if sec == nil {
		return st, nil
	}
	var s section
	if err := p.DecodeStrict(sec, &s); err != nil {
		return st, err
	}
	if s.Port != nil {
		if *s.Port < 1 || *s.Port > 65535 {
			return st, p.Errorf(profile.FieldNode(sec, "port"), "dns.port must be between 1 and 65535, not %d", *s.Port)
		}
		st.port = uint16(*s.Port)
	}
	if s.MaxNameservers != nil {
		if *s.MaxNameservers < 1 || *s.MaxNameservers > 64 {
			return st, p.Errorf(profile.FieldNode(sec, "max_nameservers"), "dns.max_nameservers must be between 1 and 64, not %d", *s.MaxNameservers)
		}
		st.maxNS = *s.MaxNameservers
	}
	if s.MaxLookupTime != "" {
		d, err := time.ParseDuration(s.MaxLookupTime)
		if err != nil || d < time.Second || d > time.Hour {
			return st, p.Errorf(profile.FieldNode(sec, "max_lookup_time"), "dns.max_lookup_time must be a duration from 1s to 1h such as \"10s\", not %q", s.MaxLookupTime)
		}
		st.maxLookup = d
	}
	seen := map[string]bool{}
	if n := profile.FieldNode(sec, "names"); n != sec {
		for _, item := range n.Content {
			spec, err := parseName(item, p)
			if err != nil {
				return st, err
			}
			// "db1" and "db1." differ (the dot turns the search list
			// off); case does not, for DNS or /etc/hosts.
			key := strings.ToLower(spec.name)
			if seen[key] {
				return st, p.Errorf(item, "dns.names: %q is listed twice", spec.name)
			}
			seen[key] = true
			st.names = append(st.names, spec)
		}
	}
	if n := profile.FieldNode(sec, "reverse"); n != sec {
		seen := map[netip.Addr]bool{}
		for i, raw := range s.Reverse {
			a, err := netip.ParseAddr(raw)
			if err != nil || a.Zone() != "" {
				return st, p.Errorf(n.Content[i], "dns.reverse: %q is not an IP address", raw)
			}
			if seen[a] {
				return st, p.Errorf(n.Content[i], "dns.reverse: %s is listed twice", a)
			}
			seen[a] = true
			st.reverse = append(st.reverse, reverseSpec{addr: a, where: p.Where(n.Content[i])})
		}
	}
	return st, nil
}

func parseName(item *yaml.Node, p *profile.Profile) (nameSpec, error) {
	var f nameFields
	switch item.Kind {
	case yaml.ScalarNode:
		if item.Tag == "!!null" {
			return nameSpec{}, p.Errorf(item, "dns.names: an empty entry")
		}
		f.Name = item.Value
	case yaml.MappingNode:
		if err := p.DecodeStrict(item, &f); err != nil {
			return nameSpec{}, err
		}
		if f.Name == "" {
			return nameSpec{}, p.Errorf(item, "dns.names: an entry needs a name:")
		}
	default:
		return nameSpec{}, p.Errorf(item, "dns.names: expected a name or a mapping with name:, expect: and types:")
	}
	spec := nameSpec{name: f.Name, where: p.Where(item)}
	if _, err := netip.ParseAddr(f.Name); err == nil {
		return spec, p.Errorf(item, "dns.names: %q is an address, not a name (list it under dns.reverse)", f.Name)
	}
	if _, ok := mdns.IsDomainName(f.Name); !ok || strings.ContainsAny(f.Name, " \t\r\n") || len(strings.TrimSuffix(f.Name, ".")) > 253 {
		return spec, p.Errorf(item, "dns.names: %q is not a domain name", f.Name)
	}
	types, err := parseTypes(f.Types)
	if err != nil {
		return spec, p.Errorf(profile.FieldNode(item, "types"), "dns.names: %s: %v", f.Name, err)
	}
	spec.types = types
	for i, raw := range f.Expect {
		a, err := netip.ParseAddr(raw)
		at := profile.FieldNode(item, "expect")
		if i < len(at.Content) {
			at = at.Content[i]
		}
		if err != nil || a.Zone() != "" {
			return spec, p.Errorf(at, "dns.names: %s: expect %q is not an IP address", f.Name, raw)
		}
		if !wantsFamily(types, a) {
			return spec, p.Errorf(at, "dns.names: %s: expects %s, but types has no %s", f.Name, a, familyType(a))
		}
		spec.expect = append(spec.expect, a)
	}
	return spec, nil
}

// parseTypes reads types: [A, AAAA]; both when empty, as getaddrinfo
// asks for both (AF_UNSPEC).
func parseTypes(raw []string) ([]uint16, error) {
	if len(raw) == 0 {
		return []uint16{mdns.TypeA, mdns.TypeAAAA}, nil
	}
	var out []uint16
	for _, r := range raw {
		var t uint16
		switch strings.ToUpper(r) {
		case "A":
			t = mdns.TypeA
		case "AAAA":
			t = mdns.TypeAAAA
		default:
			return nil, fmt.Errorf("types may hold A and AAAA, not %q", r)
		}
		for _, have := range out {
			if have == t {
				return nil, fmt.Errorf("type %s is listed twice", r)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

func familyType(a netip.Addr) string {
	if a.Is4() {
		return "A"
	}
	return "AAAA"
}
