package selinux

import (
	"bytes"
	"fmt"
	"strings"
)

// configPath is the SELinux configuration read at boot.
const configPath = "/etc/selinux/config"

// defaultPolicy is the policy libselinux uses when the configuration names
// none (SELINUXDEFAULT in libselinux's selinux_config.c).
const defaultPolicy = "targeted"

// maxConfig bounds /etc/selinux/config; the shipped file is about 1.2 KiB.
const maxConfig = 64 << 10

// mode is an SELinux mode as the configuration and selinuxfs name it.
type mode string

// The modes. The zero Mode means unknown: no line sets it, or there is no
// running kernel to ask (an image).
const (
	enforcing  mode = "enforcing"
	permissive mode = "permissive"
	disabled   mode = "disabled"
)

// modes lists the modes, most protective first.
var modes = []mode{enforcing, permissive, disabled}

// problem is a line of a configuration file that was ignored or read in a
// way its author may not have meant.
type problem struct {
	Line int    `json:"line"`
	Text string `json:"text"`
}

func (p problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Text) }

// config is /etc/selinux/config as libselinux reads it at boot.
type config struct {
	// mode is the SELINUX= value; "" when no line libselinux accepts sets it.
	mode     mode
	modeLine int
	// policy is the SELINUXTYPE= value, defaultPolicy when no line sets it
	// (policyLine 0), or "" when the line names no usable policy directory
	// (policyProblem says why).
	policy        string
	policyLine    int
	policyProblem string
	problems      []problem
}

// parseConfig reads /etc/selinux/config with libselinux's rules, which
// differ for the two keys:
//
//   - SELINUX= (selinux_getenforcemode): only a line that starts exactly
//     with "SELINUX=" counts — no leading blank, upper case — and its value,
//     after blanks, is compared case-insensitively by prefix with
//     enforcing, permissive and disabled. The first such line wins.
//   - SELINUXTYPE= (init_selinux_config): leading blanks are skipped, the
//     key is case-insensitive, blanks around the value are trimmed, and the
//     last line wins.
//
// '#' starts a comment only at the beginning of a line. Lines that look
// like settings but are ignored are named in Problems.
func parseConfig(data []byte) config {
	c := config{policy: defaultPolicy}
	policyValue := ""
	for i, raw := range bytes.Split(data, []byte("\n")) {
		n := i + 1
		line := string(raw)
		trimmed := strings.TrimLeft(line, cSpace)
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		upper := strings.ToUpper(trimmed)
		switch {
		case strings.HasPrefix(upper, "SELINUXTYPE="):
			policyValue = strings.Trim(trimmed[len("SELINUXTYPE="):], cSpace)
			c.policyLine = n
		case strings.HasPrefix(line, "SELINUX="):
			m, ok := modePrefix(strings.TrimLeft(line[len("SELINUX="):], cSpace))
			switch {
			case !ok:
				c.problems = append(c.problems, problem{n, "ignored: " + shown(line) + " is not SELINUX=enforcing, permissive or disabled"})
			case c.mode != "":
				c.problems = append(c.problems, problem{n, fmt.Sprintf("ignored: %s; the first SELINUX= line (line %d) wins", shown(line), c.modeLine)})
			default:
				c.mode, c.modeLine = m, n
				if word := strings.Trim(line[len("SELINUX="):], cSpace); !strings.EqualFold(word, string(m)) {
					c.problems = append(c.problems, problem{n, fmt.Sprintf("read as %s: libselinux compares only the start of %s", m, shown(line))})
				}
			}
		case strings.HasPrefix(upper, "SELINUX"):
			c.problems = append(c.problems, problem{n, "ignored: " + shown(line) + " (libselinux reads SELINUX= only at the very start of a line, in upper case, with no blank before =)"})
		case strings.HasPrefix(upper, "REQUIRESEUSERS=") || strings.HasPrefix(upper, "SETLOCALDEFS=") || strings.HasPrefix(upper, "AUTORELABEL="):
			// Other keys libselinux and the relabel service know.
		default:
			c.problems = append(c.problems, problem{n, "not a setting: " + shown(line)})
		}
	}
	if c.policyLine > 0 {
		c.policy = policyValue
		if why := badPolicyName(policyValue); why != "" {
			c.policy = ""
			c.policyProblem = fmt.Sprintf("line %d: SELINUXTYPE=%s %s", c.policyLine, shown(policyValue), why)
		}
	}
	return c
}

// cSpace is C's isspace set, which libselinux trims with.
const cSpace = " \t\n\v\f\r"

// modePrefix matches libselinux's strncasecmp prefix test.
func modePrefix(v string) (mode, bool) {
	for _, m := range modes {
		if len(v) >= len(m) && strings.EqualFold(v[:len(m)], string(m)) {
			return m, true
		}
	}
	return "", false
}

// badPolicyName says why a SELINUXTYPE value cannot name a directory of
// /etc/selinux ("" when it can). libselinux would join any value to the
// path; golive refuses to leave /etc/selinux.
func badPolicyName(v string) string {
	switch {
	case v == "":
		return "is empty"
	case len(v) > 255:
		return "is longer than a file name"
	case v == "." || v == "..":
		return "is not a policy name"
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return "is not a policy name (letters, digits, '_', '-', '.')"
		}
	}
	return ""
}

// shown quotes outside input for a message: one line, printable, bounded.
func shown(s string) string {
	const max = 80
	cut := false
	if len(s) > max {
		s, cut = s[:max], true
	}
	q := fmt.Sprintf("%q", s)
	if cut {
		q += "…"
	}
	return q
}
