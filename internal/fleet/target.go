// Package fleet runs golive on many hosts over ssh and merges per-host
// reports into one fleet view. The fan-out copies golive's own binary and
// the service's profile files to a private temporary directory on each
// host, runs `golive check --format json` there, fetches the report and
// removes what it copied. The merge reads reports from anywhere (the
// fan-out, Ansible, a DaemonSet) and treats each one as hostile input.
package fleet

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// Target is one host to check: [user@]host[:port].
type Target struct {
	User string // empty: the default user
	Host string // a name or an IP address, without brackets
	Port int    // 22 unless given
	// PortGiven says the port was written, so it wins over ssh_config.
	PortGiven bool
	// Route is how to reach the host when ssh_config says more than
	// [user@]host[:port]; nil: dial Addr directly.
	Route *Route
}

// Limits on a hosts file, which may come from anywhere.
const (
	maxHostsLine  = 1024
	MaxHosts      = 10000
	maxHostsBytes = 4 << 20
)

// Addr is host:port as net.Dial wants it.
func (t Target) Addr() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// Name is how the host is shown and named in files: host, or host:port
// when the port is not 22. The user is left out: it is how golive logged
// in, not which machine it checked.
func (t Target) Name() string {
	if t.Port == 22 {
		return t.Host
	}
	return t.Addr()
}

// String is the target as written: [user@]host[:port].
func (t Target) String() string {
	if t.User == "" {
		return t.Name()
	}
	return t.User + "@" + t.Name()
}

// ParseTarget reads [user@]host[:port]; an IPv6 address with a port is
// written in brackets, [::1]:2222.
func ParseTarget(s string) (Target, error) {
	t := Target{Port: 22}
	rest := s
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		t.User, rest = rest[:i], rest[i+1:]
		if !validUser(t.User) {
			return Target{}, fmt.Errorf("%q: bad user name", s)
		}
	}
	host, port := rest, ""
	switch {
	case strings.HasPrefix(rest, "["):
		h, p, err := net.SplitHostPort(rest)
		if err != nil {
			h, ok := strings.CutSuffix(strings.TrimPrefix(rest, "["), "]")
			if !ok {
				return Target{}, fmt.Errorf("%q: bad [address]:port", s)
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
			return Target{}, fmt.Errorf("%q: port must be 1 to 65535", s)
		}
		t.Port, t.PortGiven = n, true
	}
	if !validHost(host) {
		return Target{}, fmt.Errorf("%q: bad host name or address", s)
	}
	t.Host = host
	return t, nil
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

// HostsError places a bad line of a hosts file.
type HostsError struct {
	File string
	Line int
	Err  error
}

func (e *HostsError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *HostsError) Unwrap() error { return e.Err }

// ParseHosts reads a hosts file: one [user@]host[:port] per line, blank
// lines and # comments (whole-line or trailing) ignored. file names the
// source in errors. A target listed twice is an error: running the same
// host twice would only double its load and its report.
func ParseHosts(r io.Reader, file string) ([]Target, error) {
	lr := &io.LimitedReader{R: r, N: maxHostsBytes + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 0, 512), maxHostsLine)
	var out []Target
	seen := map[Target]int{}
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if strings.ContainsAny(text, " \t") {
			return nil, &HostsError{file, line, errors.New("one host per line")}
		}
		t, err := ParseTarget(text)
		if err != nil {
			return nil, &HostsError{file, line, err}
		}
		key := t
		key.PortGiven = false // db1 and db1:22 are one host
		if first, dup := seen[key]; dup {
			return nil, &HostsError{file, line, fmt.Errorf("%s is already listed on line %d", t, first)}
		}
		seen[key] = line
		if len(out) == MaxHosts {
			return nil, &HostsError{file, line, fmt.Errorf("more than %d hosts", MaxHosts)}
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &HostsError{file, line + 1, fmt.Errorf("line longer than %d bytes", maxHostsLine)}
		}
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	if lr.N <= 0 {
		return nil, fmt.Errorf("read %s: larger than %d bytes", file, maxHostsBytes)
	}
	return out, nil
}
