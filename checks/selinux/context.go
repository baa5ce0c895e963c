package selinux

import (
	"errors"
	"fmt"
	"strings"

	goselinux "github.com/opencontainers/selinux/go-selinux"
)

// maxContext bounds a context string. The kernel accepts up to a page;
// real contexts (with an MCS range) are well under 256 bytes.
const maxContext = 4096

// noContext is the file_contexts value that tells restorecon to leave a
// path's label alone.
const noContext = "<<none>>"

// secContext is an SELinux security context, user:role:type[:level].
type secContext struct {
	user, role, Type, level string
}

// String is the context as the kernel writes it.
func (c secContext) String() string {
	if c.level == "" {
		return c.user + ":" + c.role + ":" + c.Type
	}
	return c.user + ":" + c.role + ":" + c.Type + ":" + c.level
}

// errBadContext is wrapped by every ParseContext error.
var errBadContext = errors.New("not an SELinux context")

// parseContext parses a context string; the split into fields is
// opencontainers/selinux's NewContext (the level keeps its colons:
// s0-s0:c0.c1023). golive also refuses what the kernel never stores: an
// empty field, blanks or control characters, non-ASCII bytes.
func parseContext(s string) (secContext, error) {
	if s == "" {
		return secContext{}, fmt.Errorf("%w: empty", errBadContext)
	}
	if len(s) > maxContext {
		return secContext{}, fmt.Errorf("%w: longer than %d bytes", errBadContext, maxContext)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return secContext{}, fmt.Errorf("%w: %s has a blank, control or non-ASCII byte", errBadContext, shown(s))
		}
	}
	c, err := goselinux.NewContext(s)
	if err != nil {
		return secContext{}, fmt.Errorf("%w: %s needs user:role:type[:level]", errBadContext, shown(s))
	}
	out := secContext{user: c["user"], role: c["role"], Type: c["type"], level: c["level"]}
	if out.user == "" || out.role == "" || out.Type == "" || (strings.Count(s, ":") >= 3 && out.level == "") {
		return secContext{}, fmt.Errorf("%w: %s has an empty field", errBadContext, shown(s))
	}
	return out, nil
}

// labelValue turns a security.selinux attribute into its context string:
// the kernel and libselinux store it with a trailing NUL.
func labelValue(raw []byte) string {
	return strings.TrimRight(string(raw), "\x00")
}

// validTypeName reports whether t can be an SELinux type name, as a
// profile writes it (bin_t, var_lib_t, httpd_sys_content_t).
func validTypeName(t string) bool {
	if t == "" || len(t) > 255 {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}
