package libc

import (
	"debug/elf"
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// Limits on hostile configuration: ld.so.conf include depth and the number
// of libraries followed transitively.
const (
	maxIncludeDepth = 8
	maxLibraries    = 512
	maxLdConf       = 256 << 10
)

// resolvedLib is where one needed library was found.
type resolvedLib struct {
	Name string `json:"name"`
	Path string `json:"path,omitempty"` // inside the root; "" when missing
	Via  string `json:"via,omitempty"`  // rpath, runpath, ld.so.conf, default, interpreter; musl: musl loader, musl path
	// Problem says why a candidate that exists was not loaded.
	Problem string `json:"problem,omitempty"`
	// NeededBy is the object that needs it (the binary, or a library).
	NeededBy string `json:"needed_by"`
}

// searcher finds libraries as the dynamic loader would, under a root. It
// does not read /etc/ld.so.cache: the cache is derived from ld.so.conf and
// the default directories, which are searched directly instead (the cache
// can only be stale, and then ldconfig fixes it).
type searcher struct {
	h        *host.Host
	class    elf.Class
	machine  elf.Machine
	confDirs []string
	problems []string
	defaults []string
	// interp is the program's PT_INTERP: ld.so answers a DT_NEEDED of its
	// own name (ld-linux-x86-64.so.2) with itself, without a search.
	interp string
}

func newSearcher(h *host.Host, class elf.Class, machine elf.Machine) *searcher {
	s := &searcher{h: h, class: class, machine: machine}
	s.confDirs = s.readLdConf("/etc/ld.so.conf", 0)
	s.defaults = defaultDirs(class, machine)
	return s
}

// defaultDirs are the trusted directories ld.so searches last: glibc's
// slibdir/libdir for the ABI, plus the Debian multiarch directories that
// Debian's loader is built with.
func defaultDirs(class elf.Class, machine elf.Machine) []string {
	triplet := ""
	switch machine {
	case elf.EM_X86_64:
		triplet = "x86_64-linux-gnu"
	case elf.EM_386:
		triplet = "i386-linux-gnu"
	case elf.EM_AARCH64:
		triplet = "aarch64-linux-gnu"
	case elf.EM_ARM:
		triplet = "arm-linux-gnueabihf"
	case elf.EM_PPC64:
		triplet = "powerpc64le-linux-gnu"
	case elf.EM_S390:
		triplet = "s390x-linux-gnu"
	case elf.EM_RISCV:
		triplet = "riscv64-linux-gnu"
	}
	var dirs []string
	if triplet != "" {
		dirs = append(dirs, "/lib/"+triplet, "/usr/lib/"+triplet)
	}
	if class == elf.ELFCLASS64 {
		dirs = append(dirs, "/lib64", "/usr/lib64") // the RHEL family's 64-bit slibdir, aarch64 included
	}
	return append(dirs, "/lib", "/usr/lib")
}

// readLdConf reads ld.so.conf: one directory per line (or separated by
// spaces, commas or colons), "#" comments, and "include GLOB" lines whose
// relative globs are relative to the including file's directory.
func (s *searcher) readLdConf(file string, depth int) []string {
	if depth > maxIncludeDepth {
		s.problems = append(s.problems, file+": include nesting deeper than 8")
		return nil
	}
	data, err := s.h.ReadFileLimit(file, maxLdConf)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.problems = append(s.problems, err.Error())
		}
		return nil
	}
	var dirs []string
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "include"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			for _, pattern := range strings.Fields(rest) {
				if !path.IsAbs(pattern) {
					pattern = path.Join(path.Dir(file), pattern)
				}
				for _, inc := range s.glob(pattern) {
					dirs = append(dirs, s.readLdConf(inc, depth+1)...)
				}
			}
			continue
		}
		if strings.HasPrefix(line, "hwcap ") {
			continue // obsolete syntax, ignored by modern ldconfig
		}
		for _, d := range strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == ':' }) {
			if path.IsAbs(d) {
				dirs = append(dirs, path.Clean(d))
			}
		}
	}
	return dirs
}

// glob expands a pattern in its last element only, which is what
// ld.so.conf include lines use (ld.so.conf.d/*.conf).
func (s *searcher) glob(pattern string) []string {
	dir, base := path.Split(pattern)
	if !strings.ContainsAny(base, "*?[") {
		return []string{pattern}
	}
	entries, err := s.h.ReadDir(path.Clean(dir))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if ok, _ := path.Match(base, e.Name()); ok {
			out = append(out, path.Join(dir, e.Name()))
		}
	}
	return out
}

// object is a loaded object as the loader keeps it: where it is, its own
// search paths with $ORIGIN expanded for its own directory, and the object
// that loaded it (nil for the program).
type object struct {
	path       string
	rpath      []string // DT_RPATH; empty when the object has DT_RUNPATH (ld.so then ignores DT_RPATH)
	runpath    []string // DT_RUNPATH
	hasRunpath bool
	loader     *object
}

// newObject describes the object at objPath with the search paths of
// info (nil: none), loaded by loader.
func (s *searcher) newObject(objPath string, info *elfInfo, loader *object) *object {
	o := &object{path: objPath, loader: loader}
	if info == nil {
		return o
	}
	o.hasRunpath = len(info.runPath) > 0
	if o.hasRunpath {
		o.runpath = s.expand(info.runPath, objPath)
	} else {
		o.rpath = s.expand(info.rPath, objPath)
	}
	return o
}

// find looks up one DT_NEEDED name for the object req in ld.so's order:
// when req has no DT_RUNPATH, the DT_RPATH of req, of the object that
// loaded it, and so on up to the program; LD_LIBRARY_PATH (not known here:
// the service's environment); req's DT_RUNPATH; the ld.so.conf directories
// (what the cache holds); the default directories.
func (s *searcher) find(name string, req *object) resolvedLib {
	r := resolvedLib{Name: name, NeededBy: req.path}
	if s.interp != "" && name == path.Base(s.interp) && s.compatible(s.interp) {
		r.Path, r.Via = s.interp, "interpreter"
		return r
	}
	if strings.ContainsRune(name, '/') {
		if s.compatible(name) {
			r.Path, r.Via = name, "path"
		}
		return r
	}
	try := func(dirs []string, via string) bool {
		for _, d := range dirs {
			p := path.Join(d, name)
			if s.compatible(p) {
				r.Path, r.Via = p, via
				return true
			}
		}
		return false
	}
	if !req.hasRunpath {
		for l := req; l != nil; l = l.loader {
			if try(l.rpath, "rpath") {
				return r
			}
		}
	}
	if try(req.runpath, "runpath") {
		return r
	}
	if try(s.confDirs, "ld.so.conf") {
		return r
	}
	try(s.defaults, "default")
	return r
}

// expand substitutes $ORIGIN (the object's directory), $LIB and $PLATFORM
// in RPATH/RUNPATH entries.
func (s *searcher) expand(dirs []string, objPath string) []string {
	lib := "lib"
	if s.class == elf.ELFCLASS64 && s.machine == elf.EM_X86_64 {
		lib = "lib64"
	}
	platform := machineName(s.machine)
	out := make([]string, 0, len(dirs))
	for _, d := range dirs {
		for _, v := range []struct{ name, value string }{
			{"ORIGIN", path.Dir(objPath)}, {"LIB", lib}, {"PLATFORM", platform},
		} {
			d = strings.ReplaceAll(d, "${"+v.name+"}", v.value)
			d = strings.ReplaceAll(d, "$"+v.name, v.value)
		}
		if !path.IsAbs(d) {
			continue // relative RPATH entries resolve against the cwd: not knowable
		}
		out = append(out, path.Clean(d))
	}
	return out
}

// compatible reports whether p is an ELF file the loader would accept for
// this binary: same class and machine. ld.so skips others and keeps looking.
func (s *searcher) compatible(p string) bool {
	f, err := s.h.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var hdr [20]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return false
	}
	if string(hdr[:4]) != elf.ELFMAG || elf.Class(hdr[elf.EI_CLASS]) != s.class {
		return false
	}
	var m uint16
	if elf.Data(hdr[elf.EI_DATA]) == elf.ELFDATA2MSB {
		m = uint16(hdr[18])<<8 | uint16(hdr[19])
	} else {
		m = uint16(hdr[19])<<8 | uint16(hdr[18])
	}
	return elf.Machine(m) == s.machine
}

// finder is how one dynamic loader finds libraries: glibc's ld.so
// (searcher) or musl's (muslSearcher).
type finder interface {
	newObject(objPath string, info *elfInfo, loader *object) *object
	find(name string, req *object) resolvedLib
}

// finderFor is the loader the binary names: musl's for a musl binary,
// ld.so otherwise.
func finderFor(h *host.Host, info *elfInfo) finder {
	if info.flavour == flavourMusl && info.interp != "" {
		return newMuslSearcher(h, info.interp, info.class, info.machine)
	}
	s := newSearcher(h, info.class, info.machine)
	s.interp = info.interp
	return s
}

// resolveAll follows DT_NEEDED transitively, breadth first, as the loader
// loads them; each name is looked up once, for the first object that
// needs it, which becomes the loader of what it finds.
func resolveAll(h *host.Host, obj string, info *elfInfo) ([]resolvedLib, finder) {
	f := finderFor(h, info)
	type item struct {
		name string
		req  *object
	}
	main := f.newObject(obj, info, nil)
	queue := make([]item, 0, len(info.needed))
	for _, n := range info.needed {
		queue = append(queue, item{n, main})
	}
	seen := map[string]bool{}
	var out []resolvedLib
	for len(queue) > 0 && len(out) < maxLibraries {
		it := queue[0]
		queue = queue[1:]
		if seen[it.name] {
			continue
		}
		seen[it.name] = true
		r := f.find(it.name, it.req)
		out = append(out, r)
		if r.Path == "" || r.Via == "interpreter" || r.Via == "musl loader" {
			continue // the loader itself needs nothing more
		}
		fh, err := h.Open(r.Path)
		if err != nil {
			continue
		}
		dep, err := analyzeDeps(fh)
		fh.Close()
		if err != nil {
			continue
		}
		o := f.newObject(r.Path, dep, it.req)
		for _, n := range dep.needed {
			queue = append(queue, item{n, o})
		}
	}
	return out, f
}
