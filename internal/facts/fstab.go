package facts

import (
	"bytes"
	"strings"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/kerneltext"
)

// FstabPath is the filesystems a boot mounts (fstab(5)).
const FstabPath = "/etc/fstab"

// MaxFstab is the most of /etc/fstab any family reads.
const MaxFstab = 1 << 20

// FstabEntry is one line of /etc/fstab: spec, mount point, type, options
// (fields 1 to 4; \040 in a field stands for a space).
type FstabEntry struct {
	Spec, File, Type, Options string
	Line                      int    // 1-based
	Text                      string // the line as written (clipped)
}

type fstabKey struct{}

// Fstab is the root's /etc/fstab, read and parsed once per run.
func Fstab(h *host.Host) ([]FstabEntry, error) {
	return memoErr(h, fstabKey{}, func(h *host.Host) ([]FstabEntry, error) {
		data, err := readShared(h, FstabPath, MaxFstab, MaxFstab)
		if err != nil {
			return nil, err
		}
		return ParseFstab(data), nil
	})
}

// ParseFstab returns the entries of an fstab: comments start with #,
// fields are separated by blanks, a missing options field is "defaults".
// Lines of fewer than three fields are left out (mount(8) refuses them).
func ParseFstab(data []byte) []FstabEntry {
	var out []FstabEntry
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimSpace(string(raw))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		e := FstabEntry{Spec: unescapeOr(f[0]), File: unescapeOr(f[1]), Type: f[2], Options: "defaults",
			Line: i + 1, Text: kerneltext.Clip(line, 256)}
		if len(f) > 3 {
			e.Options = f[3]
		}
		out = append(out, e)
	}
	return out
}

func unescapeOr(s string) string {
	if u, err := kerneltext.Unescape(s); err == nil {
		return u
	}
	return s
}
