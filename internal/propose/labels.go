package propose

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
)

// readLabels proposes `selinux: paths:` with the type each binary and data
// path carries now. A host without labels (AppArmor distros, SELinux
// disabled) gets none, and the header says why.
func (s *survey) readLabels() {
	var paths []noted
	paths = append(paths, s.binaries...)
	paths = append(paths, s.paths...)
	seen := map[string]bool{}
	for _, p := range paths {
		if seen[p.value] {
			continue
		}
		seen[p.value] = true
		raw, err := s.h.Lgetxattr(p.value, "security.selinux")
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				s.note("%s (%s) does not exist under the root", p.value, p.from)
				continue
			}
			if errors.Is(err, syscall.ENODATA) || errors.Is(err, syscall.ENOTSUP) {
				s.noLabels = p.value + " carries no SELinux label (no security.selinux attribute)"
			} else if s.noLabels == "" {
				s.noLabels = "the SELinux label of " + p.value + " could not be read: " + err.Error()
			}
			continue
		}
		// user:role:type:level; the kernel stores a trailing NUL.
		fields := strings.Split(strings.TrimRight(string(raw), "\x00"), ":")
		if len(fields) < 3 || !validType(fields[2]) {
			continue
		}
		s.labels = append(s.labels, labelProposal{p.value, fields[2], "its label now, " + strings.Join(fields, ":") + " (path from " + p.from + ")"})
	}
}

func validType(t string) bool {
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
