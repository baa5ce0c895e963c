// Package secontext is an SELinux security context as the kernel stores
// it in a file's security.selinux attribute: parsed and printed the same
// way by the selinux family (labels against the policy) and the file
// family (a label the profile names).
package secontext

import (
	"errors"
	"fmt"
	"strings"

	goselinux "github.com/opencontainers/selinux/go-selinux"
)

// Xattr is the extended attribute holding a file's context.
const Xattr = "security.selinux"

// MaxContext bounds a context string. The kernel accepts up to a page;
// real contexts (with an MCS range) are well under 256 bytes.
const MaxContext = 4096

// Context is an SELinux security context, user:role:type[:level].
type Context struct {
	User, Role, Type, Level string
}

// String is the context as the kernel writes it.
func (c Context) String() string {
	if c.Level == "" {
		return c.User + ":" + c.Role + ":" + c.Type
	}
	return c.User + ":" + c.Role + ":" + c.Type + ":" + c.Level
}

// ErrBadContext is wrapped by every Parse error.
var ErrBadContext = errors.New("not an SELinux context")

// Parse parses a context string; the split into fields is
// opencontainers/selinux's NewContext (the level keeps its colons:
// s0-s0:c0.c1023). It also refuses what the kernel never stores: an
// empty field, blanks or control characters, non-ASCII bytes.
func Parse(s string) (Context, error) {
	if s == "" {
		return Context{}, fmt.Errorf("%w: empty", ErrBadContext)
	}
	if len(s) > MaxContext {
		return Context{}, fmt.Errorf("%w: longer than %d bytes", ErrBadContext, MaxContext)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return Context{}, fmt.Errorf("%w: %s has a blank, control or non-ASCII byte", ErrBadContext, shown(s))
		}
	}
	c, err := goselinux.NewContext(s)
	if err != nil {
		return Context{}, fmt.Errorf("%w: %s needs user:role:type[:level]", ErrBadContext, shown(s))
	}
	out := Context{User: c["user"], Role: c["role"], Type: c["type"], Level: c["level"]}
	if out.User == "" || out.Role == "" || out.Type == "" || (strings.Count(s, ":") >= 3 && out.Level == "") {
		return Context{}, fmt.Errorf("%w: %s has an empty field", ErrBadContext, shown(s))
	}
	return out, nil
}

// FromXattr turns a security.selinux attribute into its context string:
// the kernel and libselinux store it with a trailing NUL.
func FromXattr(raw []byte) string {
	return strings.TrimRight(string(raw), "\x00")
}

// ValidType reports whether t can be an SELinux type name, as a profile
// writes it (bin_t, var_lib_t, httpd_sys_content_t).
func ValidType(t string) bool {
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
