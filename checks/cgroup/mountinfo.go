package cgroup

import (
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/kerneltext"
)

// Bounds on what a hostile mountinfo can make us hold, as the shared parser
// (facts.ParseMountInfo) keeps them. A host running a few thousand
// containers has a mountinfo of a few MiB with overlay lines of a few KiB
// each (lowerdir= lists every layer).
const (
	maxMountInfo = facts.MaxMountInfo
	maxMountLine = 64 << 10
	maxProblems  = 20
)

// mountInfoPath is where the running system's mount table is read: golive's
// own mount namespace, which is the host's unless golive runs in a container.
const mountInfoPath = facts.MountInfoPath

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

// parseMountInfo parses a mount table with the shared parser
// (facts.ParseMountInfo, which the disk family uses too) and keeps what the
// cgroup checks need of each line.
func parseMountInfo(data []byte) *mountInfo {
	t := facts.ParseMountInfo(data)
	mi := &mountInfo{problems: t.Problems, skipped: t.Skipped, mounts: make([]mount, 0, len(t.Mounts))}
	for _, m := range t.Mounts {
		mi.mounts = append(mi.mounts, mount{id: m.ID, parent: m.Parent, root: m.Root, point: m.Point,
			fsType: m.FSType, source: m.Source, super: m.Super, readOnly: m.Has("ro"), line: m.Line})
	}
	return mi
}

// digits reports whether s is a non-empty run of decimal digits.
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
