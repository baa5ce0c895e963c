package host

import (
	"errors"
	"io/fs"
)

// NeedsRoot reports whether err is a read refused for want of privilege: a
// permission error (EACCES, EPERM) while golive runs as non-root. Checks
// skip then, with engine.SkipNeedsRoot. As root the same error is a real
// failure (an LSM denial, an immutable file, root squashed on NFS) and is
// reported as one.
func (h *Host) NeedsRoot(err error) bool {
	return !h.Privileged() && errors.Is(err, fs.ErrPermission)
}
