package profile

import (
	"fmt"
	"net/netip"
	"path"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// The rlimits and selinux families check their own tokens when they build
// (limits are numbers or unlimited, paths absolute, types names); the
// checks here are for the values no single family owns.
//
// A profile's values end up as tokens of lines golive generates: a user
// name as the <domain> of a limits.d line, a unit name in a drop-in path
// and a systemctl argument, a sysctl key and value in sysctl.d, a path in
// a restorecon argument, a limit in "<domain> hard nofile <value>". A
// token the target format reads differently — "* hard nofile 1 #" as a
// user, a name with a newline — would make a remediation script write a
// line that means something else (a limit for every user). So each such
// value is checked at load, for what its format accepts, and refused with
// file:line (exit 2) before anything runs.

// freeText are the keys whose values are prose for people (reports and
// explain show them); they may span lines, but hold no other control
// character. Every other value is one line.
var freeText = map[string]bool{"why": true, "description": true, "reason": true, "eol_note": true}

var (
	// userName is POSIX's portable user name: the portable filename
	// character set, not starting with '-' (an option to useradd, and
	// pam_limits would read '@', '%' and '*' as group and wildcard domains).
	userName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._][A-Za-z0-9._-]*$`) })
	// unitName is systemd's unit name alphabet (unit_name_is_valid: ASCII
	// letters, digits, ":-_.\" and '@' for templates); not starting with
	// '-', which systemctl would take for an option.
	unitName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9:_.\\@][A-Za-z0-9:_.\\@-]*$`) })
)

// maxUnitName is systemd's UNIT_NAME_MAX (255 with the suffix).
const maxUnitName = 255

// maxUserName is generous for every NSS source; useradd's own default is 32.
const maxUserName = 256

// checkTokens checks one file's values; positions give file:line.
func checkTokens(file string, body *yaml.Node) error {
	if err := oneLineValues(file, body, ""); err != nil {
		return err
	}
	bad := func(n *yaml.Node, format string, args ...any) error {
		return &Error{File: file, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
	}
	for _, kv := range pairs(body) {
		k, v := kv[0], kv[1]
		var err error
		switch k.Value {
		case "service":
			err = checkService(v, bad)
		case "sysctl":
			err = checkSysctl(v, bad)
		case "facts":
			err = checkFacts(v, bad)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

type badFunc func(n *yaml.Node, format string, args ...any) error

// oneLineValues refuses control characters in every key and value: a
// newline, CR, NUL or escape in a token ends the line it is written to.
// Prose (why, description ...) may hold newlines.
func oneLineValues(file string, n *yaml.Node, key string) error {
	if n.Kind == yaml.ScalarNode {
		prose := freeText[key]
		if i := strings.IndexFunc(n.Value, func(r rune) bool { return controlChar(r, prose) }); i >= 0 {
			what := "value"
			if key != "" {
				what = key
			}
			return &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("%s %q holds a control character (%q): profile values are written into one-line configuration and commands", what, clip(n.Value), n.Value[i:i+1])}
		}
		return nil
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := oneLineValues(file, n.Content[i], ""); err != nil {
				return err
			}
			if err := oneLineValues(file, n.Content[i+1], n.Content[i].Value); err != nil {
				return err
			}
		}
		return nil
	}
	for _, c := range n.Content {
		if err := oneLineValues(file, c, key); err != nil {
			return err
		}
	}
	return nil
}

func controlChar(r rune, prose bool) bool {
	switch {
	case r == '\t':
		return false
	case r == '\n':
		return !prose
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029':
		return true
	}
	return false
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// pairs are a mapping's key/value nodes; nothing for any other node.
func pairs(n *yaml.Node) [][2]*yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	return out
}

// scalar is a string scalar's value; ok is false for null and non-scalars
// (the section's own decoding reports a wrong type).
func scalar(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", false
	}
	return n.Value, true
}

func checkService(n *yaml.Node, bad badFunc) error {
	for _, kv := range pairs(n) {
		k, v := kv[0], kv[1]
		s, ok := scalar(v)
		switch {
		case k.Value == "user" && ok:
			if err := CheckUserName(strings.TrimSpace(s)); err != nil {
				return bad(v, "service.user %q: %v", s, err)
			}
		case k.Value == "unit" && ok:
			if err := CheckUnitName(strings.TrimSpace(s)); err != nil {
				return bad(v, "service.unit %q: %v", s, err)
			}
		case k.Value == "ports" && v.Kind == yaml.SequenceNode:
			if err := checkPorts(v, bad); err != nil {
				return err
			}
		case k.Value == "binaries" && v.Kind == yaml.SequenceNode:
			for _, item := range v.Content {
				if p, ok := scalar(item); ok {
					if err := CheckPath(p); err != nil {
						return bad(item, "service.binaries %q: %v", p, err)
					}
				}
			}
		}
	}
	return nil
}

// checkPorts refuses an address that is not an IP and a port named twice
// for one transport (its two checks would share an ID).
func checkPorts(seq *yaml.Node, bad badFunc) error {
	seen := map[string]bool{}
	for _, item := range seq.Content {
		port, proto := "", "tcp"
		for _, kv := range pairs(item) {
			s, ok := scalar(kv[1])
			if !ok {
				continue
			}
			switch kv[0].Value {
			case "port":
				port = s
			case "proto":
				proto = s
			case "address":
				if a, err := netip.ParseAddr(s); err != nil || a.Zone() != "" {
					return bad(kv[1], "service.ports address %q: not an IP address (0.0.0.0 for every IPv4 address, :: for every IPv6 one)", s)
				}
			}
		}
		if item.Kind != yaml.MappingNode {
			continue // the strict decoding names the wrong type
		}
		if port == "" {
			return bad(item, "service.ports: an entry without a port")
		}
		if seen[port+"/"+proto] {
			return bad(item, "service.ports: %s/%s is listed twice", port, proto)
		}
		seen[port+"/"+proto] = true
	}
	return nil
}

// CheckUserName says why name cannot be a service user, or nil. It must be
// a POSIX portable user name: letters, digits, '.', '_' and '-', not
// starting with '-'. No whitespace, '#', '*', '@', '%' or control
// characters: limits.d would read them as another domain or a comment.
func CheckUserName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty")
	case len(name) > maxUserName:
		return fmt.Errorf("longer than %d characters", maxUserName)
	case !userName().MatchString(name):
		return fmt.Errorf("not a portable user name (letters, digits, '.', '_' and '-', not starting with '-'): limits.d and useradd would read it as something else")
	}
	return nil
}

// CheckUnitName says why name cannot be a systemd unit name, or nil.
func CheckUnitName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty")
	case len(name) > maxUnitName:
		return fmt.Errorf("longer than %d characters (systemd's limit)", maxUnitName)
	case !unitName().MatchString(name) || strings.Count(name, "@") > 1 || strings.HasPrefix(name, "."):
		return fmt.Errorf("not a systemd unit name (ASCII letters, digits, ':', '-', '_', '.', '\\', one '@'; not starting with '-' or '.')")
	}
	return nil
}

// CheckPath says why p cannot be a path golive writes into a command or a
// file, or nil: absolute, clean (no "..", so ROOT+p stays under ROOT), one
// line.
func CheckPath(p string) error {
	switch {
	case !strings.HasPrefix(p, "/"):
		return fmt.Errorf("not an absolute path")
	case path.Clean(p) != p && path.Clean(p)+"/" != p:
		return fmt.Errorf("not a clean path (%s)", path.Clean(p))
	}
	return nil
}

// CheckSysctlKey says why key cannot be a sysctl name in sysctl.d, or nil:
// no '=' (the line would split there), no leading '-' (the ignore-failure
// mark), '#' or ';' (a comment), '/' or '.'. (Blanks, globs and empty
// names the sysctl family refuses itself, naming the rule.)
func CheckSysctlKey(key string) error {
	switch {
	case key == "":
		return nil
	case strings.Contains(key, "="):
		return fmt.Errorf("holds '=': sysctl.d would split the line there")
	case strings.ContainsAny(key[:1], "-#;/."):
		return fmt.Errorf("starts with %q, which sysctl.d reads as a mark, a comment or a path", key[:1])
	}
	return nil
}

func checkSysctl(n *yaml.Node, bad badFunc) error {
	for _, kv := range pairs(n) {
		if err := CheckSysctlKey(kv[0].Value); err != nil {
			return bad(kv[0], "sysctl key %q: %v", kv[0].Value, err)
		}
	}
	return nil
}

func checkFacts(n *yaml.Node, bad badFunc) error {
	for _, kv := range pairs(n) {
		k, v := kv[0], kv[1]
		if k.Value == "package_manager" {
			if s, ok := scalar(v); ok && s != "" && s != "yum" && s != "dnf" && s != "apt" {
				return bad(v, "facts.package_manager %q: use yum, dnf or apt", s)
			}
			continue
		}
		if err := checkDeclaredFact(k, v, bad); err != nil {
			return err
		}
	}
	return nil
}
