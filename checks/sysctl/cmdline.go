package sysctl

import (
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// cmdlineParam is one parameter of a kernel command line.
type cmdlineParam struct {
	name, value string
	hasValue    bool
}

// parseCmdline splits a kernel command line as the kernel does (kernel/
// params.c next_arg): parameters are separated by blanks outside double
// quotes; a value may be quoted ("a b") and the quotes are dropped; "--"
// ends the kernel's parameters (the rest is init's).
func parseCmdline(s string) []cmdlineParam {
	var out []cmdlineParam
	for {
		s = strings.TrimLeft(s, " \t\n\r\v\f")
		if s == "" {
			return out
		}
		quoted := s[0] == '"'
		if quoted {
			s = s[1:]
		}
		inQuote, equals, i := quoted, -1, 0
		for ; i < len(s); i++ {
			c := s[i]
			if isSpace(c) && !inQuote {
				break
			}
			if equals < 0 && c == '=' {
				equals = i
			}
			if c == '"' {
				inQuote = !inQuote
			}
		}
		arg := s[:i]
		s = s[i:]
		p := cmdlineParam{name: arg}
		if equals >= 0 {
			p.name, p.value, p.hasValue = arg[:equals], arg[equals+1:], true
			if strings.HasPrefix(p.value, `"`) {
				p.value = strings.TrimSuffix(p.value[1:], `"`)
			} else if quoted {
				p.value = strings.TrimSuffix(p.value, `"`)
			}
		} else if quoted {
			p.name = strings.TrimSuffix(p.name, `"`)
		}
		if !p.hasValue && p.name == "--" {
			return out
		}
		out = append(out, p)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// cmdlineSysctl is a sysctl.<key>=<value> parameter, which Linux 5.8 and
// later writes to /proc/sys at boot (fs/proc/proc_sysctl.c
// process_sysctl_arg): the part after "sysctl." or "sysctl/" is a path in
// which every "." becomes "/".
type cmdlineSysctl struct {
	key, value string
	from       string // where the command line came from
}

// cmdlineSysctls picks the sysctl parameters of a command line; the last
// one for a key wins, as the kernel applies them in order.
func cmdlineSysctls(params []cmdlineParam, from string) map[string]cmdlineSysctl {
	out := map[string]cmdlineSysctl{}
	for _, p := range params {
		rest, ok := strings.CutPrefix(p.name, "sysctl")
		if !ok || rest == "" || (rest[0] != '.' && rest[0] != '/') || !p.hasValue {
			continue
		}
		key := strings.Trim(strings.ReplaceAll(rest[1:], "/", "."), ".")
		if key == "" {
			continue
		}
		out[key] = cmdlineSysctl{key: key, value: p.value, from: from}
	}
	return out
}

// cmdline is the kernel command line the next boot uses, and where it was
// read.
type cmdline struct {
	params []cmdlineParam
	// from is facts.BootLine's Source: "/proc/cmdline", a Boot Loader
	// Specification entry, "/etc/default/grub"; "" when nothing says.
	from string
}

// init returns the init= parameter, if any.
func (c cmdline) init() string {
	v := ""
	for _, p := range c.params {
		if p.name == "init" && p.hasValue {
			v = p.value
		}
	}
	return v
}

// loadCmdline is the next boot's command line (facts.NextBoot: the default
// boot entry, else /etc/default/grub, else on the running system
// /proc/cmdline) split as the kernel splits it; problems are what could
// not be read.
func loadCmdline(h *host.Host) (cmdline, []string) {
	bl := facts.NextBoot(h)
	return cmdline{params: parseCmdline(bl.Line), from: bl.Source}, bl.Problems
}

func isAlnumByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
