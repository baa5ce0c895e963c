// Package host is the only code in golive that reads the machine. A Host is
// rooted at "/" (the running system) or at a directory holding another root
// filesystem (a mounted golden image, a test fixture). Every path a check asks
// for is an absolute path inside that root; symbolic links are resolved as a
// chroot would resolve them, so an image's absolute links never escape to the
// machine golive runs on.
//
// Nothing here writes: the read-only promise of `golive check` lives in this
// package.
package host

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultLimit bounds every read that does not ask for another limit. The
// largest file golive reads on purpose is a CA bundle (about 250 KiB).
const DefaultLimit int64 = 4 << 20

// maxSymlinks matches the kernel's limit before it answers ELOOP.
const maxSymlinks = 40

var (
	// ErrTooLarge is returned when a file is larger than the read limit.
	ErrTooLarge = errors.New("file larger than the read limit")
	// ErrNotRegular is returned when a path names a directory, device, FIFO
	// or socket where a regular file was expected. Reading a FIFO planted in
	// an image would otherwise block forever.
	ErrNotRegular = errors.New("not a regular file")
)

// Host is a read-only view of one root filesystem.
type Host struct {
	root string // absolute, cleaned; "/" for the running system
	now  func() time.Time
	euid int
	// dirs caches directories already resolved under the root (path as
	// named -> path inside the root, symlinks followed). golive only reads,
	// and a run lasts seconds, so a directory's resolution does not change
	// while it runs; without the cache every read re-lstats each component.
	dirs sync.Map
	// memo keeps values derived from the host's files for the run (Memo).
	memo sync.Map
	// reads, when set, counts the files read (WithReadLog).
	reads *ReadLog
}

// Option configures a Host.
type Option func(*Host)

// WithClock replaces the wall clock; tests and golden reports pin time.
func WithClock(now func() time.Time) Option { return func(h *Host) { h.now = now } }

// WithEUID replaces the effective user ID, so tests can exercise the
// non-root paths while running as root.
func WithEUID(uid int) Option { return func(h *Host) { h.euid = uid } }

// New returns a Host rooted at root, which must be an existing directory.
func New(root string, opts ...Option) (*Host, error) {
	if root == "" {
		root = "/"
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", root, err)
	}
	// The root itself may be a symlink (/mnt/image -> /srv/images/x); resolve
	// it once with the machine's own rules.
	if abs != "/" {
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			return nil, fmt.Errorf("root %s: %w", root, err)
		}
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("root %s: not a directory", root)
	}
	h := &Host{root: abs, now: time.Now, euid: os.Geteuid()}
	for _, o := range opts {
		o(h)
	}
	return h, nil
}

// Root is the directory the host is rooted at.
func (h *Host) Root() string { return h.root }

// Live reports whether the host is the running system, so that live-only
// facts (processes, D-Bus, the kernel's current state) belong to it.
func (h *Host) Live() bool { return h.root == "/" }

// Now is the current time (pinned in tests).
func (h *Host) Now() time.Time { return h.now() }

// Privileged reports whether golive runs as root; checks that need privilege
// say "skip: needs root" otherwise.
func (h *Host) Privileged() bool { return h.euid == 0 }

// ReadFile reads a whole regular file, at most DefaultLimit bytes.
func (h *Host) ReadFile(name string) ([]byte, error) {
	return h.ReadFileLimit(name, DefaultLimit)
}

// ReadFileLimit reads a whole regular file of at most limit bytes. Files in
// /proc and /sys report size 0, so the limit is enforced while reading.
func (h *Host) ReadFileLimit(name string, limit int64) ([]byte, error) {
	h.reads.add(name)
	p, err := h.resolve(name)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, h.pathErr("open", name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, h.pathErr("stat", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrNotRegular}
	}
	// A regular file says its size: read it into a buffer of that size
	// (one byte more sees EOF) rather than io.ReadAll's doubling, which
	// touched about twice a 220 KB CA bundle's bytes in fresh pages.
	// /proc and /sys files say 0 and grow the buffer as they are read.
	var buf []byte
	if n := fi.Size(); n > 0 && n <= limit {
		buf = make([]byte, 0, n+1)
	}
	data, err := readAll(buf, io.LimitReader(f, limit+1))
	if err != nil {
		return nil, h.pathErr("read", name, err)
	}
	if int64(len(data)) > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w (%d bytes)", ErrTooLarge, limit)}
	}
	return data, nil
}

// ReadDir lists a directory, sorted by name. Entry types are those of the
// entries themselves (a symlink is reported as a symlink).
func (h *Host) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := h.resolve(name)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, h.pathErr("readdir", name, err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	return entries, nil
}

// Stat follows symlinks (within the root).
func (h *Host) Stat(name string) (fs.FileInfo, error) {
	p, err := h.resolve(name)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return nil, h.pathErr("stat", name, err)
	}
	return fi, nil
}

// Lstat does not follow a symlink in the last element.
func (h *Host) Lstat(name string) (fs.FileInfo, error) {
	p, err := h.resolveParent(name)
	if err != nil {
		return nil, err
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, h.pathErr("lstat", name, err)
	}
	return fi, nil
}

// Readlink returns a symlink's target as written in the link.
func (h *Host) Readlink(name string) (string, error) {
	p, err := h.resolveParent(name)
	if err != nil {
		return "", err
	}
	t, err := os.Readlink(p)
	if err != nil {
		return "", h.pathErr("readlink", name, err)
	}
	return t, nil
}

// Exists reports whether name exists (following symlinks). Errors other than
// "does not exist" count as existing, so the caller's read reports them.
func (h *Host) Exists(name string) bool {
	_, err := h.Stat(name)
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}

// pathErr rewrites an error about the real path into one about the path as
// the check named it, so messages read "/etc/os-release", not the fixture dir.
func (h *Host) pathErr(op, name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: op, Path: name, Err: pe.Err}
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// resolve maps a path inside the root to a path on this machine, resolving
// every symlink with the root as "/".
func (h *Host) resolve(name string) (string, error) {
	return h.walk(name, true)
}

// resolveParent resolves all but the last element.
func (h *Host) resolveParent(name string) (string, error) {
	return h.walk(name, false)
}

func (h *Host) walk(name string, followLast bool) (string, error) {
	if !path.IsAbs(name) {
		return "", &fs.PathError{Op: "open", Path: name, Err: errors.New("path must be absolute")}
	}
	clean := path.Clean(name)
	if h.root == "/" {
		return clean, nil
	}
	if clean == "/" {
		return h.root, nil
	}
	dir, base := path.Split(clean)
	dir = path.Clean(dir)
	inRoot, ok := h.resolvedDir(dir)
	if !ok {
		// The directory does not fully resolve (a missing component, a
		// loop): walk the whole path so the error names it.
		return h.walkFrom(name, "", splitPath(clean), followLast, 0)
	}
	return h.walkFrom(name, inRoot, []string{base}, followLast, 0)
}

// resolvedDir returns a directory resolved inside the root, from the cache
// when it has been resolved before. ok is false when dir does not resolve
// to an existing directory.
func (h *Host) resolvedDir(dir string) (string, bool) {
	if dir == "/" {
		return "", true
	}
	if v, ok := h.dirs.Load(dir); ok {
		return v.(string), true
	}
	real, err := h.walkFrom(dir, "", splitPath(dir), true, 0)
	if err != nil {
		return "", false
	}
	fi, err := os.Lstat(real)
	if err != nil || !fi.IsDir() {
		return "", false
	}
	inRoot := strings.TrimPrefix(real, h.root)
	h.dirs.Store(dir, inRoot)
	return inRoot, true
}

// walkFrom resolves rest below resolved (a path inside the root; "" is the
// root itself), following symlinks with the root as "/", and returns the
// path on this machine.
func (h *Host) walkFrom(name, resolved string, rest []string, followLast bool, links int) (string, error) {
	for len(rest) > 0 {
		elem := rest[0]
		rest = rest[1:]
		if elem == "." {
			continue
		}
		if elem == ".." {
			resolved = parent(resolved)
			continue
		}
		next := resolved + "/" + elem
		if len(rest) == 0 && !followLast {
			resolved = next
			break
		}
		fi, err := os.Lstat(h.root + next)
		if err != nil {
			// Let the caller's open report the error for the path as named.
			return h.root + next + joinRest(rest), nil
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		links++
		if links > maxSymlinks {
			return "", &fs.PathError{Op: "open", Path: name, Err: syscall.ELOOP}
		}
		target, err := os.Readlink(h.root + next)
		if err != nil {
			return "", h.pathErr("readlink", name, err)
		}
		if path.IsAbs(target) {
			resolved = ""
		}
		rest = append(splitPath(target), rest...)
	}
	return h.root + resolved, nil
}

func splitPath(p string) []string {
	var out []string
	for _, e := range strings.Split(p, "/") {
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

func parent(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return ""
	}
	return p[:i]
}

func joinRest(rest []string) string {
	if len(rest) == 0 {
		return ""
	}
	return "/" + strings.Join(rest, "/")
}

// Open opens a regular file under the root for random access (ELF files
// are read by section, not whole). The caller closes it.
func (h *Host) Open(name string) (*os.File, error) {
	h.reads.add(name)
	p, err := h.resolve(name)
	if err != nil {
		return nil, err
	}
	f, err := openRegular(p)
	if err != nil {
		return nil, h.pathErr("open", name, err)
	}
	return f, nil
}

// OpenArtifact opens a file of the machine golive runs on, whatever the
// root: an artifact a pipeline checks against a target root (`--binary`).
func OpenArtifact(path string) (*os.File, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: unwrapPathErr(err)}
	}
	return f, nil
}

func openRegular(p string) (*os.File, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, ErrNotRegular
	}
	return f, nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readAll is io.ReadAll appending to buf, so a caller that knows the size
// allocates once.
func readAll(buf []byte, r io.Reader) ([]byte, error) {
	if cap(buf) == 0 {
		buf = make([]byte, 0, 512)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
