package facts

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/golive-sh/golive/internal/host"
)

// fileKey memoises one file's bytes, read with the largest limit any
// family asks for (max), so the families that ask for less share the read.
type fileKey struct {
	name string
	max  int64
}

// readShared reads name once per run with limit max, and answers a caller
// that asks for limit <= max exactly as host.ReadFileLimit(name, limit)
// would: the same bytes, or the same "larger than the read limit" error.
func readShared(h *host.Host, name string, max, limit int64) ([]byte, error) {
	if limit > max {
		// A caller wants more than the shared read holds: a bug, not
		// a fact of the host.
		panic(fmt.Sprintf("facts: %s read with limit %d above %d", name, limit, max))
	}
	data, err := memoErr(h, fileKey{name, max}, func(h *host.Host) ([]byte, error) {
		return h.ReadFileLimit(name, max)
	})
	if errors.Is(err, host.ErrTooLarge) || err == nil && int64(len(data)) > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w (%d bytes)", host.ErrTooLarge, limit)}
	}
	return data, err
}
