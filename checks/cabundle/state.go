package cabundle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/unit"
)

// shared is what the checks of one plan share: the bundle, the roots and
// the service's environment are read once per run, whichever check asks
// first.
type shared struct {
	facts    distroFacts
	unitName string
	// read reads a file the checks name (bundles, anchors' bundle,
	// certificate and key files); tests replace it to see what a
	// non-root run sees.
	read func(h *host.Host, name string, limit int64) ([]byte, error)
}

func newShared(p *profile.Profile) *shared {
	return &shared{facts: factsOf(p), unitName: unit.Normalize(p.Service.Unit), read: (*host.Host).ReadFileLimit}
}

// hostStateKey keeps a plan's hostState for the run (facts.Memo): the state
// depends on the plan's facts and reader, so each plan has its own.
type hostStateKey struct{ s *shared }

func (s *shared) on(h *host.Host) *hostState {
	return facts.Memo(h, hostStateKey{s}, func(h *host.Host) *hostState {
		return &hostState{h: h, facts: s.facts, unitName: s.unitName, read: s.read, roots: map[[2]string]*goRoots{}, files: map[string]*fileEntry{}, certs: certCache{}}
	})
}

// hostState is what one run has read for a plan. Its methods lock; the
// lower-case helpers they call do not.
type hostState struct {
	h        *host.Host
	facts    distroFacts
	unitName string
	read     func(h *host.Host, name string, limit int64) ([]byte, error)

	mu        sync.Mutex
	certs     certCache
	files     map[string]*fileEntry
	roots     map[[2]string]*goRoots
	system    *systemBundle
	env       *serviceEnv
	anchorSet *anchorSet
}

type fileEntry struct {
	b   *bundle
	err error
}

// systemBundle is the bundle the bundle checks judge: facts.ca_bundle, or
// the file Go would read when the profile names none.
type systemBundle struct {
	path      string
	fromFacts bool
	// links is the symlink chain from Path to the file, Path first.
	links  []string
	bundle *bundle
	err    error
}

// source says where the path came from, for messages.
func (s *systemBundle) source() string {
	if s.fromFacts {
		return "the profile's facts.ca_bundle"
	}
	return "the first readable file of Go's list (the profile names no bundle)"
}

// readFile reads through the plan's reader.
func (hs *hostState) readFile(p string, limit int64) ([]byte, error) { return hs.read(hs.h, p, limit) }

// errNoBundle: none of Go's candidate files exists.
var errNoBundle = fmt.Errorf("none of Go's candidate files exists (%s): %w", strings.Join(goCertFiles, ", "), fs.ErrNotExist)

func (hs *hostState) bundle(p string) (*bundle, error) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.bundleLocked(p)
}

func (hs *hostState) bundleLocked(p string) (*bundle, error) {
	if e, ok := hs.files[p]; ok {
		return e.b, e.err
	}
	var b *bundle
	data, err := hs.read(hs.h, p, maxBundleSize)
	if err == nil {
		b = parseBundle(data, hs.certs)
	}
	hs.files[p] = &fileEntry{b, err}
	return b, err
}

func (hs *hostState) systemBundle() *systemBundle {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.system != nil {
		return hs.system
	}
	s := &systemBundle{path: hs.facts.CABundle, fromFacts: hs.facts.CABundle != ""}
	if !s.fromFacts {
		s.path = hs.goFileLocked()
	}
	if s.path == "" {
		s.err = errNoBundle
	} else {
		s.links = links(hs.h, s.path)
		s.bundle, s.err = hs.bundleLocked(s.path)
	}
	hs.system = s
	return s
}

// goFile is the file a Go program without SSL_CERT_FILE reads: the first
// of its candidates that can be read ("" when none). It costs one read of
// the bundle, which the bundle checks share; the directory scan of goRoots
// is left for the checks that need the whole set.
func (hs *hostState) goFile() string {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.goFileLocked()
}

func (hs *hostState) goFileLocked() string {
	for _, f := range goCertFiles {
		if _, err := hs.bundleLocked(f); err == nil {
			return f
		}
	}
	return ""
}

// goRoots are the roots a Go program with these SSL_CERT_FILE and
// SSL_CERT_DIR values loads.
func (hs *hostState) goRoots(certFile, certDir string) *goRoots {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.goRootsLocked(certFile, certDir)
}

func (hs *hostState) goRootsLocked(certFile, certDir string) *goRoots {
	k := [2]string{certFile, certDir}
	if r, ok := hs.roots[k]; ok {
		return r
	}
	r := loadGoRoots(hs.h, hs.bundleLocked, certFile, certDir)
	hs.roots[k] = r
	return r
}

// serviceEnv is the service unit's environment, when the profile names a
// unit.
type serviceEnv struct {
	unit string
	file *unit.File
	env  *unit.Environment
	err  error
}

func (e *serviceEnv) lookup(name string) (unit.Var, bool) {
	if e.env == nil {
		return unit.Var{}, false
	}
	return e.env.Lookup(name)
}

func (hs *hostState) serviceEnv() *serviceEnv {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.env != nil {
		return hs.env
	}
	e := &serviceEnv{unit: hs.unitName}
	if e.unit != "" {
		e.file, e.err = facts.Unit(hs.h, e.unit)
		e.env = facts.UnitEnvironment(hs.h, e.unit)
	}
	hs.env = e
	return e
}

// serviceRoots are the roots of the service: Go's, with the unit's
// SSL_CERT_FILE and SSL_CERT_DIR.
func (hs *hostState) serviceRoots() *goRoots {
	env := hs.serviceEnv()
	f, _ := env.lookup(envCertFile)
	d, _ := env.lookup(envCertDir)
	return hs.goRoots(f.Value, d.Value)
}

// links follows a symlink chain inside the root for display, Path first;
// it stops at a missing target or after 40 links.
func links(h *host.Host, p string) []string {
	out := []string{p}
	for i := 0; i < 40; i++ {
		fi, err := h.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return out
		}
		t, err := h.Readlink(p)
		if err != nil {
			return out
		}
		if !path.IsAbs(t) {
			t = path.Join(path.Dir(p), t)
		}
		p = path.Clean(t)
		out = append(out, p)
	}
	return out
}

// sameFile reports whether two paths inside the root name one file.
func sameFile(h *host.Host, a, b string) bool {
	if a == b {
		return true
	}
	fa, err := h.Stat(a)
	if err != nil {
		return false
	}
	fb, err := h.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// readProblem classifies a read error the way every check reports it.
type readProblem int

const (
	readOK readProblem = iota
	readMissing
	readNeedsRoot
	readBroken
)

func classify(h *host.Host, err error) readProblem {
	switch {
	case err == nil:
		return readOK
	case errors.Is(err, fs.ErrNotExist):
		return readMissing
	case h.NeedsRoot(err):
		return readNeedsRoot
	}
	return readBroken
}
