package sshclient

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Dest is a destination as ssh(1) takes it: [user@]host[:port].
type Dest struct {
	User string // empty: the default user
	Host string // a name or an IP address, without brackets
	Port int    // 22 unless given
	// PortGiven says the port was written, so it wins over ssh_config.
	PortGiven bool
}

// Addr is host:port as net.Dial wants it.
func (d Dest) Addr() string { return net.JoinHostPort(d.Host, strconv.Itoa(d.Port)) }

// Name is how the host is shown and named in files: host, or host:port
// when the port is not 22. The user is left out: it is how golive logged
// in, not which machine it checked.
func (d Dest) Name() string {
	if d.Port == 22 {
		return d.Host
	}
	return d.Addr()
}

// String is the destination as written: [user@]host[:port].
func (d Dest) String() string {
	if d.User == "" {
		return d.Name()
	}
	return d.User + "@" + d.Name()
}

// ParseDest reads [user@]host[:port]; an IPv6 address with a port is
// written in brackets, [::1]:2222.
func ParseDest(s string) (Dest, error) {
	d := Dest{Port: 22}
	rest := s
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		d.User, rest = rest[:i], rest[i+1:]
		if !validUser(d.User) {
			return Dest{}, fmt.Errorf("%q: bad user name", s)
		}
	}
	host, port := rest, ""
	switch {
	case strings.HasPrefix(rest, "["):
		h, p, err := net.SplitHostPort(rest)
		if err != nil {
			h, ok := strings.CutSuffix(strings.TrimPrefix(rest, "["), "]")
			if !ok {
				return Dest{}, fmt.Errorf("%q: bad [address]:port", s)
			}
			host = h
		} else {
			host, port = h, p
		}
	case strings.Count(rest, ":") == 1:
		host, port, _ = strings.Cut(rest, ":")
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return Dest{}, fmt.Errorf("%q: port must be 1 to 65535", s)
		}
		d.Port, d.PortGiven = n, true
	}
	if !validHost(host) {
		return Dest{}, fmt.Errorf("%q: bad host name or address", s)
	}
	d.Host = host
	return d, nil
}

// validHost accepts DNS names and IPv4/IPv6 literals. Anything else (a
// space, a quote, a leading dash that ssh tooling would read as an option)
// is refused so a hostile hosts file cannot smuggle text into messages,
// file names or known_hosts lines.
func validHost(h string) bool {
	if h == "" || len(h) > 253 || h[0] == '-' || h[0] == '.' {
		return false
	}
	if net.ParseIP(h) != nil {
		return true
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// validUser accepts POSIX-ish login names.
func validUser(u string) bool {
	if u == "" || len(u) > 64 || u[0] == '-' {
		return false
	}
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' || r == '$') {
			return false
		}
	}
	return true
}
