package host

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// OSRelease is the part of os-release(5) golive uses.
type OSRelease struct {
	ID         string   `json:"id"`
	IDLike     []string `json:"id_like,omitempty"`
	VersionID  string   `json:"version_id"`
	PrettyName string   `json:"pretty_name"`
	Source     string   `json:"-"` // the file it came from
	// Malformed counts lines that were neither comments nor KEY=VALUE; the
	// spec says to ignore them, golive also says how many there were.
	Malformed int `json:"-"`
	// Unread says why no os-release could be read ("open /etc/os-release:
	// permission denied"); nil when one was. The fields above are then the
	// specification's defaults.
	Unread error `json:"-"`
}

// OSRelease reads /etc/os-release, or /usr/lib/os-release when the former
// does not exist, as os-release(5) prescribes.
func (h *Host) OSRelease() (OSRelease, error) {
	var lastErr error
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		data, err := h.ReadFileLimit(p, 64<<10)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				lastErr = err
				continue
			}
			return OSRelease{}, err
		}
		rel := ParseOSRelease(string(data))
		rel.Source = p
		return rel, nil
	}
	return OSRelease{}, fmt.Errorf("no os-release: %w", lastErr)
}

// ParseOSRelease parses the environment-like os-release format: KEY=VALUE
// lines, values optionally quoted with shell quoting rules. Missing ID
// defaults to "linux" per the specification.
func ParseOSRelease(s string) OSRelease {
	var rel OSRelease
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		key, raw, ok := strings.Cut(line, "=")
		if !ok || !validKey(key) {
			rel.Malformed++
			continue
		}
		val, ok := unquote(raw)
		if !ok {
			rel.Malformed++
			continue
		}
		switch key {
		case "ID":
			rel.ID = val
		case "ID_LIKE":
			rel.IDLike = strings.Fields(val)
		case "VERSION_ID":
			rel.VersionID = val
		case "PRETTY_NAME":
			rel.PrettyName = val
		}
	}
	if rel.ID == "" {
		rel.ID = "linux"
	}
	if rel.PrettyName == "" {
		rel.PrettyName = "Linux"
	}
	return rel
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i, c := range k {
		switch {
		case c >= 'A' && c <= 'Z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		case c >= 'a' && c <= 'z': // tolerated: some vendors use lower case
		default:
			return false
		}
	}
	return true
}

// unquote applies the subset of shell quoting os-release allows: one double-
// or single-quoted string, or an unquoted word; backslash escapes $ " \ `
// inside double quotes.
func unquote(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	switch s[0] {
	case '\'':
		if len(s) < 2 || s[len(s)-1] != '\'' || strings.ContainsRune(s[1:len(s)-1], '\'') {
			return "", false
		}
		return s[1 : len(s)-1], true
	case '"':
		if len(s) < 2 || s[len(s)-1] != '"' {
			return "", false
		}
		var b strings.Builder
		in := s[1 : len(s)-1]
		for i := 0; i < len(in); i++ {
			c := in[i]
			if c == '\\' && i+1 < len(in) && strings.IndexByte("$\"\\`", in[i+1]) >= 0 {
				b.WriteByte(in[i+1])
				i++
				continue
			}
			if c == '"' {
				return "", false
			}
			b.WriteByte(c)
		}
		return b.String(), true
	}
	if strings.ContainsAny(s, " \t\"'`$\\") {
		return "", false
	}
	return s, true
}
