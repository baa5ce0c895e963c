package facts

import (
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// MeminfoPath is the kernel's memory statistics (proc_meminfo(5)).
const MeminfoPath = "/proc/meminfo"

type meminfoKey struct{}

// Meminfo is /proc/meminfo's fields in kB ("MemTotal" -> 16318236), read
// once per run: the kernel builds the file anew on every read. A field
// whose value is not a number is left out; nil with the error when the
// file cannot be read.
func Meminfo(h *host.Host) (map[string]uint64, error) {
	return memoErr(h, meminfoKey{}, func(h *host.Host) (map[string]uint64, error) {
		data, err := h.ReadFileLimit(MeminfoPath, 64<<10)
		if err != nil {
			return nil, err
		}
		return ParseMeminfo(data), nil
	})
}

// ParseMeminfo reads "Name:   value kB" lines; the first of a repeated
// name wins.
func ParseMeminfo(data []byte) map[string]uint64 {
	m := map[string]uint64{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.HasSuffix(f[0], ":") {
			continue
		}
		name := strings.TrimSuffix(f[0], ":")
		if _, seen := m[name]; seen {
			continue
		}
		if n, err := strconv.ParseUint(f[1], 10, 64); err == nil {
			m[name] = n
		}
	}
	return m
}

// maxSysctl is the most any family reads of one /proc/sys file.
const maxSysctl = 64 << 10

// Sysctl is the running kernel's value of a sysctl under the root: the
// bytes of /proc/sys/<rel> (rel in path form, "fs/nr_open"), read once per
// run for every check that asks, and answered as host.ReadFileLimit with
// limit (at most 64 KiB) would answer.
func Sysctl(h *host.Host, rel string, limit int64) ([]byte, error) {
	return readShared(h, "/proc/sys/"+rel, maxSysctl, limit)
}
