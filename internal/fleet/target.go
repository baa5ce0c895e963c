// Package fleet runs golive on many hosts over ssh and merges per-host
// reports into one fleet view. The fan-out copies golive's own binary and
// the service's profile files to a private temporary directory on each
// host, runs `golive check --format json` there, fetches the report and
// removes what it copied; it reaches hosts through internal/sshclient. The
// merge reads reports from anywhere (the fan-out, Ansible, a DaemonSet)
// and treats each one as hostile input.
package fleet

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/golive-sh/golive/internal/sshclient"
)

// Target is one host to check: where it is, and how to get there.
type Target struct {
	sshclient.Dest
	// Route is how to reach the host when ssh_config says more than
	// [user@]host[:port]; nil: dial Addr directly.
	Route *sshclient.Route
}

// route is t's route: its own, or a direct connection.
func (t Target) route() sshclient.Route {
	if t.Route != nil {
		return *t.Route
	}
	return sshclient.Direct(t.Dest)
}

// NeedsDefaultAuth says whether some hop to t uses Options.Auth: the
// command line's keys rather than its ssh_config IdentityFile.
func (t Target) NeedsDefaultAuth() bool { return t.route().NeedsDefaultAuth() }

// routeNote says where a host really was, for its error message, when
// that is not what the operator wrote: " (web1 is 10.0.0.5:22 via bastion)".
func (t Target) routeNote() string {
	r := t.route()
	if r.Addr() == t.Addr() && len(r.Jumps) == 0 {
		return ""
	}
	note := " (" + t.Name() + " is " + r.Addr()
	for i, j := range r.Jumps {
		if i == 0 {
			note += " via "
		} else {
			note += ", "
		}
		note += j.Label
	}
	return note + ")"
}

// Limits on a hosts file, which may come from anywhere.
const (
	maxHostsLine  = 1024
	MaxHosts      = 10000
	maxHostsBytes = 4 << 20
)

// ParseTarget reads [user@]host[:port]; an IPv6 address with a port is
// written in brackets, [::1]:2222.
func ParseTarget(s string) (Target, error) {
	d, err := sshclient.ParseDest(s)
	if err != nil {
		return Target{}, err
	}
	return Target{Dest: d}, nil
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
