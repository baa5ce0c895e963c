package clock

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// Bounds on what a configuration file may make golive keep.
const (
	maxServers  = 64
	maxProblems = 20
	maxLine     = 4096
)

// ntpConfig is what golive reads from chrony.conf(5) or ntp.conf(5): the
// time sources. Both name them the same way: "server NAME [options]",
// "pool NAME [options]", "peer NAME [options]".
type ntpConfig struct {
	servers  []string
	dirs     []string // chrony's sourcedir and confdir, ntpd's includefile: sources golive does not follow
	problems []string
}

// parseNTPConfig reads chrony.conf or ntp.conf. Comments start with #
// (chrony also takes !, ; and %); directives are case-insensitive in
// chrony and ntpd alike.
func parseNTPConfig(data []byte) ntpConfig {
	c := ntpConfig{servers: []string{}}
	for n, line := range bytes.Split(data, []byte("\n")) {
		if len(line) > maxLine {
			c.problem(fmt.Sprintf("line %d: longer than %d bytes, skipped", n+1, maxLine))
			continue
		}
		f := strings.Fields(string(line))
		if len(f) == 0 || strings.ContainsAny(f[0][:1], "#!;%") {
			continue
		}
		switch strings.ToLower(f[0]) {
		case "server", "pool", "peer":
			if len(f) < 2 || strings.HasPrefix(f[1], "-") {
				c.problem(fmt.Sprintf("line %d: %s without a name", n+1, f[0]))
				continue
			}
			if len(c.servers) < maxServers {
				c.servers = append(c.servers, f[1])
			}
		case "sourcedir", "confdir", "include", "includefile":
			if len(f) >= 2 && len(c.dirs) < maxServers {
				c.dirs = append(c.dirs, f[1])
			}
		}
	}
	return c
}

func (c *ntpConfig) problem(s string) {
	if len(c.problems) < maxProblems {
		c.problems = append(c.problems, s)
	}
}

// timesyncdConf is systemd-timesyncd's configuration; its drop-ins are in
// timesyncd.conf.d under /etc, /run and /usr/lib (timesyncd.conf(5)).
const timesyncdConf = "/etc/systemd/timesyncd.conf"

var timesyncdDropInDirs = []string{"/etc/systemd/timesyncd.conf.d", "/run/systemd/timesyncd.conf.d", "/usr/local/lib/systemd/timesyncd.conf.d", "/usr/lib/systemd/timesyncd.conf.d"}

// readTimesyncd applies timesyncd.conf, then its drop-ins in file-name
// order, as timesyncd does.
func readTimesyncd(h *host.Host, d *daemon) {
	var servers []string
	apply := func(p string) {
		data, err := h.ReadFileLimit(p, maxConfig)
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		if d.Config == "" {
			d.Config = p
		} else {
			d.Config += ", " + p
		}
		if err != nil {
			d.Problems = append(d.Problems, err.Error())
			return
		}
		var problems []string
		servers, problems = parseTimesyncd(data, servers)
		for _, pr := range problems {
			d.Problems = append(d.Problems, p+": "+pr)
		}
	}
	apply(timesyncdConf)
	dropIns, problems := unit.DropIns(h, timesyncdDropInDirs, maxDropIns)
	d.Problems = append(d.Problems, problems...)
	for _, di := range dropIns {
		if !di.Masked {
			apply(di.Path)
		}
	}
	d.Servers = append([]string{}, servers...)
	d.Fallback = len(servers) == 0
}

// parseTimesyncd applies one timesyncd.conf file to servers: NTP= in
// [Time] adds a space-separated list; an empty NTP= resets it. Other keys
// (FallbackNTP=, RootDistanceMaxSec=, ...) do not name the servers in use
// while NTP= is set.
func parseTimesyncd(data []byte, servers []string) ([]string, []string) {
	var problems []string
	section := ""
	for n, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimSpace(string(raw))
		switch {
		case len(line) > maxLine:
			if len(problems) < maxProblems {
				problems = append(problems, fmt.Sprintf("line %d: longer than %d bytes, skipped", n+1, maxLine))
			}
			continue
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case strings.HasPrefix(line, "["):
			section = strings.TrimSuffix(strings.TrimPrefix(line, "["), "]")
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			if len(problems) < maxProblems {
				problems = append(problems, fmt.Sprintf("line %d: not KEY=VALUE", n+1))
			}
			continue
		}
		if section != "Time" || strings.TrimSpace(key) != "NTP" {
			continue
		}
		names := strings.Fields(value)
		if len(names) == 0 {
			servers = nil
			continue
		}
		for _, s := range names {
			if len(servers) < maxServers {
				servers = append(servers, s)
			}
		}
	}
	return servers, problems
}
