package sshclient

import (
	"bufio"
	"bytes"
	"strings"
)

// Hosts are the names of the config's Host lines (included files too), in
// file order, without patterns: a name with * or ? stands for hosts that
// cannot be listed, and a negated one for hosts left out. Shell completion
// offers them, as ssh's own completion does.
func (c *Config) Hosts() []string {
	var out []string
	if c == nil {
		return nil
	}
	var walk func(items []configItem)
	walk = func(items []configItem) {
		for _, it := range items {
			if it.key == "host" {
				for _, a := range it.args {
					if !strings.ContainsAny(a, "*?!") && !contains(out, a) {
						out = append(out, a)
					}
				}
			}
			walk(it.include)
		}
	}
	walk(c.items)
	return out
}

// KnownHostNames are the host names of a known_hosts file, in file order,
// as fleet check takes them: "[h]:2222" becomes "h:2222". Hashed entries
// (HashKnownHosts, "|1|...") cannot be read back and are left out, as
// are patterns, negations and @revoked lines; @cert-authority lines name
// patterns of hosts, not hosts, and are left out too.
func KnownHostNames(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") || strings.HasPrefix(fields[0], "@") {
			continue
		}
		for _, name := range strings.Split(fields[0], ",") {
			if name == "" || strings.HasPrefix(name, "|") || strings.ContainsAny(name, "*?!") {
				continue
			}
			if rest, ok := strings.CutPrefix(name, "["); ok {
				h, port, ok := strings.Cut(rest, "]:")
				if !ok {
					continue
				}
				name = h + ":" + port
				if strings.Contains(h, ":") { // IPv6 keeps its brackets
					name = "[" + h + "]:" + port
				}
			}
			if !contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
