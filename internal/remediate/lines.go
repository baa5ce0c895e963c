package remediate

import "strings"

// lineBlanks are what surrounds a key in a config line; "\r" is there so a
// CRLF file's lines match like the sysctl family reads them.
const lineBlanks = " \t\r"

// SetsKey reports whether line sets key, by the rule documented on Action:
// the renderers' shell and Ansible editors implement the same rule, and
// tests hold them to this function.
func SetsKey(line, key string) bool {
	k, ok := lineKey(line)
	if !ok || key == "" {
		return false
	}
	return k == key || (altKey(key) != "" && k == altKey(key))
}

// lineKey is the key a line sets, if it sets one.
func lineKey(line string) (string, bool) {
	s := strings.TrimLeft(line, lineBlanks)
	if s == "" || s[0] == '#' || s[0] == ';' {
		return "", false
	}
	if s[0] == '-' {
		s = strings.TrimLeft(s[1:], lineBlanks)
	}
	k, _, ok := strings.Cut(s, "=")
	if !ok {
		return "", false
	}
	k = strings.Trim(k, lineBlanks)
	return k, k != ""
}

// altKey is the other spelling of a sysctl-style key: sysctl.d(5) accepts
// "/" or "." as the separator, and when the first one is "/" the two are
// swapped (net/ipv4/conf/eth0.100/rp_filter is net.ipv4.conf.eth0/100.rp_filter).
// Keys with neither (SELINUX, MemoryMax) have no other spelling.
func altKey(key string) string {
	if !strings.ContainsAny(key, "./") {
		return ""
	}
	b := []byte(key)
	for i, c := range b {
		switch c {
		case '.':
			b[i] = '/'
		case '/':
			b[i] = '.'
		}
	}
	return string(b)
}

// matchableKey reports whether key can be found by the rule at all: a key
// with blanks, "=", a comment or "-" mark at its start, or a control
// character would never match (and a second run would append again).
func matchableKey(key string) bool {
	if key == "" || strings.ContainsAny(key, "=#;") || key[0] == '-' {
		return false
	}
	for _, r := range key {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}
