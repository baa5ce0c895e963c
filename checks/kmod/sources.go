package kmod

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"syscall"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// The files the family reads, under the root.
const (
	procModulesPath = "/proc/modules"
	maxProcModules  = 4 << 20
	maxConfFile     = 1 << 20
	maxConfFiles    = 512
)

// loadDirs are systemd-modules-load's directories, highest priority
// first (modules-load.d(5); /lib/modules-load.d is the split-/usr form).
var loadDirs = []string{"/etc/modules-load.d", "/run/modules-load.d", "/usr/local/lib/modules-load.d", "/usr/lib/modules-load.d", "/lib/modules-load.d"}

// modprobeDirs are kmod's configuration directories, highest priority
// first (modprobe.d(5); /usr/lib/modprobe.d since kmod 31).
var modprobeDirs = []string{"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d"}

// moduleDirs hold /lib/modules/<release> (merged /usr: the same directory).
var moduleDirs = []string{"/lib/modules", "/usr/lib/modules"}

// confFile is one configuration file that won its name.
type confFile struct {
	Name, Path string
	Masked     bool // a symlink to /dev/null: nothing of this name applies
	Dir        bool // a directory: it wins the name and is not read
}

// mergeDir lists the files of dirs (highest priority first) whose names
// end in one of suffixes, as systemd's and kmod's conf_files_list do:
// hidden files are left out, the first directory holding a name wins it,
// and the winners are read in name order. A directory with such a name
// wins the name for systemd (and then fails to be read: dirsClaim) but
// is left out by kmod.
func mergeDir(h *host.Host, dirs []string, dirsClaim bool, suffixes ...string) (files []confFile, problems []string) {
	chosen := map[string]confFile{}
	for _, d := range dirs {
		entries, err := h.ReadDir(d)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				problems = append(problems, err.Error())
			}
			continue
		}
		for _, e := range entries {
			n := e.Name()
			if _, seen := chosen[n]; seen || strings.HasPrefix(n, ".") || !hasSuffix(n, suffixes) {
				continue
			}
			p := d + "/" + n
			if fi, err := h.Stat(p); err == nil && fi.IsDir() {
				if !dirsClaim {
					continue
				}
				problems = append(problems, p+": a directory, not a file: it hides the files of that name in later directories and loads nothing")
				chosen[n] = confFile{Name: n, Path: p, Dir: true}
				continue
			}
			if len(chosen) == maxConfFiles {
				problems = append(problems, fmt.Sprintf("%s: more than %d files; the rest are not read", d, maxConfFiles))
				break
			}
			masked := false
			if e.Type()&fs.ModeSymlink != 0 {
				if t, err := h.Readlink(p); err == nil && t == "/dev/null" {
					masked = true
				}
			}
			chosen[n] = confFile{Name: n, Path: p, Masked: masked}
		}
	}
	for _, f := range chosen {
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, problems
}

func hasSuffix(n string, suffixes []string) bool {
	for _, s := range suffixes {
		if len(n) > len(s) && strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

// Loaded is the running kernel's modules: /proc/modules, and the built-in
// ones from modules.builtin of its release.
type Loaded struct {
	Modules map[string]ProcModule
	Bad     int
	// Builtin is nil when it could not be read; BuiltinNote says why, or
	// names the file read.
	Builtin     map[string]bool
	BuiltinNote string
	BuiltinErr  error // a read error other than absence
	// Known are the loadable modules of modules.dep and Aliases the
	// patterns of modules.alias (nil when they could not be read): a name
	// that is neither, nor built in, is no module of this kernel.
	Known   map[string]bool
	Aliases []string
	DepPath string
	// NoModules is set on a running kernel without /proc/modules: it
	// was built without loadable module support.
	NoModules bool
}

type loadedKey struct{}

// loadedOf reads the running kernel's modules once per run. The error is
// /proc/modules's.
func loadedOf(h *host.Host) (*Loaded, error) {
	r := facts.Memo(h, loadedKey{}, func(h *host.Host) loadedResult {
		data, err := h.ReadFileLimit(procModulesPath, maxProcModules)
		l := &Loaded{}
		switch {
		case errors.Is(err, fs.ErrNotExist) && h.Live():
			// A kernel built without CONFIG_MODULES has no
			// /proc/modules: it loads nothing, every module is built
			// in or absent.
			l.Modules, l.NoModules = map[string]ProcModule{}, true
		case err != nil:
			return loadedResult{err: err}
		default:
			l.Modules, l.Bad = ParseProcModules(data)
		}
		l.readBuiltin(h)
		return loadedResult{l: l}
	})
	return r.l, r.err
}

type loadedResult struct {
	l   *Loaded
	err error
}

// readBuiltin reads /lib/modules/<release>/modules.builtin, the release
// being the running kernel's (the root's /proc/sys/kernel/osrelease: uname
// -r on the running system).
func (l *Loaded) readBuiltin(h *host.Host) {
	rel, err := facts.KernelRelease(h)
	if err != nil {
		l.BuiltinNote = "the kernel release is unknown (" + err.Error() + "), so modules.builtin was not read"
		return
	}
	if rel == "" || rel == "." || rel == ".." || strings.ContainsAny(rel, "/\x00") {
		l.BuiltinNote = fmt.Sprintf("the kernel release %q is not a directory name, so modules.builtin was not read", rel)
		return
	}
	for _, d := range moduleDirs {
		p := d + "/" + rel + "/modules.builtin"
		data, err := h.ReadFileLimit(p, maxProcModules)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			l.BuiltinErr = err
			return
		}
		l.Builtin = ParseBuiltin(data)
		l.BuiltinNote = p
		l.readDep(h, d+"/"+rel)
		return
	}
	l.BuiltinNote = "no " + moduleDirs[0] + "/" + rel + "/modules.builtin (the kernel's modules are not installed in the root)"
}

// Boot is what the next boot's systemd-modules-load would do: the modules
// modules-load.d names, and modprobe.d's blacklist and install lines.
type Boot struct {
	Load     []LoadEntry
	Files    []confFile // the modules-load.d files read (masked ones too)
	Modprobe ModprobeConfig
	Problems []string
}

type bootKey struct{}

// bootOf reads modules-load.d and modprobe.d once per run.
func bootOf(h *host.Host) *Boot {
	return facts.Memo(h, bootKey{}, func(h *host.Host) *Boot {
		b := &Boot{}
		files, problems := mergeDir(h, loadDirs, true, ".conf")
		b.Files = files
		b.Problems = append(b.Problems, problems...)
		for _, f := range files {
			if f.Masked || f.Dir {
				continue
			}
			data, err := h.ReadFileLimit(f.Path, maxConfFile)
			if err != nil {
				b.Problems = append(b.Problems, err.Error())
				continue
			}
			b.Load = append(b.Load, ParseModulesLoad(f.Path, data)...)
		}
		mp, problems := mergeDir(h, modprobeDirs, false, ".conf", ".alias")
		b.Problems = append(b.Problems, problems...)
		for _, f := range mp {
			if f.Masked {
				continue
			}
			data, err := h.ReadFileLimit(f.Path, maxConfFile)
			if err != nil {
				b.Problems = append(b.Problems, err.Error())
				continue
			}
			b.Modprobe.ParseModprobe(f.Path, data)
		}
		return b
	})
}

// Listed is every modules-load.d line naming the module (normalized).
func (b *Boot) Listed(name string) []LoadEntry {
	var out []LoadEntry
	for _, e := range b.Load {
		if Normalize(e.Name) == name {
			out = append(out, e)
		}
	}
	return out
}

// maxModulesIndex bounds modules.dep and modules.alias (about 1 MiB each
// on a distro kernel).
const maxModulesIndex = 16 << 20

// readDep reads the loadable modules (modules.dep) and their aliases
// (modules.alias) of the release's module directory; either missing
// leaves Known nil.
func (l *Loaded) readDep(h *host.Host, dir string) {
	dep, err := h.ReadFileLimit(dir+"/modules.dep", maxModulesIndex)
	if err != nil {
		return
	}
	alias, err := h.ReadFileLimit(dir+"/modules.alias", maxModulesIndex)
	if err != nil {
		return
	}
	l.Known = ParseModulesDep(dep)
	l.Aliases = ParseModulesAlias(alias)
	l.DepPath = dir + "/modules.dep"
}
