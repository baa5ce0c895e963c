package cgroup

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/kerneltext"
)

// Bounds on what a hostile mountinfo can make us hold. A host running a few
// thousand containers has a mountinfo of a few MiB with overlay lines of a
// few KiB each (lowerdir= lists every layer).
const (
	maxMountInfo = facts.MaxMountInfo
	maxMountLine = 64 << 10
	maxProblems  = 20
)

// mountInfoPath is where the running system's mount table is read: golive's
// own mount namespace, which is the host's unless golive runs in a container.
const mountInfoPath = "/proc/self/mountinfo"

// mount is one line of /proc/<pid>/mountinfo (proc_pid_mountinfo(5)):
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//
// Paths are unescaped (the kernel writes space, tab, newline and backslash
// as \040, \011, \012, \134).
type mount struct {
	id, parent int
	root       string // the directory of the filesystem mounted here
	point      string // the mount point
	fsType     string
	source     string
	super      []string // superblock options, e.g. rw, nsdelegate, memory
	// readOnly: the mount (or its superblock) is read-only, as a
	// container runtime mounts the cgroups it does not delegate; nothing
	// can create a cgroup or write a limit there.
	readOnly bool
	line     int
}

// mountInfo is a parsed mount table. Problems name the lines that were not
// understood; the kernel never writes such lines, so they mean a damaged or
// hand-made file, and the rest is still used.
type mountInfo struct {
	mounts   []mount
	problems []string
	// skipped counts problems beyond the ones named.
	skipped int
}

func (mi *mountInfo) problem(line int, format string, args ...any) {
	if len(mi.problems) == maxProblems {
		mi.skipped++
		return
	}
	mi.problems = append(mi.problems, fmt.Sprintf("line %d: %s", line, fmt.Sprintf(format, args...)))
}

// parseMountInfo parses a mount table. github.com/prometheus/procfs has a
// parser for this format, but it only reads by path (os.Open, unbounded,
// symlinks resolved on this machine rather than inside --root) and fails
// the whole file on one bad line; golive reads through internal/host and
// keeps what it can, so it parses here.
func parseMountInfo(data []byte) *mountInfo {
	mi := &mountInfo{}
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
			mi.problem(n, "longer than %d bytes", maxMountLine)
			continue
		}
		m, err := parseMountLine(string(line))
		if err != nil {
			mi.problem(n, "%v", err)
			continue
		}
		m.line = n
		mi.mounts = append(mi.mounts, m)
	}
	return mi
}

// parseMountLine splits on single spaces, as the kernel writes them: a
// source can be empty (two spaces in a row), and fields.Fields would shift
// the superblock options into its place.
func parseMountLine(s string) (mount, error) {
	parts := strings.Split(s, " ")
	sep := -1
	for i := 6; i < len(parts); i++ {
		if parts[i] == "-" {
			sep = i
			break
		}
	}
	if sep < 0 {
		return mount{}, fmt.Errorf("no \" - \" separator after the sixth field")
	}
	if len(parts) != sep+4 {
		return mount{}, fmt.Errorf("%d fields after the separator, want 3 (type, source, options)", len(parts)-sep-1)
	}
	var m mount
	var err error
	if m.id, err = strconv.Atoi(parts[0]); err != nil || m.id < 0 {
		return mount{}, fmt.Errorf("mount ID %q is not a number", clip(parts[0]))
	}
	if m.parent, err = strconv.Atoi(parts[1]); err != nil || m.parent < 0 {
		return mount{}, fmt.Errorf("parent ID %q is not a number", clip(parts[1]))
	}
	if maj, min, ok := strings.Cut(parts[2], ":"); !ok || !digits(maj) || !digits(min) {
		return mount{}, fmt.Errorf("device %q is not major:minor", clip(parts[2]))
	}
	if m.root, err = kerneltext.Unescape(parts[3]); err != nil {
		return mount{}, fmt.Errorf("root: %w", err)
	}
	if m.point, err = kerneltext.Unescape(parts[4]); err != nil {
		return mount{}, fmt.Errorf("mount point: %w", err)
	}
	if !strings.HasPrefix(m.root, "/") || !strings.HasPrefix(m.point, "/") {
		return mount{}, fmt.Errorf("root %q or mount point %q is not absolute", clip(m.root), clip(m.point))
	}
	m.fsType = parts[sep+1]
	if m.fsType == "" {
		return mount{}, fmt.Errorf("empty filesystem type")
	}
	if m.source, err = kerneltext.Unescape(parts[sep+2]); err != nil {
		return mount{}, fmt.Errorf("source: %w", err)
	}
	m.super = strings.Split(parts[sep+3], ",")
	for _, o := range append(strings.Split(parts[5], ","), m.super...) {
		if o == "ro" {
			m.readOnly = true
		}
	}
	return m, nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clip shortens text from a hostile file for a message (which quotes it
// with %q, so control bytes never reach a terminal raw).
func clip(s string) string { return kerneltext.Clip(s, 64) }
