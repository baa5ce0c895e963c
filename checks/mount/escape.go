package mount

import (
	"fmt"
	"strings"
)

// UnitName is the .mount unit systemd names for a mount point, as
// `systemd-escape -p --suffix=mount PATH` prints it: the path without
// duplicate and trailing slashes and "." components, "/" for the root
// "-", the leading "/" dropped, each "/" a "-", and every byte other than
// ASCII letters, digits, ":", "_" and "." (a leading "." too) escaped as
// \xNN.
func UnitName(p string) string {
	var parts []string
	for _, e := range strings.Split(p, "/") {
		if e != "" && e != "." {
			parts = append(parts, e)
		}
	}
	if len(parts) == 0 {
		return "-.mount"
	}
	var b strings.Builder
	for i, part := range parts {
		if i > 0 {
			b.WriteByte('-')
		}
		for j := 0; j < len(part); j++ {
			c := part[j]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ':' || c == '_' || c == '.' && (i > 0 || j > 0) {
				b.WriteByte(c)
				continue
			}
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	return b.String() + ".mount"
}
