package facts

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/kerneltext"
)

// MountInfoPath is the mount table of golive's own mount namespace: the
// host's, unless golive runs in a container.
const MountInfoPath = "/proc/self/mountinfo"

// Bounds on what a hostile mountinfo can make us hold: a host running a
// few thousand containers has a table of a few MiB, with overlay lines of
// a few KiB each.
const (
	maxMountInfo = 16 << 20
	maxMountLine = 64 << 10
	maxProblems  = 20
)

// Mount is one line of /proc/<pid>/mountinfo (proc_pid_mountinfo(5)):
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//
// Paths are unescaped (the kernel writes space, tab, newline and backslash
// as \040, \011, \012, \134).
type Mount struct {
	ID, Parent   int
	Major, Minor uint32
	Root         string   // the directory of the filesystem mounted here
	Point        string   // the mount point
	Options      []string // per-mount options: rw/ro, noexec, nosuid, nodev, relatime...
	FSType       string
	Source       string
	Super        []string // the superblock's options: rw/ro, barrier settings, size=...
	Line         int
}

// Has reports whether opt is among the per-mount or the superblock options.
func (m Mount) Has(opt string) bool {
	for _, o := range m.Options {
		if o == opt {
			return true
		}
	}
	for _, o := range m.Super {
		if o == opt {
			return true
		}
	}
	return false
}

// Device is the mount's major:minor, as /sys/dev/block names it.
func (m Mount) Device() string { return fmt.Sprintf("%d:%d", m.Major, m.Minor) }

// MountTable is a parsed mount table. Problems name the lines that were
// not understood; the kernel never writes such lines, so they mean a
// damaged or hand-made file, and the rest is still used.
type MountTable struct {
	Mounts   []Mount
	Problems []string
	// Skipped counts problems beyond the ones named.
	Skipped int
}

type mountsKey struct{}

// MaxMountInfo is the most of /proc/self/mountinfo any family reads.
const MaxMountInfo = maxMountInfo

// MountInfo is the bytes of the root's /proc/self/mountinfo, read once per
// run for every family that parses it (at most MaxMountInfo bytes).
func MountInfo(h *host.Host) ([]byte, error) {
	return readShared(h, MountInfoPath, maxMountInfo, maxMountInfo)
}

// Mounts is the root's /proc/self/mountinfo, read and parsed once per run.
func Mounts(h *host.Host) (*MountTable, error) {
	return memoErr(h, mountsKey{}, func(h *host.Host) (*MountTable, error) {
		data, err := MountInfo(h)
		if err != nil {
			return nil, err
		}
		return ParseMountInfo(data), nil
	})
}

// Holding returns the mount that holds the absolute, symlink-free path p:
// the one with the longest mount point that is p or a parent of it, the
// later line winning among equals (a mount stacked over another hides it).
func (t *MountTable) Holding(p string) (Mount, bool) {
	best, found := Mount{}, false
	for _, m := range t.Mounts {
		if !under(p, m.Point) {
			continue
		}
		if !found || len(m.Point) >= len(best.Point) {
			best, found = m, true
		}
	}
	return best, found
}

// under reports whether p is dir or inside it.
func under(p, dir string) bool {
	if dir == "/" || p == dir {
		return true
	}
	return strings.HasPrefix(p, dir) && p[len(dir)] == '/'
}

func (t *MountTable) problem(line int, format string, args ...any) {
	if len(t.Problems) == maxProblems {
		t.Skipped++
		return
	}
	t.Problems = append(t.Problems, fmt.Sprintf("line %d: %s", line, fmt.Sprintf(format, args...)))
}

// ParseMountInfo parses a mount table, keeping every line it understands.
func ParseMountInfo(data []byte) *MountTable {
	t := &MountTable{}
	n := 0
	for len(data) > 0 {
		n++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if len(line) == 0 {
			continue
		}
		if len(line) > maxMountLine {
			t.problem(n, "longer than %d bytes", maxMountLine)
			continue
		}
		m, err := ParseMountLine(string(line))
		if err != nil {
			t.problem(n, "%v", err)
			continue
		}
		m.Line = n
		t.Mounts = append(t.Mounts, m)
	}
	return t
}

// ParseMountLine parses one mountinfo line. It splits on single spaces,
// as the kernel writes them: a source can be empty (two spaces in a row).
func ParseMountLine(s string) (Mount, error) {
	parts := strings.Split(s, " ")
	sep := -1
	for i := 6; i < len(parts); i++ {
		if parts[i] == "-" {
			sep = i
			break
		}
	}
	if sep < 0 {
		return Mount{}, fmt.Errorf("no \" - \" separator after the sixth field")
	}
	if len(parts) != sep+4 {
		return Mount{}, fmt.Errorf("%d fields after the separator, want 3 (type, source, options)", len(parts)-sep-1)
	}
	var m Mount
	var err error
	if m.ID, err = strconv.Atoi(parts[0]); err != nil || m.ID < 0 {
		return Mount{}, fmt.Errorf("mount ID %q is not a number", clip(parts[0]))
	}
	if m.Parent, err = strconv.Atoi(parts[1]); err != nil || m.Parent < 0 {
		return Mount{}, fmt.Errorf("parent ID %q is not a number", clip(parts[1]))
	}
	maj, min, ok := strings.Cut(parts[2], ":")
	major, err1 := strconv.ParseUint(maj, 10, 32)
	minor, err2 := strconv.ParseUint(min, 10, 32)
	if !ok || err1 != nil || err2 != nil || strings.HasPrefix(maj, "+") || strings.HasPrefix(min, "+") {
		return Mount{}, fmt.Errorf("device %q is not major:minor", clip(parts[2]))
	}
	m.Major, m.Minor = uint32(major), uint32(minor)
	if m.Root, err = kerneltext.Unescape(parts[3]); err != nil {
		return Mount{}, fmt.Errorf("root: %w", err)
	}
	if m.Point, err = kerneltext.Unescape(parts[4]); err != nil {
		return Mount{}, fmt.Errorf("mount point: %w", err)
	}
	if !strings.HasPrefix(m.Root, "/") || !strings.HasPrefix(m.Point, "/") {
		return Mount{}, fmt.Errorf("root %q or mount point %q is not absolute", clip(m.Root), clip(m.Point))
	}
	m.Options = strings.Split(parts[5], ",")
	m.FSType = parts[sep+1]
	if m.FSType == "" {
		return Mount{}, fmt.Errorf("empty filesystem type")
	}
	if m.Source, err = kerneltext.Unescape(parts[sep+2]); err != nil {
		return Mount{}, fmt.Errorf("source: %w", err)
	}
	m.Super = strings.Split(parts[sep+3], ",")
	return m, nil
}
