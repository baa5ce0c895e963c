package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// FSStat is what statfs(2) says of the filesystem holding a path, in bytes
// and inodes. Free counts the blocks root may still use (f_bfree), Avail
// those an unprivileged user may (f_bavail): ext4 and xfs keep the
// difference as the reserved blocks (tune2fs -m), which a service running
// as its own user never gets.
type FSStat struct {
	Type      int64  // f_type, the filesystem's magic number
	BlockSize uint64 // f_frsize: the unit of the block counts
	Size      uint64 // f_blocks * f_frsize
	Free      uint64 // f_bfree * f_frsize: free for root
	Avail     uint64 // f_bavail * f_frsize: free for everyone else
	Files     uint64 // f_files: inodes; 0 when the filesystem has no fixed number (btrfs, a tmpfs with nr_inodes=0)
	FilesFree uint64 // f_ffree
	ReadOnly  bool   // ST_RDONLY in f_flags
}

// ErrNotOwnFilesystem is returned by Statfs under a --root that is not a
// mount point of its own: statfs would answer for the filesystem that
// holds the directory on this machine, not for the image's.
var ErrNotOwnFilesystem = errors.New("the root is a directory of this machine's filesystem, not a mounted image: statfs would describe this machine's disk")

// Statfs calls statfs(2) on name inside the root (symlinks resolved with
// the root as "/"). Under a --root it answers only when the root is a
// mount point of its own (a mounted image), and ErrNotOwnFilesystem
// otherwise. It only reads.
func (h *Host) Statfs(name string) (FSStat, error) {
	if !h.Live() {
		own, err := h.RootIsMountPoint()
		if err != nil {
			return FSStat{}, err
		}
		if !own {
			return FSStat{}, &fs.PathError{Op: "statfs", Path: name, Err: ErrNotOwnFilesystem}
		}
	}
	p, err := h.resolve(name)
	if err != nil {
		return FSStat{}, err
	}
	var st unix.Statfs_t
	for {
		err = unix.Statfs(p, &st)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return FSStat{}, h.pathErr("statfs", name, err)
	}
	bs := uint64(st.Frsize)
	if bs == 0 {
		bs = uint64(st.Bsize)
	}
	return FSStat{
		Type: int64(st.Type), BlockSize: bs,
		Size: st.Blocks * bs, Free: st.Bfree * bs, Avail: st.Bavail * bs,
		Files: st.Files, FilesFree: st.Ffree,
		ReadOnly: st.Flags&unix.ST_RDONLY != 0,
	}, nil
}

// RootIsMountPoint reports whether the root is a filesystem of its own on
// this machine: its device differs from its parent directory's, as a
// mounted image's does. The running system's "/" always is.
func (h *Host) RootIsMountPoint() (bool, error) {
	if h.Live() {
		return true, nil
	}
	var self, up unix.Stat_t
	if err := unix.Stat(h.root, &self); err != nil {
		return false, fmt.Errorf("stat %s: %w", h.root, err)
	}
	if err := unix.Stat(path.Dir(h.root), &up); err != nil {
		return false, fmt.Errorf("stat %s: %w", path.Dir(h.root), err)
	}
	return self.Dev != up.Dev || self.Ino == up.Ino, nil
}

// Resolve returns name with every symlink resolved inside the root, as a
// path inside the root ("/var/lib/etcd" -> "/data/etcd" when it is a link
// there). The path must exist.
func (h *Host) Resolve(name string) (string, error) {
	p, err := h.resolve(name)
	if err != nil {
		return "", err
	}
	if _, err := os.Lstat(p); err != nil {
		return "", h.pathErr("stat", name, err)
	}
	if h.root == "/" {
		// The running system: resolve as the kernel does.
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return "", h.pathErr("stat", name, err)
		}
		return real, nil
	}
	in := strings.TrimPrefix(p, h.root)
	if in == "" {
		in = "/"
	}
	return in, nil
}
