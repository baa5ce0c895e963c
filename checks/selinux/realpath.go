package selinux

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"syscall"

	"github.com/golive-sh/golive/internal/host"
)

// maxLinks matches the kernel's limit before ELOOP.
const maxLinks = 40

// realParent resolves the directories of p inside the root and keeps its
// last element, as restorecon does before it looks a path up
// (realpath_not_final): /lib64/x on a host where lib64 -> usr/lib64 is
// labelled as /usr/lib64/x.
func realParent(h *host.Host, p string) (string, error) {
	dir, base := path.Split(path.Clean(p))
	if base == "" { // "/"
		return "/", nil
	}
	resolved := "/"
	rest := splitElems(dir)
	links := 0
	for len(rest) > 0 {
		elem := rest[0]
		rest = rest[1:]
		switch elem {
		case ".":
			continue
		case "..":
			resolved = path.Dir(resolved)
			continue
		}
		next := path.Join(resolved, elem)
		fi, err := h.Lstat(next)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if !fi.IsDir() {
				return "", &fs.PathError{Op: "resolve", Path: next, Err: syscall.ENOTDIR}
			}
			resolved = next
			continue
		}
		if links++; links > maxLinks {
			return "", &fs.PathError{Op: "resolve", Path: p, Err: syscall.ELOOP}
		}
		target, err := h.Readlink(next)
		if err != nil {
			return "", err
		}
		if path.IsAbs(target) {
			resolved = "/"
		}
		rest = append(splitElems(target), rest...)
	}
	return path.Join(resolved, base), nil
}

func splitElems(p string) []string {
	var out []string
	for _, e := range strings.Split(p, "/") {
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

// semanageSpec is the file_contexts pattern for a directory and all below
// it, with the path's own metacharacters quoted ("/opt/my.app" must not
// match "/opt/myxapp").
func semanageSpec(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if strings.IndexByte(`\.+*?()|[]{}^$`, p[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(p[i])
	}
	return fmt.Sprintf("%s(/.*)?", b.String())
}
