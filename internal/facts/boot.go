package facts

import "github.com/golive-sh/golive/internal/host"

// maxBootFile is the most any family reads of one bootloader file.
const maxBootFile = 1 << 20

// BootFile is one file of the next boot's configuration —
// /etc/default/grub and grub.d/*.cfg, grubenv, a Boot Loader Specification
// entry — read once per run however many families parse the kernel
// command line from it, and answered as host.ReadFileLimit with limit (at
// most 1 MiB) would answer.
func BootFile(h *host.Host, name string, limit int64) ([]byte, error) {
	return readShared(h, name, maxBootFile, limit)
}
