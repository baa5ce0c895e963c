package dns

import (
	"fmt"
	"net/netip"
	"strings"
)

// hostsEntry is one usable line of /etc/hosts.
type hostsEntry struct {
	addr  netip.Addr
	names []string // canonical name first, then aliases
	line  int
}

// hosts is /etc/hosts as glibc's nss_files reads it. It keeps the file's
// bytes and parses lines as lookups scan them, like nss_files does: a
// multi-megabyte blocklist costs its size, not a table of entries.
type hosts struct {
	data     []byte
	problems []problem
}

// maxHostsProblems bounds what a junk-filled hosts file can make a report
// carry; the count of the rest is kept.
const maxHostsProblems = 20

// parseHosts reads hosts(5): '#' starts a comment, the first field is an
// address as inet_pton reads it (IPv6, or dotted-quad IPv4; no zone, no
// inet_aton shorthand), the other fields are names. A line whose address
// does not parse is ignored, as glibc ignores it, and listed in Problems.
func parseHosts(data []byte) *hosts {
	h := &hosts{data: data}
	extra := 0
	h.scan(func(_ hostsEntry, p *problem) bool {
		switch {
		case p == nil:
		case len(h.problems) < maxHostsProblems:
			h.problems = append(h.problems, *p)
		default:
			extra++
		}
		return true
	})
	if extra > 0 {
		h.problems = append(h.problems, problem{0, fmt.Sprintf("and %d more malformed lines", extra)})
	}
	return h
}

// scan calls fn for every entry, or with a problem for every line glibc
// ignores, until fn returns false.
func (h *hosts) scan(fn func(e hostsEntry, p *problem) bool) {
	for n, line := range lines(h.data) {
		if c := strings.IndexByte(line, '#'); c >= 0 {
			line = line[:c]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		addr, err := netip.ParseAddr(fields[0])
		var p *problem
		switch {
		case err != nil || addr.Zone() != "":
			p = &problem{n, fmt.Sprintf("%q is not an IP address: glibc ignores the line", clip(fields[0]))}
		case len(fields) == 1:
			p = &problem{n, fmt.Sprintf("%s has no name", addr)}
		}
		if !fn(hostsEntry{addr: addr, names: fields[1:], line: n}, p) {
			return
		}
	}
}

// entries returns every usable line, for tests and tools; lookups scan.
func (h *hosts) entries() []hostsEntry {
	var out []hostsEntry
	h.scan(func(e hostsEntry, p *problem) bool {
		if p == nil {
			out = append(out, e)
		}
		return true
	})
	return out
}

// lookupAll returns the addresses of every line naming name (canonical name
// or alias, compared case-insensitively as glibc's strcasecmp does), in
// file order, and the lines they came from: glibc's getaddrinfo collects
// all matching lines, IPv4 and IPv6 alike, with /etc/host.conf's
// "multi on" (every distro's); lookupFirst is what it does without.
func (h *hosts) lookupAll(name string) (addrs []netip.Addr, lineNos []int) {
	return h.lookup(name, true)
}

// lookupFirst returns the address of the first line naming name.
func (h *hosts) lookupFirst(name string) (addrs []netip.Addr, lineNos []int) {
	return h.lookup(name, false)
}

func (h *hosts) lookup(name string, multi bool) (addrs []netip.Addr, lineNos []int) {
	h.scan(func(e hostsEntry, p *problem) bool {
		if p == nil && hasName(e.names, name) {
			addrs, lineNos = append(addrs, e.addr), append(lineNos, e.line)
			return multi
		}
		return true
	})
	return addrs, lineNos
}

// reverse returns the names of the first line for addr, as gethostbyaddr
// answers from files.
func (h *hosts) reverse(addr netip.Addr) (names []string, line int) {
	h.scan(func(e hostsEntry, p *problem) bool {
		if p == nil && e.addr == addr {
			names, line = e.names, e.line
			return false
		}
		return true
	})
	return names, line
}

func hasName(names []string, name string) bool {
	for _, n := range names {
		if asciiEqualFold(n, name) {
			return true
		}
	}
	return false
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
