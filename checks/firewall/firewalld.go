package firewall

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/golive-sh/golive/internal/host"
)

// firewalld's permanent configuration: /etc/firewalld overrides
// /usr/lib/firewalld file by file (firewalld.zone(5), firewalld.service(5)),
// DefaultZone= in /etc/firewalld/firewalld.conf (public when unset).
const (
	firewalldConf   = "/etc/firewalld/firewalld.conf"
	firewalldEtc    = "/etc/firewalld"
	firewalldUsrLib = "/usr/lib/firewalld"
	maxXMLFile      = 1 << 20
	maxZoneFiles    = 1000
)

type fwPort struct {
	lo, hi uint16
	proto  string
}

func (p fwPort) has(port uint16, proto string) bool {
	return p.proto == proto && port >= p.lo && port <= p.hi
}

type fwRich struct {
	family    string // "", ipv4, ipv6
	condition string // source, destination, ...: what makes it depend on the client
	ports     []fwPort
	services  []string
	action    string // accept, reject, drop, "" (log or audit only)
	text      string
}

type fwZone struct {
	name, file string
	target     string // ACCEPT, %%REJECT%%, DROP, default
	services   []string
	ports      []fwPort
	protocols  []string
	rich       []fwRich
	interfaces []string
	sources    []string
}

type firewalld struct {
	defaultZone string
	zones       map[string]*fwZone
	mu          sync.Mutex          // services is filled as checks running in parallel ask
	services    map[string][]fwPort // service name: its ports
	serviceFile map[string]string
	errs        []string // files that could not be read or parsed
}

// XML shapes (only what decides a port's fate).
type xmlPort struct {
	Port     string `xml:"port,attr"`
	Protocol string `xml:"protocol,attr"`
}
type xmlName struct {
	Name string `xml:"name,attr"`
}
type xmlRich struct {
	Family      string    `xml:"family,attr"`
	Source      *struct{} `xml:"source"`
	Destination *struct{} `xml:"destination"`
	Port        []xmlPort `xml:"port"`
	Service     []xmlName `xml:"service"`
	Accept      *struct{} `xml:"accept"`
	Reject      *struct{} `xml:"reject"`
	Drop        *struct{} `xml:"drop"`
}
type xmlZone struct {
	XMLName  xml.Name  `xml:"zone"`
	Target   string    `xml:"target,attr"`
	Service  []xmlName `xml:"service"`
	Port     []xmlPort `xml:"port"`
	Protocol []struct {
		Value string `xml:"value,attr"`
	} `xml:"protocol"`
	Rule      []xmlRich `xml:"rule"`
	Interface []xmlName `xml:"interface"`
	Source    []struct {
		Address string `xml:"address,attr"`
		Ipset   string `xml:"ipset,attr"`
	} `xml:"source"`
}
type xmlService struct {
	XMLName xml.Name  `xml:"service"`
	Port    []xmlPort `xml:"port"`
	Include []struct {
		Service string `xml:"service,attr"`
	} `xml:"include"`
}

// parsePortSpec reads firewalld's "8080" or "8000-8100".
func parsePortSpec(spec, proto string) (fwPort, error) {
	lo, hi, isRange := strings.Cut(spec, "-")
	a, err := strconv.ParseUint(lo, 10, 16)
	if err != nil {
		return fwPort{}, fmt.Errorf("port %q is not a number", spec)
	}
	b := a
	if isRange {
		if b, err = strconv.ParseUint(hi, 10, 16); err != nil || b < a {
			return fwPort{}, fmt.Errorf("port range %q is not LOW-HIGH", spec)
		}
	}
	return fwPort{uint16(a), uint16(b), proto}, nil
}

// parseZone reads one zone file.
func parseZone(name, file string, data []byte) (*fwZone, error) {
	var x xmlZone
	if err := xml.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	z := &fwZone{name: name, file: file, target: x.Target}
	if z.target == "" {
		z.target = "default"
	}
	for _, s := range x.Service {
		z.services = append(z.services, s.Name)
	}
	for _, p := range x.Port {
		fp, err := parsePortSpec(p.Port, p.Protocol)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		z.ports = append(z.ports, fp)
	}
	for _, p := range x.Protocol {
		z.protocols = append(z.protocols, p.Value)
	}
	for _, i := range x.Interface {
		z.interfaces = append(z.interfaces, i.Name)
	}
	for _, s := range x.Source {
		z.sources = append(z.sources, s.Address+s.Ipset)
	}
	for _, r := range x.Rule {
		fr := fwRich{family: r.Family}
		switch {
		case r.Source != nil:
			fr.condition = "source"
		case r.Destination != nil:
			fr.condition = "destination"
		}
		for _, p := range r.Port {
			fp, err := parsePortSpec(p.Port, p.Protocol)
			if err != nil {
				return nil, fmt.Errorf("%s: rich rule: %v", file, err)
			}
			fr.ports = append(fr.ports, fp)
		}
		for _, s := range r.Service {
			fr.services = append(fr.services, s.Name)
		}
		switch {
		case r.Accept != nil:
			fr.action = "accept"
		case r.Reject != nil:
			fr.action = "reject"
		case r.Drop != nil:
			fr.action = "drop"
		}
		fr.text = richText(fr)
		z.rich = append(z.rich, fr)
	}
	return z, nil
}

func richText(r fwRich) string {
	var parts []string
	if r.family != "" {
		parts = append(parts, "family="+r.family)
	}
	if r.condition != "" {
		parts = append(parts, r.condition+" ...")
	}
	for _, p := range r.ports {
		parts = append(parts, fmt.Sprintf("port %d-%d/%s", p.lo, p.hi, p.proto))
	}
	for _, s := range r.services {
		parts = append(parts, "service "+s)
	}
	parts = append(parts, r.action)
	return "rule " + strings.Join(parts, " ")
}

func parseService(data []byte) ([]fwPort, []string, error) {
	var x xmlService
	if err := xml.Unmarshal(data, &x); err != nil {
		return nil, nil, err
	}
	var ports []fwPort
	for _, p := range x.Port {
		fp, err := parsePortSpec(p.Port, p.Protocol)
		if err != nil {
			return nil, nil, err
		}
		ports = append(ports, fp)
	}
	var inc []string
	for _, i := range x.Include {
		inc = append(inc, i.Service)
	}
	return ports, inc, nil
}

// readFirewalld reads the permanent configuration under the root.
func readFirewalld(h *host.Host) *firewalld {
	fw := &firewalld{defaultZone: "public", zones: map[string]*fwZone{}, services: map[string][]fwPort{}, serviceFile: map[string]string{}}
	if data, err := h.ReadFileLimit(firewalldConf, maxXMLFile); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "DefaultZone="); ok && strings.TrimSpace(v) != "" {
				fw.defaultZone = strings.TrimSpace(v)
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		fw.errs = append(fw.errs, err.Error())
	}
	for name, file := range overlay(h, "zones", fw) {
		data, err := h.ReadFileLimit(file, maxXMLFile)
		if err != nil {
			fw.errs = append(fw.errs, err.Error())
			continue
		}
		z, err := parseZone(name, file, data)
		if err != nil {
			fw.errs = append(fw.errs, err.Error())
			continue
		}
		fw.zones[name] = z
	}
	for name, file := range overlay(h, "services", fw) {
		fw.serviceFile[name] = file
	}
	return fw
}

// overlay lists the .xml files of a kind, /etc's replacing /usr/lib's.
func overlay(h *host.Host, kind string, fw *firewalld) map[string]string {
	out := map[string]string{}
	for _, base := range []string{firewalldUsrLib, firewalldEtc} {
		dir := base + "/" + kind
		ents, err := h.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				fw.errs = append(fw.errs, err.Error())
			}
			continue
		}
		for i, e := range ents {
			if i >= maxZoneFiles {
				fw.errs = append(fw.errs, fmt.Sprintf("%s: more than %d files, the rest not read", dir, maxZoneFiles))
				break
			}
			if n, ok := strings.CutSuffix(e.Name(), ".xml"); ok && !e.IsDir() {
				out[n] = dir + "/" + e.Name()
			}
		}
	}
	return out
}

// servicePorts resolves a service's ports, its includes too.
func (fw *firewalld) servicePorts(h *host.Host, name string) ([]fwPort, error) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.servicePortsLocked(h, name, 0)
}

func (fw *firewalld) servicePortsLocked(h *host.Host, name string, depth int) ([]fwPort, error) {
	if p, ok := fw.services[name]; ok {
		return p, nil
	}
	file, ok := fw.serviceFile[name]
	if !ok {
		return nil, fmt.Errorf("service %q is not defined (no %s/services/%s.xml or %s/services/%s.xml)", name, firewalldEtc, name, firewalldUsrLib, name)
	}
	data, err := h.ReadFileLimit(file, maxXMLFile)
	if err != nil {
		return nil, err
	}
	ports, inc, err := parseService(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if depth < 8 {
		for _, i := range inc {
			more, err := fw.servicePortsLocked(h, i, depth+1)
			if err != nil {
				return nil, err
			}
			ports = append(ports, more...)
		}
	}
	fw.services[name] = ports
	return ports, nil
}

// zoneVerdict says whether zone z lets a new connection to port/proto in.
func (fw *firewalld) zoneVerdict(h *host.Host, z *fwZone, port uint16, proto string, v6 bool) portVerdict {
	v := portVerdict{where: []string{z.file}}
	fam := "ipv4"
	if v6 {
		fam = "ipv6"
	}
	hits := func(ports []fwPort, services []string) (bool, string) {
		for _, p := range ports {
			if p.has(port, proto) {
				return true, fmt.Sprintf("port %s", portText(p))
			}
		}
		for _, s := range services {
			ps, err := fw.servicePorts(h, s)
			if err != nil {
				v.problems = append(v.problems, err.Error())
				continue
			}
			for _, p := range ps {
				if p.has(port, proto) {
					return true, fmt.Sprintf("service %s (%s)", s, fw.serviceFile[s])
				}
			}
		}
		return false, ""
	}
	// firewalld ≥ 0.9 orders a zone's chains deny (rich reject/drop), then
	// allow (ports, services, rich accept): a rich deny wins.
	for _, r := range z.rich {
		if r.family != "" && r.family != fam {
			continue
		}
		ok, _ := hits(r.ports, r.services)
		if !ok {
			continue
		}
		switch {
		case r.action == "reject" || r.action == "drop":
			if r.condition == "" {
				v.state, v.by = stateClosed, fmt.Sprintf("zone %s: rich %s", z.name, r.text)
				return v
			}
			v.depends = append(v.depends, fmt.Sprintf("zone %s: rich %s (for some clients)", z.name, r.text))
		case r.action == "accept" && r.condition != "":
			v.depends = append(v.depends, fmt.Sprintf("zone %s: rich %s (only some clients)", z.name, r.text))
		case r.action == "accept":
			v.state, v.by = stateOpen, fmt.Sprintf("zone %s: rich %s", z.name, r.text)
			return v
		}
	}
	if ok, what := hits(z.ports, z.services); ok {
		v.state, v.by = stateOpen, fmt.Sprintf("zone %s: %s", z.name, what)
		return v
	}
	if slices.Contains(z.protocols, proto) {
		v.state, v.by = stateOpen, fmt.Sprintf("zone %s: protocol %s", z.name, proto)
		return v
	}
	if z.target == "ACCEPT" {
		v.state, v.by = stateOpen, fmt.Sprintf("zone %s: target ACCEPT", z.name)
		return v
	}
	v.state, v.by = stateClosed, fmt.Sprintf("zone %s (%s) allows neither the port nor a service that has it (target %s)", z.name, z.file, z.target)
	if len(v.depends) > 0 {
		v.state = statePartial
	}
	return v
}

func portText(p fwPort) string {
	if p.lo == p.hi {
		return fmt.Sprintf("%d/%s", p.lo, p.proto)
	}
	return fmt.Sprintf("%d-%d/%s", p.lo, p.hi, p.proto)
}

// judge says which zones clients arrive in and what each does with the
// port: the zones that name interfaces (those interfaces, or the ones the
// profile names), and the default zone for every other interface.
func (fw *firewalld) judge(h *host.Host, port uint16, proto string, ifaces []string) (portVerdict, string) {
	return fw.judgeFamilies(h, port, proto, ifaces, []bool{false, true})
}

// judgeFamilies is judge for the address families listed (v6 true).
func (fw *firewalld) judgeFamilies(h *host.Host, port uint16, proto string, ifaces []string, families []bool) (portVerdict, string) {
	if len(fw.errs) > 0 && len(fw.zones) == 0 {
		return portVerdict{state: stateUnknown, problems: fw.errs}, ""
	}
	zoneOf := map[string]string{}
	names := make([]string, 0, len(fw.zones))
	for n := range fw.zones {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, i := range fw.zones[n].interfaces {
			zoneOf[i] = n
		}
	}
	var zones []string
	if len(ifaces) > 0 {
		for _, i := range ifaces {
			z := zoneOf[i]
			if z == "" {
				z = fw.defaultZone
			}
			zones = append(zones, z)
		}
	} else {
		zones = append(zones, fw.defaultZone)
		for _, z := range zoneOf {
			zones = append(zones, z)
		}
	}
	slices.Sort(zones)
	zones = slices.Compact(zones)
	var parts []portVerdict
	for _, zn := range zones {
		z, ok := fw.zones[zn]
		if !ok {
			parts = append(parts, portVerdict{state: stateUnknown, problems: []string{fmt.Sprintf("zone %q is not defined (no %s/zones/%s.xml or %s/zones/%s.xml)", zn, firewalldEtc, zn, firewalldUsrLib, zn)}})
			continue
		}
		for _, v6 := range families {
			parts = append(parts, fw.zoneVerdict(h, z, port, proto, v6))
		}
	}
	v := combine(parts)
	// Zones bound to sources take those clients wherever they come from:
	// where such a zone opens the port, some clients get in.
	for _, n := range names {
		if z := fw.zones[n]; len(z.sources) > 0 {
			if sv := fw.zoneVerdict(h, z, port, proto, families[0]); sv.state == stateOpen {
				v.depends = append(v.depends, fmt.Sprintf("zone %s takes clients from %s: %s", n, strings.Join(z.sources, ", "), sv.by))
				if v.state == stateClosed {
					v.state = statePartial
				}
			}
		}
	}
	v.problems = append(v.problems, fw.errs...)
	return v, zones[0]
}
