package disk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

type spaceCheck struct {
	engine.Base
	rule rule
	set  settings
}

type inodesCheck struct {
	engine.Base
	rule rule
	set  settings
}

// existing is the path itself, or its nearest existing parent: a data
// directory not created yet will be created on the filesystem holding
// that parent.
func existing(h *host.Host, p string) (string, error) {
	for q := p; ; q = path.Dir(q) {
		_, err := h.Stat(q)
		if err == nil {
			return q, nil
		}
		if !errors.Is(err, fs.ErrNotExist) || q == "/" {
			return q, err
		}
	}
}

// statPath is statfs of the filesystem holding the rule's path, or the
// result a check gives when it cannot be had.
func statPath(h *host.Host, r rule) (host.FSStat, string, *engine.Result) {
	at, err := existing(h, r.Path)
	if err == nil {
		var st host.FSStat
		if st, err = h.Statfs(at); err == nil {
			return st, at, nil
		}
	}
	switch {
	case errors.Is(err, host.ErrNotOwnFilesystem):
		return host.FSStat{}, at, &engine.Result{Status: engine.Skip,
			Message: "under --root statfs answers for a mounted image only: this root is a directory on this machine's own filesystem, whose free space is not the image's"}
	case h.NeedsRoot(err):
		res := engine.SkipNeedsRoot(engine.Result{}, err)
		return host.FSStat{}, at, &res
	}
	return host.FSStat{}, at, &engine.Result{Status: engine.Error, Message: "statfs: " + err.Error()}
}

// usage is how much of a filesystem is free for the service.
type usage struct {
	free, total uint64 // free for the service; what it can use at most (df's used + avail)
	percent     float64
}

// spaceUsage counts the reserved blocks as root's only: a service running
// as its own user sees f_bavail, and df's Use% is used/(used+avail).
func spaceUsage(st host.FSStat, root bool) usage {
	used := st.Size - st.Free
	free := st.Avail
	if root {
		free = st.Free
	}
	u := usage{free: free, total: used + free}
	if u.total > 0 {
		u.percent = float64(free) * 100 / float64(u.total)
	}
	return u
}

// verdict judges a usage against the levels: fail below either bound of
// fail, warn below either of warn.
func verdict(u usage, l levels) (engine.Status, string) {
	below := func(lim limit) string {
		switch {
		case lim.minFree > 0 && u.free < lim.minFree:
			return fmt.Sprintf("below %d", lim.minFree)
		case lim.minPercent > 0 && u.percent < float64(lim.minPercent):
			return fmt.Sprintf("below %d%%", lim.minPercent)
		}
		return ""
	}
	if b := below(l.fail); b != "" {
		return engine.Fail, b
	}
	if b := below(l.warn); b != "" {
		return engine.Warn, b
	}
	return engine.Pass, ""
}

func (c *spaceCheck) Run(_ context.Context, h *host.Host) engine.Result {
	st, at, bad := statPath(h, c.rule)
	if bad != nil {
		return *bad
	}
	root := c.rule.User == "root"
	u := spaceUsage(st, root)
	status, _ := verdict(u, c.set.space)
	who := "the service (not root: the reserved blocks are root's)"
	if root {
		who = "the service (root: the reserved blocks count)"
	}
	res := engine.Result{Status: status,
		Observed: fmt.Sprintf("%s free of %s (%.1f%%)", formatBytes(u.free), formatBytes(u.total), u.percent),
		Details: map[string]any{"path": at, "size_bytes": st.Size, "free_bytes": st.Free, "avail_bytes": st.Avail,
			"reserved_bytes": st.Free - st.Avail, "free_percent": round1(u.percent), "counted_for": map[bool]string{true: "root", false: "non-root"}[root]},
	}
	res.Message = fmt.Sprintf("%s can still write %s on the filesystem holding %s; %s are reserved for root", who, formatBytes(u.free), at, formatBytes(st.Free-st.Avail))
	if st.ReadOnly {
		res.Message += "; the filesystem is mounted read-only"
	}
	if status != engine.Pass {
		res.Remediation = &remediate.Plan{Summary: "free space under " + at, Actions: []remediate.Action{remediate.Tell(fmt.Sprintf(
			"find what uses the filesystem holding %s (du -xh --max-depth=2 %s | sort -h | tail -20; journalctl --disk-usage), "+
				"then remove or rotate it (old logs, journalctl --vacuum-size=, old kernels and package caches, etcd: compact and defragment) or grow the filesystem", at, at))}}
	}
	return res
}

func (c *inodesCheck) Run(_ context.Context, h *host.Host) engine.Result {
	st, at, bad := statPath(h, c.rule)
	if bad != nil {
		return *bad
	}
	if st.Files == 0 {
		return engine.Result{Status: engine.Pass, Observed: "no fixed inode count",
			Message: "the filesystem holding " + at + " allocates inodes as it needs them (btrfs, a tmpfs with nr_inodes=0): it cannot run out of inodes before it runs out of space",
			Details: map[string]any{"path": at, "inodes": 0}}
	}
	u := usage{free: st.FilesFree, total: st.Files, percent: float64(st.FilesFree) * 100 / float64(st.Files)}
	status, _ := verdict(u, c.set.inodes)
	res := engine.Result{Status: status,
		Observed: fmt.Sprintf("%d inodes free of %d (%.1f%%)", u.free, u.total, u.percent),
		Message:  fmt.Sprintf("the filesystem holding %s has %d free inodes: each new file takes one, whatever its size", at, u.free),
		Details:  map[string]any{"path": at, "inodes": st.Files, "inodes_free": st.FilesFree, "free_percent": round1(u.percent)},
	}
	if status != engine.Pass {
		res.Remediation = &remediate.Plan{Summary: "free inodes under " + at, Actions: []remediate.Action{remediate.Tell(fmt.Sprintf(
			"find the directories with the most files on the filesystem holding %s (du -x --inodes --max-depth=3 %s | sort -n | tail -20) and remove what is not needed "+
				"(session files, mail queues, caches); ext4 cannot add inodes later: a new filesystem with mkfs.ext4 -i or -N", at, at))}}
	}
	return res
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
