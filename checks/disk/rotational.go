package disk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// sysDevBlock names every block device by major:minor (sysfs-rules.rst:
// /sys/dev/block/M:m links to the device's directory under /sys/devices).
const sysDevBlock = "/sys/dev/block"

// maxStack bounds how deep device-mapper and md may stack (LVM on md on
// partitions is three); a deeper or looping stack is not believed.
const maxStack = 16

// blockDev is one device that holds data: a whole disk at the bottom of
// the stack (partitions resolved to their disk, dm and md to their slaves).
type blockDev struct {
	Name       string `json:"name"`
	Rotational bool   `json:"rotational"`
	Model      string `json:"model,omitempty"`
	Virtio     bool   `json:"virtio,omitempty"`
}

// stack is what lies under a filesystem: the chain of devices walked
// (dm-0 -> md0 -> sda1 -> sda) and the disks at the bottom.
type stack struct {
	Chain []string
	Disks []blockDev
}

// resolveStack walks from the device major:minor down to its disks.
func resolveStack(h *host.Host, dev string) (stack, error) {
	var s stack
	dir, err := follow(h, sysDevBlock, dev)
	if err != nil {
		return s, err
	}
	seen := map[string]bool{}
	if err = s.walk(h, dir, seen, 0); err == nil && len(s.Disks) == 0 {
		err = fmt.Errorf("%s/%s: no disk at the bottom of %s (a slave loop?)", sysDevBlock, dev, strings.Join(s.Chain, " -> "))
	}
	return s, err
}

// stackKey memoises a device's stack for the run: several paths often
// share one filesystem.
type stackKey struct{ dir, dev string }

type stackResult struct {
	s   stack
	err error
}

// stackOf resolves the device directory dir, or the device major:minor dev.
func stackOf(h *host.Host, dir, dev string) (stack, error) {
	r := facts.Memo(h, stackKey{dir, dev}, func(h *host.Host) stackResult {
		if dir != "" {
			var s stack
			err := s.walk(h, dir, map[string]bool{}, 0)
			if err == nil && len(s.Disks) == 0 {
				err = fmt.Errorf("%s: no disk at the bottom", dir)
			}
			return stackResult{s, err}
		}
		s, err := resolveStack(h, dev)
		return stackResult{s, err}
	})
	return r.s, r.err
}

// follow reads the symlink dir/name and returns its target as an absolute
// path inside the root (sysfs links are relative).
func follow(h *host.Host, dir, name string) (string, error) {
	target, err := h.Readlink(dir + "/" + name)
	if err != nil {
		return "", err
	}
	if path.IsAbs(target) {
		return path.Clean(target), nil
	}
	return path.Join(dir, target), nil
}

func (s *stack) walk(h *host.Host, dir string, seen map[string]bool, depth int) error {
	if depth > maxStack {
		return fmt.Errorf("%s: devices stacked deeper than %d", dir, maxStack)
	}
	if seen[dir] {
		return nil // two slaves on one disk (md over two partitions of it)
	}
	seen[dir] = true
	name := path.Base(dir)
	s.Chain = append(s.Chain, name)
	if _, err := h.Stat(dir + "/partition"); err == nil {
		// A partition's directory lies in its disk's (block/sda/sda1).
		return s.walk(h, path.Dir(dir), seen, depth+1)
	}
	slaves, err := h.ReadDir(dir + "/slaves")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if len(slaves) > 0 {
		for _, e := range slaves {
			next, err := follow(h, dir+"/slaves", e.Name())
			if err != nil {
				return err
			}
			if err := s.walk(h, next, seen, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	rot, err := h.ReadFileLimit(dir+"/queue/rotational", 64)
	if err != nil {
		return err
	}
	d := blockDev{Name: name, Virtio: strings.HasPrefix(name, "vd")}
	switch v := strings.TrimSpace(string(rot)); v {
	case "0":
	case "1":
		d.Rotational = true
	default:
		return fmt.Errorf("%s/queue/rotational: %q is not 0 or 1", dir, clip(v))
	}
	if model, err := h.ReadFileLimit(dir+"/device/model", 256); err == nil {
		d.Model = strings.TrimSpace(strings.ToValidUTF8(string(model), "?"))
	}
	s.Disks = append(s.Disks, d)
	return nil
}

type rotationalCheck struct {
	engine.Base
	rule rule
	set  settings
}

func (c *rotationalCheck) Run(_ context.Context, h *host.Host) engine.Result {
	m, at, bad := mountOf(h, c.rule)
	if bad != nil {
		return *bad
	}
	dev := m.Device()
	if m.Major == 0 {
		// No block device of its own: tmpfs, overlay, NFS; btrfs names
		// an anonymous device here and its disk as the source.
		if !strings.HasPrefix(m.Source, "/dev/") {
			return engine.Result{Status: engine.Skip, Observed: m.FSType + " " + m.Source,
				Message: fmt.Sprintf("%s is on %s (%s), which has no block device of its own", at, m.Point, m.FSType)}
		}
		d, err := follow(h, "/sys/class/block", path.Base(m.Source))
		if err != nil {
			return readFailure(h, err)
		}
		return c.judge(h, at, m.Point, d, "")
	}
	return c.judge(h, at, m.Point, "", dev)
}

func readFailure(h *host.Host, err error) engine.Result {
	switch {
	case errors.Is(err, fs.ErrNotExist) && !h.Live():
		return engine.Result{Status: engine.Skip, Message: "the root has no such " + sysDevBlock + " entry (an image has no /sys): " + err.Error()}
	case h.NeedsRoot(err):
		return engine.SkipNeedsRoot(engine.Result{}, err)
	}
	return engine.Result{Status: engine.Error, Message: "cannot resolve the block device: " + err.Error()}
}

func (c *rotationalCheck) judge(h *host.Host, at, point, dir, dev string) engine.Result {
	s, err := stackOf(h, dir, dev)
	if err != nil {
		return readFailure(h, err)
	}
	var spinning, solid []string
	allVirtio := true
	for _, d := range s.Disks {
		desc := d.Name
		if d.Model != "" {
			desc += " (" + d.Model + ")"
		}
		if d.Rotational {
			spinning = append(spinning, desc)
			allVirtio = allVirtio && d.Virtio
		} else {
			solid = append(solid, desc)
		}
	}
	res := engine.Result{Details: map[string]any{"path": at, "mount_point": point, "device": dev, "chain": s.Chain, "disks": s.Disks}}
	res.Observed = "device " + strings.Join(s.Chain, " -> ")
	if len(spinning) == 0 {
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("%s is on non-rotational %s", at, strings.Join(solid, ", "))
		return res
	}
	res.Observed += "; rotational: " + strings.Join(spinning, ", ")
	if c.rule.Store == "" {
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("%s is on rotational %s; no store's data is kept here (disk.paths store:), so that is only reported", at, strings.Join(spinning, ", "))
		if allVirtio {
			res.Message += virtioNote
		}
		return res
	}
	level := c.set.rotational[c.rule.Store]
	res.Status = engine.MissStatus(level)
	res.Message = fmt.Sprintf("%s's data at %s is on rotational %s: %s", c.rule.Store, at, strings.Join(spinning, ", "), storeWhy[c.rule.Store])
	if allVirtio {
		res.Status = engine.Warn
		res.Message += virtioNote + "; measure with --probe fsync"
	}
	return res
}

const virtioNote = "; these are virtio disks (vd*), which report rotational=1 on many VMs whatever storage backs them, so this does not prove spinning disks"

var storeWhy = map[string]string{
	storeEtcd:  "etcd fsyncs its WAL on every write and its leader heartbeats stall behind slow fsyncs; etcd's hardware guide asks for SSDs",
	storeMySQL: "InnoDB's redo log flush and random page reads are bounded by a spinning disk's few hundred IOPS",
}
