package firewall

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// bootState is which firewalls start at boot and what their files say.
type bootState struct {
	enabled  []string // firewalld, ufw, nftables: in that order
	how      map[string]string
	disabled []string // installed but not started at boot, for the message

	fw      *firewalld
	ufw     *ufwState
	nft     *ruleset
	nftFile string
	nftErr  error
	nftSkip int // rules judged as text only

	ipt      *ruleset // iptables-save files, both families
	iptFiles []string
	iptErr   error
	iptSkip  int
}

type bootKey struct{}

func readBoot(h *host.Host) *bootState {
	return facts.Memo(h, bootKey{}, loadBoot)
}

// unitState is the enablement of a unit, "" when it is not installed.
func unitState(h *host.Host, name string) (string, []string, *unit.File) {
	f, err := facts.Unit(h, name)
	if err != nil {
		return "", nil, nil
	}
	st, links := facts.Enablement(h, f)
	return st, links, f
}

func loadBoot(h *host.Host) *bootState {
	b := &bootState{how: map[string]string{}}
	if st, links, _ := unitState(h, "firewalld.service"); st == "enabled" {
		b.enabled = append(b.enabled, "firewalld")
		b.how["firewalld"] = "firewalld.service is enabled (" + strings.Join(links, ", ") + ")"
		b.fw = readFirewalld(h)
	} else if st != "" {
		b.disabled = append(b.disabled, "firewalld.service is "+st)
	}
	u := readUfw(h)
	ust, _, _ := unitState(h, "ufw.service")
	switch {
	case u.enabled && (ust == "enabled" || ust == ""):
		b.enabled = append(b.enabled, "ufw")
		b.how["ufw"] = u.enabledText
		b.ufw = u
	case u.enabled:
		b.disabled = append(b.disabled, fmt.Sprintf("%s but ufw.service is %s", u.enabledText, ust))
	case u.enabledText != "":
		b.disabled = append(b.disabled, "ufw is off ("+u.enabledText+")")
	}
	if st, links, f := unitState(h, "nftables.service"); st == "enabled" {
		b.enabled = append(b.enabled, "nftables")
		b.how["nftables"] = "nftables.service is enabled (" + strings.Join(links, ", ") + ")"
		b.nftFile = nftablesFile(f)
		var p *nftParser
		b.nft, p, b.nftErr = parseNftFile(hostSource{h}, b.nftFile)
		if p != nil {
			b.nftSkip = p.unparsed
		}
	} else if st != "" {
		b.disabled = append(b.disabled, "nftables.service is "+st)
	}
	b.loadIptables(h)
	return b
}

// loadIptables reads the iptables-save files the iptables services restore
// at boot: RHEL's iptables-services and Debian's netfilter-persistent.
func (b *bootState) loadIptables(h *host.Host) {
	type file struct{ family, path string }
	var files []file
	var units []string
	for _, u := range []struct {
		unit  string
		files []file
	}{
		{"iptables.service", []file{{"ip", "/etc/sysconfig/iptables"}}},
		{"ip6tables.service", []file{{"ip6", "/etc/sysconfig/ip6tables"}}},
		{"netfilter-persistent.service", []file{{"ip", "/etc/iptables/rules.v4"}, {"ip6", "/etc/iptables/rules.v6"}}},
	} {
		st, links, _ := unitState(h, u.unit)
		switch {
		case st == "enabled":
			units = append(units, u.unit+" is enabled ("+strings.Join(links, ", ")+")")
			files = append(files, u.files...)
		case st != "":
			b.disabled = append(b.disabled, u.unit+" is "+st)
		}
	}
	if len(files) == 0 {
		return
	}
	b.enabled = append(b.enabled, "iptables")
	b.how["iptables"] = strings.Join(units, "; ")
	b.ipt = newRuleset()
	for _, f := range files {
		data, err := h.ReadFileLimit(f.path, maxNftFile)
		if errors.Is(err, fs.ErrNotExist) {
			continue // the service restores nothing: that family is unfiltered
		}
		if err != nil {
			b.iptErr = err
			return
		}
		b.iptFiles = append(b.iptFiles, f.path)
		n, err := parseIptablesSave(b.ipt, f.family, f.path, data)
		b.iptSkip += n
		if err != nil {
			b.iptErr = err
			return
		}
	}
}

// nftablesFile is the file nftables.service loads: the -f argument of its
// ExecStart=, else the distro's default.
func nftablesFile(f *unit.File) string {
	for _, v := range f.Values("Service", "ExecStart") {
		fs := strings.Fields(strings.TrimLeft(v, "-@:+!"))
		for i := 0; i+1 < len(fs); i++ {
			if fs[i] == "-f" || fs[i] == "--file" {
				return fs[i+1]
			}
		}
	}
	return "/etc/nftables.conf"
}

// hostSource reads nft's files under the root.
type hostSource struct{ h *host.Host }

const maxNftFile = 16 << 20

func (s hostSource) read(name string) ([]byte, error) { return s.h.ReadFileLimit(name, maxNftFile) }

func (s hostSource) glob(pattern string) ([]string, error) {
	dir, file := path.Split(pattern)
	if strings.ContainsAny(dir, "*?[") {
		return nil, fmt.Errorf("golive reads include globs in the last path element only")
	}
	ents, err := s.h.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if ok, _ := path.Match(file, e.Name()); ok && !e.IsDir() {
			out = append(out, path.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// judge is the boot configuration's verdict for the target, and the
// firewalld zone a fix would open the port in.
func (b *bootState) judge(h *host.Host, t target) (portVerdict, string) {
	var parts []portVerdict
	zone := ""
	for _, m := range b.enabled {
		switch m {
		case "firewalld":
			v, z := b.fw.judge(h, t.port, t.proto, t.ifaces)
			v.by = prefixed("firewalld: ", v.by)
			parts, zone = append(parts, v), z
		case "ufw":
			var paths []portVerdict
			for _, i := range orUnknown(t.ifaces) {
				var one []string
				if i != "" {
					one = []string{i}
				}
				paths = append(paths, b.ufw.judge(t.port, t.proto, false, one), b.ufw.judge(t.port, t.proto, true, one))
			}
			v := combine(paths)
			v.problems = append(v.problems, b.ufw.errs...)
			v.by = prefixed("ufw: ", v.by)
			parts = append(parts, v)
		case "iptables":
			if b.iptErr != nil {
				parts = append(parts, portVerdict{state: stateUnknown, problems: []string{b.iptErr.Error()}, where: b.iptFiles})
				continue
			}
			v := evaluatePaths(b.ipt, t, t.ifaces)
			v.by = prefixed("iptables ("+strings.Join(b.iptFiles, ", ")+"): ", v.by)
			v.where = append(v.where, b.iptFiles...)
			parts = append(parts, v)
		case "nftables":
			if b.nftErr != nil {
				parts = append(parts, portVerdict{state: stateUnknown, problems: []string{b.nftErr.Error()}, where: []string{b.nftFile}})
				continue
			}
			v := evaluatePaths(b.nft, t, t.ifaces)
			v.by = prefixed("nftables ("+b.nftFile+"): ", v.by)
			v.where = append(v.where, b.nftFile)
			parts = append(parts, v)
		}
	}
	if len(parts) == 0 {
		return portVerdict{state: stateOpen, by: "no host firewall starts at boot"}, ""
	}
	return stack(parts), zone
}

// evaluatePaths judges a ruleset for both address families and every
// interface clients may arrive on ("" when golive does not know them).
func evaluatePaths(rs *ruleset, t target, ifaces []string) portVerdict {
	var parts []portVerdict
	for _, i := range orUnknown(ifaces) {
		for _, v6 := range []bool{false, true} {
			o := rs.evaluate(packet{v6: v6, proto: t.proto, port: t.port, iif: i})
			v := fromOutcome(o)
			if i != "" && v.state != stateOpen {
				v.by += fmt.Sprintf(" (IPv%d, interface %s)", map[bool]int{false: 4, true: 6}[v6], i)
			}
			parts = append(parts, v)
		}
	}
	return combine(parts)
}

// noInputChain is the loaded verdict of a ruleset with no chain on the
// input path: nothing filters.
const noInputChain = "no chain filters the input hook"

func fromOutcome(o outcome) portVerdict {
	switch {
	case o.unknown != "":
		return portVerdict{state: stateUnknown, problems: []string{"the packet's fate is decided where golive cannot follow: " + o.unknown}}
	case o.accepted:
		by := "accepted"
		if len(o.chains) == 0 {
			by = noInputChain
		}
		return portVerdict{state: stateOpen, by: by, depends: o.depends}
	case len(o.depends) > 0:
		return portVerdict{state: statePartial, by: o.by, depends: o.depends, chain: o.byChain}
	}
	by := "dropped by " + o.by
	if o.rejects {
		by = "rejected by " + o.by
	}
	return portVerdict{state: stateClosed, by: by, chain: o.byChain}
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// orUnknown is the interfaces to judge: "" stands for one golive does not
// know.
func orUnknown(ifaces []string) []string {
	if len(ifaces) == 0 {
		return []string{""}
	}
	return ifaces
}
