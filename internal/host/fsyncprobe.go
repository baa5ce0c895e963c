package host

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// The one exception to this package's read-only promise: FsyncProbe
// writes, and runs only when a probe was asked for (golive check --probe
// fsync, or options: probe: [fsync]).

// ErrProbeNotLive is returned by FsyncProbe under --root: a directory of
// an image mounted on this machine would measure this machine's disk.
var ErrProbeNotLive = errors.New("the fsync probe measures the running system's disks only; under --root it would measure the disk the image sits on")

// FsyncProbeFile is the prefix of the temp file FsyncProbe creates.
const FsyncProbeFile = ".golive-fsync-"

// FsyncProbe measures fdatasync(2) latency in dir as etcd's guidance does
// (fio --rw=write --ioengine=sync --fdatasync=1 --bs=2300): it creates a
// new temp file there (O_EXCL, mode 0600), appends writes blocks of size
// bytes, each followed by fdatasync, and returns each fdatasync's
// duration. It stops early when budget has passed or ctx is done (the
// durations so far are returned, with ctx's error when it was that). The
// file is removed before it returns, whatever happened.
func (h *Host) FsyncProbe(ctx context.Context, dir string, writes, size int, budget time.Duration) (lat []time.Duration, err error) {
	if !h.Live() {
		return nil, ErrProbeNotLive
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	name := filepath.Join(dir, FsyncProbeFile+hex.EncodeToString(rnd[:])+".tmp")
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	defer func() {
		cerr := f.Close()
		rerr := os.Remove(name)
		if err == nil {
			err = errors.Join(cerr, rerr)
		}
	}()
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = byte('a' + i%26)
	}
	start := time.Now()
	lat = make([]time.Duration, 0, writes)
	for range writes {
		if err := ctx.Err(); err != nil {
			return lat, context.Cause(ctx)
		}
		if time.Since(start) > budget {
			break
		}
		if _, err := f.Write(buf); err != nil {
			return lat, fmt.Errorf("write %s: %w", name, err)
		}
		t := time.Now()
		for {
			err = unix.Fdatasync(int(f.Fd()))
			if !errors.Is(err, unix.EINTR) {
				break
			}
		}
		if err != nil {
			return lat, fmt.Errorf("fdatasync %s: %w", name, err)
		}
		lat = append(lat, time.Since(t))
	}
	return lat, nil
}
