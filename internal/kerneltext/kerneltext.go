// Package kerneltext holds the small text rules shared by parsers of files
// the kernel writes (/proc/self/mountinfo, /proc/swaps, ...).
package kerneltext

import (
	"fmt"
	"strconv"
	"strings"
)

// Unescape decodes the kernel's octal escapes (\040 for a space, \011 for
// a tab) in paths of /proc files.
func Unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+4 > len(s) {
			return "", fmt.Errorf("short escape in %q", Clip(s, 64))
		}
		n, err := strconv.ParseUint(s[i+1:i+4], 8, 8)
		if err != nil {
			return "", fmt.Errorf("bad escape in %q", Clip(s, 64))
		}
		b.WriteByte(byte(n))
		i += 3
	}
	return b.String(), nil
}

// Clip shortens text from a hostile file to at most max bytes for a
// message (which quotes it with %q).
func Clip(s string, max int) string {
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
