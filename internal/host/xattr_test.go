package host

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// setLabel writes security.selinux on a file of a test root, or skips the
// test when the file system or the kernel refuses (not root, no xattr
// support, an SELinux kernel that rejects the context).
func setLabel(t *testing.T, path string, value []byte) {
	t.Helper()
	err := unix.Lsetxattr(path, "security.selinux", value, 0)
	switch {
	case err == nil:
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES), errors.Is(err, unix.ENOTSUP), errors.Is(err, unix.EINVAL):
		t.Skipf("cannot write security.selinux on %s (%v): needs root on a file system with extended attributes", path, err)
	default:
		t.Fatal(err)
	}
}

func TestLgetxattrReadsTheLabelInsideTheRoot(t *testing.T) {
	root := mkroot(t, map[string]string{
		"opt/app/bin/app": "binary",
		"opt/app/big":     "x",
		"opt/app/none":    "x",
		"opt/app/link":    "->/opt/app/bin/app",
		"srv":             "->/opt", // a link in the middle resolves inside the root
	})
	label := []byte("system_u:object_r:bin_t:s0\x00")
	setLabel(t, filepath.Join(root, "opt/app/bin/app"), label)
	big := []byte("system_u:object_r:" + strings.Repeat("x", 1000) + "_t:s0\x00") // larger than the first buffer
	setLabel(t, filepath.Join(root, "opt/app/big"), big)
	linkLabel := []byte("system_u:object_r:usr_t:s0\x00")
	setLabel(t, filepath.Join(root, "opt/app/link"), linkLabel)
	h := newHost(t, root)

	tests := []struct {
		name string
		want []byte
	}{
		{"/opt/app/bin/app", label},
		{"/srv/app/bin/app", label},
		{"/opt/app/big", big},
		{"/opt/app/link", linkLabel}, // the link's own label, not its target's
	}
	for _, tt := range tests {
		got, err := h.Lgetxattr(tt.name, "security.selinux")
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("Lgetxattr(%s) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestLgetxattrErrors(t *testing.T) {
	root := mkroot(t, map[string]string{"etc/plain": "x", "etc/loop": "->loop2", "etc/loop2": "->loop"})
	h := newHost(t, root)
	tests := []struct {
		name string
		want error
	}{
		{"/etc/plain", ErrNoXattr},
		{"/etc/missing", fs.ErrNotExist},
		{"/nodir/file", fs.ErrNotExist},
	}
	for _, tt := range tests {
		_, err := h.Lgetxattr(tt.name, "user.golive.absent")
		if !errors.Is(err, tt.want) {
			t.Errorf("Lgetxattr(%s) error = %v, want %v", tt.name, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), root) {
			t.Errorf("Lgetxattr(%s) error %q names the temp root", tt.name, err)
		}
	}
	if _, err := h.Lgetxattr("relative", "security.selinux"); err == nil {
		t.Error("a relative path must be refused")
	}
	// lgetxattr does not follow the last link: a loop is the link's own
	// (absent) attribute, not ELOOP.
	if _, err := h.Lgetxattr("/etc/loop", "user.golive.absent"); !errors.Is(err, ErrNoXattr) {
		t.Errorf("Lgetxattr(/etc/loop) error = %v, want ErrNoXattr (the link's own attributes)", err)
	}
}

func TestLgetxattrUnsupportedFileSystem(t *testing.T) {
	// procfs keeps no user.* attributes: the kernel answers ENOTSUP. Only
	// an attribute is asked for; nothing of /proc is read.
	h := newHost(t, "/")
	_, err := h.Lgetxattr("/proc/version", "user.golive.probe")
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no procfs to probe (%v)", err)
	}
	if !errors.Is(err, ErrXattrUnsupported) {
		t.Errorf("Lgetxattr on procfs error = %v, want ErrXattrUnsupported", err)
	}
}
