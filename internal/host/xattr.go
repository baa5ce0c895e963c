package host

import (
	"errors"
	"fmt"
	"io/fs"

	"golang.org/x/sys/unix"
)

// MaxXattrSize bounds an extended attribute's value. It is the kernel's own
// limit (XATTR_SIZE_MAX, 64 KiB); a larger size answer is not believed.
const MaxXattrSize = 64 << 10

var (
	// ErrNoXattr is returned when the file has no such extended attribute
	// (ENODATA): for security.selinux, a file never labelled.
	ErrNoXattr = errors.New("no such extended attribute")
	// ErrXattrUnsupported is returned when the file system keeps no
	// extended attributes of that namespace (ENOTSUP).
	ErrXattrUnsupported = errors.New("extended attributes not supported by the file system")
)

// Lgetxattr reads the extended attribute attr of name itself: a symlink's
// own attribute, not its target's, as lgetxattr(2) (and restorecon, which
// labels links) reads it. Directories on the way resolve inside the root.
// The value is returned as stored (a label usually ends in a NUL byte).
func (h *Host) Lgetxattr(name, attr string) ([]byte, error) {
	p, err := h.resolveParent(name)
	if err != nil {
		return nil, err
	}
	// Labels are short; start small and ask the size only when it does not
	// fit. The size can change between the two calls, so retry a few times.
	buf := make([]byte, 256)
	for range 4 {
		n, err := lgetxattrRetry(p, attr, buf)
		if err == nil {
			return buf[:n], nil
		}
		if !errors.Is(err, unix.ERANGE) {
			return nil, h.xattrErr(name, err)
		}
		size, err := lgetxattrRetry(p, attr, nil)
		if err != nil {
			return nil, h.xattrErr(name, err)
		}
		if size > MaxXattrSize {
			return nil, &fs.PathError{Op: "lgetxattr", Path: name, Err: fmt.Errorf("%w (%d bytes)", ErrTooLarge, MaxXattrSize)}
		}
		buf = make([]byte, size)
	}
	return nil, &fs.PathError{Op: "lgetxattr", Path: name, Err: errors.New("attribute keeps changing size")}
}

// lgetxattrRetry calls lgetxattr(2), retrying when a signal interrupts it
// (FUSE file systems can answer EINTR).
func lgetxattrRetry(path, attr string, dest []byte) (int, error) {
	for range 16 {
		n, err := unix.Lgetxattr(path, attr, dest)
		if !errors.Is(err, unix.EINTR) {
			return n, err
		}
	}
	return 0, unix.EINTR
}

func (h *Host) xattrErr(name string, err error) error {
	switch {
	case errors.Is(err, unix.ENODATA):
		err = ErrNoXattr
	case errors.Is(err, unix.ENOTSUP):
		err = ErrXattrUnsupported
	}
	return &fs.PathError{Op: "lgetxattr", Path: name, Err: err}
}
