package file

import (
	"io/fs"
	"slices"
)

// typeNames are the values of type:, in the order the docs list them.
var typeNames = []string{"file", "directory", "symlink", "fifo", "socket", "block-device", "char-device"}

func validType(t string) bool { return slices.Contains(typeNames, t) }

// typeOf names a file mode's type as type: does.
func typeOf(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "file"
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "char-device"
	case m&fs.ModeDevice != 0:
		return "block-device"
	}
	return "unknown"
}
