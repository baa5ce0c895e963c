package disk

import (
	"fmt"
	"path"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

func explain(id string) (engine.Meta, bool) {
	pid, ok := engine.ParseID(id)
	if !ok || pid.Category != kind || !path.IsAbs(pid.Target) {
		return engine.Meta{}, false
	}
	r := rule{Path: path.Clean(pid.Target)}
	set := defaults()
	switch pid.Name {
	case "space":
		return metaSpace(r, set), true
	case "inodes":
		return metaInodes(r, set), true
	case "mount":
		return metaMount(r), true
	case "rotational":
		return metaRotational(r, set), true
	case "fsync":
		return metaFsync(r, set), true
	}
	return engine.Meta{}, false
}

func (l limit) String(bytes bool) string {
	s := ""
	if l.minFree > 0 {
		if bytes {
			s = formatBytes(l.minFree)
		} else {
			s = fmt.Sprint(l.minFree)
		}
	}
	if l.minPercent > 0 {
		if s != "" {
			s += " and >= "
		}
		s += fmt.Sprintf("%d%%", l.minPercent)
	}
	if s == "" {
		return "no bound"
	}
	return s
}

func metaSpace(r rule, set settings) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "space", r.Path), Category: kind, Where: r.Where,
		Title:    "free space on the filesystem holding " + r.Path,
		Expected: fmt.Sprintf("free >= %s (warn below %s)", set.space.fail.String(true), set.space.warn.String(true)),
		Level:    profile.LevelFail, Severity: "high",
		Reads: []string{"statfs(2) of " + r.Path + " (or its nearest existing parent): f_blocks, f_bfree, f_bavail; under --root only when the root is a mounted image"},
		Why: "a full filesystem fails every write: etcd raises its NOSPACE alarm and turns read-only, MySQL stops and waits for space, " +
			"logs and the journal stop; the reserved blocks (tune2fs -m) are root's, so a service running as its own user sees f_bavail",
		Fix: "find what uses the space (du -xh, journalctl --disk-usage) and remove or rotate it, or grow the filesystem",
	}
}

func metaInodes(r rule, set settings) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "inodes", r.Path), Category: kind, Where: r.Where,
		Title:    "free inodes on the filesystem holding " + r.Path,
		Expected: fmt.Sprintf("free inodes >= %s (warn below %s)", set.inodes.fail.String(false), set.inodes.warn.String(false)),
		Level:    profile.LevelFail, Severity: "high",
		Reads: []string{"statfs(2) of " + r.Path + ": f_files, f_ffree; under --root only when the root is a mounted image"},
		Why:   "every file takes an inode: with none left, creating a file fails with ENOSPC while df still shows free space",
		Fix:   "remove the many small files (du -x --inodes); ext4 fixes its inode count at mkfs time",
	}
}

func metaMount(r rule) engine.Meta {
	want := "no nobarrier"
	if r.Execs {
		want = "not noexec, " + want
	}
	if r.Writes {
		want = "not ro, " + want
	}
	return engine.Meta{
		ID: engine.CheckID(kind, "mount", r.Path), Category: kind, Where: r.Where,
		Title:    "mount options of the filesystem holding " + r.Path,
		Expected: want, Level: profile.LevelFail, Severity: "high",
		Reads: []string{"/proc/self/mountinfo (the mount with the longest mount point holding the path, symlinks resolved; per-mount and superblock options)"},
		Why: "noexec makes execve of the service's binary fail (EACCES), a read-only mount fails its writes (EROFS), and nobarrier " +
			"lets a power loss drop data the kernel reported as synced",
		Fix: "edit the filesystem's options in /etc/fstab (by hand: a mistake there can stop the boot; findmnt --verify) and remount",
	}
}

func metaRotational(r rule, set settings) engine.Meta {
	level := profile.LevelWarn
	why := "reported for every path; judged only where a store keeps its data (disk.paths store:)"
	expected := "reported (no store's data here)"
	if r.Store != "" {
		level = set.rotational[r.Store]
		why = storeWhy[r.Store]
		expected = "queue/rotational 0 on every disk under the filesystem"
	}
	return engine.Meta{
		ID: engine.CheckID(kind, "rotational", r.Path), Category: kind, Where: r.Where,
		Title:    "the disks under " + r.Path + " do not spin",
		Expected: expected, Level: level, Severity: "medium",
		Reads: []string{"/proc/self/mountinfo (major:minor)", "/sys/dev/block/<major:minor>, partition, slaves/ (device-mapper, LVM, md), queue/rotational and device/model of each disk"},
		Why:   why + "; virtio disks (vd*) say rotational=1 on many VMs whatever backs them, so those only warn",
		Fix:   "move the data to an SSD or NVMe device (etcd's hardware guide asks for SSDs)",
	}
}

func metaFsync(r rule, set settings) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "fsync", r.Path), Category: kind, Where: r.Where,
		Title:    "fdatasync latency in " + r.Path + " (writes a temp file)",
		Expected: fmt.Sprintf("p99 <= %s", set.fsyncP99), Level: profile.LevelFail, Severity: "high",
		Reads: []string{fmt.Sprintf("WRITES: a new temp file %s* in %s: up to %d appends of %d bytes, each followed by fdatasync(2), then removed; only with --probe fsync, on the running system", ".golive-fsync-", r.Path, probeWrites, probeBlock)},
		Why: "etcd makes every write durable in its WAL with fdatasync before it answers; etcd's docs ask for a 99th percentile of " +
			"wal_fsync_duration_seconds under 10 ms, and slower disks cause missed heartbeats and leader elections",
		Fix: "put the data directory on a dedicated SSD or NVMe device",
	}
}
