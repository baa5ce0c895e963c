package libc

import (
	"debug/elf"
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// maxMuslPath bounds the musl loader's path file.
const maxMuslPath = 64 << 10

// muslDefaultPath is the search path musl's loader uses when its path file
// does not exist.
var muslDefaultPath = []string{"/lib", "/usr/local/lib", "/usr/lib"}

// muslSearcher finds libraries as musl's dynamic loader (ldso/dynlink.c)
// does, which is not ld.so's way: it provides libc.so and the other
// libraries folded into musl's libc itself; it searches the RPATH (or
// RUNPATH: musl treats them alike) of the requesting object and then of
// each object up the chain that loaded it; then the directories of its
// path file, <prefix>/etc/ld-musl-<arch>.path, or /lib:/usr/local/lib:/usr/lib
// without one. There is no cache and no ld.so.conf. The first candidate
// that exists is taken: one of the wrong class fails the load rather than
// being passed over.
type muslSearcher struct {
	h        *host.Host
	interp   string // the loader, PT_INTERP: it provides libc.so
	class    elf.Class
	machine  elf.Machine
	pathFile string   // the path file read, "" when none applies
	dirs     []string // the system search path
	problems []string
}

func newMuslSearcher(h *host.Host, interp string, class elf.Class, machine elf.Machine) *muslSearcher {
	s := &muslSearcher{h: h, interp: interp, class: class, machine: machine, dirs: muslDefaultPath}
	s.pathFile = muslPathFile(interp)
	data, err := h.ReadFileLimit(s.pathFile, maxMuslPath)
	switch {
	case err == nil:
		s.dirs = parseMuslPath(data)
	case errors.Is(err, fs.ErrNotExist):
		s.pathFile = ""
	default:
		// musl searches nothing when the file exists but cannot be read.
		s.dirs = nil
		s.problems = append(s.problems, err.Error())
	}
	return s
}

// muslPathFile is where musl's loader named interp reads its search path:
// the loader's path less its last two elements is the prefix
// (/lib/ld-musl-x86_64.so.1 reads /etc/ld-musl-x86_64.path,
// /usr/lib/musl/lib/ld-musl-x86_64.so.1 reads
// /usr/lib/musl/etc/ld-musl-x86_64.path).
func muslPathFile(interp string) string {
	arch := strings.TrimSuffix(strings.TrimPrefix(path.Base(interp), "ld-musl-"), ".so.1")
	prefix := path.Dir(path.Dir(interp))
	if prefix == "/" || prefix == "." {
		prefix = ""
	}
	return prefix + "/etc/ld-musl-" + arch + ".path"
}

// parseMuslPath splits a musl path file as the loader does: directories
// separated by ':' or newlines; the file ends at a NUL byte. Empty entries
// are skipped.
func parseMuslPath(data []byte) []string {
	text := string(data)
	if i := strings.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	return strings.FieldsFunc(text, func(r rune) bool { return r == ':' || r == '\n' })
}

// muslProvides reports whether musl's loader answers name itself: libc and
// the libraries musl folds into it (libpthread, librt, libm, libdl,
// libutil, libxnet), whatever follows the first dot.
func muslProvides(name string) bool {
	rest, ok := strings.CutPrefix(name, "lib")
	if !ok {
		return false
	}
	for _, r := range []string{"c.", "pthread.", "rt.", "m.", "dl.", "util.", "xnet."} {
		if strings.HasPrefix(rest, r) {
			return true
		}
	}
	return false
}

// newObject describes an object for musl: its RUNPATH if it has one, else
// its RPATH, with $ORIGIN expanded; an entry naming any other $ variable
// makes musl ignore the whole path.
func (s *muslSearcher) newObject(objPath string, info *elfInfo, loader *object) *object {
	o := &object{path: objPath, loader: loader}
	if info == nil {
		return o
	}
	dirs := info.rPath
	if len(info.runPath) > 0 {
		dirs = info.runPath
	}
	for _, d := range dirs {
		d = strings.ReplaceAll(d, "${ORIGIN}", path.Dir(objPath))
		d = strings.ReplaceAll(d, "$ORIGIN", path.Dir(objPath))
		if strings.Contains(d, "$") {
			o.rpath = nil
			return o
		}
		if path.IsAbs(d) {
			o.rpath = append(o.rpath, path.Clean(d))
		}
	}
	return o
}

func (s *muslSearcher) find(name string, req *object) resolvedLib {
	r := resolvedLib{Name: name, NeededBy: req.path}
	if muslProvides(name) {
		r.Via = "musl loader"
		if s.h.Exists(s.interp) {
			r.Path = s.interp
		} else {
			r.Problem = "provided by the musl loader " + s.interp + ", which does not exist"
		}
		return r
	}
	if strings.ContainsRune(name, '/') {
		s.take(&r, name, "path")
		return r
	}
	try := func(dirs []string, via string) bool {
		for _, d := range dirs {
			p := path.Join(d, name)
			if fi, err := s.h.Stat(p); err == nil && !fi.IsDir() {
				s.take(&r, p, via)
				return true
			}
		}
		return false
	}
	for l := req; l != nil; l = l.loader {
		if try(l.rpath, "rpath") {
			return r
		}
	}
	try(s.dirs, "musl path")
	return r
}

// take records p as what musl opens for r: loaded when it is an ELF object
// of the right class and machine, a failed load otherwise.
func (s *muslSearcher) take(r *resolvedLib, p, via string) {
	g := searcher{h: s.h, class: s.class, machine: s.machine}
	if g.compatible(p) {
		r.Path, r.Via = p, via
		return
	}
	if s.h.Exists(p) {
		r.Via, r.Problem = via, p+" is not a "+machineName(s.machine)+" ELF object of this class: musl stops there"
	}
}
