package libc

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Kinds of executable.
const (
	kindStatic    = "static"     // no PT_INTERP, no PT_DYNAMIC
	kindStaticPIE = "static-pie" // ET_DYN with PT_DYNAMIC but no PT_INTERP: self-relocating
	kindDynamic   = "dynamic"    // PT_INTERP: the kernel starts the dynamic loader
	kindShared    = "shared"     // a library (ET_DYN, no interpreter, not a static-pie)
)

// Libc flavours.
const (
	flavourGlibc = "glibc"
	flavourMusl  = "musl"
	flavourNone  = "none" // static: no libc needed at run time
)

// maxSymbolsNamed bounds the symbols listed for the highest version.
const maxSymbolsNamed = 5

// elfInfo is what golive learns from an ELF file without running it.
type elfInfo struct {
	class   elf.Class
	machine elf.Machine
	Type    elf.Type
	kind    string
	interp  string
	flavour string
	needed  []string // DT_NEEDED, in order
	rPath   []string // DT_RPATH (ignored by ld.so when DT_RUNPATH is present)
	runPath []string // DT_RUNPATH
	// needs maps a library (libc.so.6) to the version names the binary
	// needs from it (GLIBC_2.34).
	needs map[string][]string
	// Highest needed versions by prefix, "" when none.
	glibc, glibcxx, cxxabi string
	// glibcSymbols names a few symbols that need Glibc.
	glibcSymbols []string
	Go           *goInfo
}

// goInfo is a Go binary's build information.
type goInfo struct {
	Version string `json:"go_version"`
	Path    string `json:"path,omitempty"`
	CGO     string `json:"cgo_enabled,omitempty"`
	GOOS    string `json:"goos,omitempty"`
	GOARCH  string `json:"goarch,omitempty"`
}

// errNotELF is returned for a file that is not an ELF object.
var errNotELF = errors.New("not an ELF file")

// analyze reads an ELF file's headers and the sections that describe its
// dynamic linking. It reads only those: a 100 MiB binary costs its program
// headers, .dynamic, .dynstr, .dynsym and the version sections.
func analyze(r io.ReaderAt) (info *elfInfo, err error) {
	// debug/elf guards against most malformed input but is not fuzzed for
	// every path; a hostile file must give an error, never a crash.
	defer func() {
		if v := recover(); v != nil {
			info, err = nil, fmt.Errorf("malformed ELF file: %v", v)
		}
	}()
	f, err := elf.NewFile(r)
	if err != nil {
		var fe *elf.FormatError
		if errors.As(err, &fe) && strings.Contains(err.Error(), "bad magic") {
			return nil, errNotELF
		}
		return nil, fmt.Errorf("malformed ELF file: %w", err)
	}
	defer f.Close()
	info = &elfInfo{class: f.Class, machine: f.Machine, Type: f.Type, needs: map[string][]string{}}

	hasDynamic := false
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			s, err := readInterp(p)
			if err != nil {
				return nil, err
			}
			info.interp = s
		case elf.PT_DYNAMIC:
			hasDynamic = true
		}
	}
	switch {
	case info.interp != "":
		info.kind = kindDynamic
	case f.Type == elf.ET_DYN && hasDynamic && isExecutable(f):
		info.kind = kindStaticPIE
	case f.Type == elf.ET_DYN:
		info.kind = kindShared
	default:
		info.kind = kindStatic
	}

	if hasDynamic {
		if err := info.readDynamic(f); err != nil {
			return nil, err
		}
	}
	info.flavour = flavour(info)
	if bi, err := buildinfo.Read(r); err == nil {
		g := &goInfo{Version: bi.GoVersion, Path: bi.Path}
		for _, s := range bi.Settings {
			switch s.Key {
			case "CGO_ENABLED":
				g.CGO = s.Value
			case "GOOS":
				g.GOOS = s.Value
			case "GOARCH":
				g.GOARCH = s.Value
			}
		}
		info.Go = g
	}
	return info, nil
}

// readInterp reads PT_INTERP, which holds a path: a few bytes, bounded so
// that a hostile header cannot ask for gigabytes.
func readInterp(p *elf.Prog) (string, error) {
	if p.Filesz == 0 || p.Filesz > 4096 {
		return "", fmt.Errorf("malformed ELF file: PT_INTERP of %d bytes", p.Filesz)
	}
	b := make([]byte, p.Filesz)
	if _, err := p.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read PT_INTERP: %w", err)
	}
	return string(bytes.TrimRight(b, "\x00")), nil
}

// isExecutable tells a static-pie executable from a shared library: both are
// ET_DYN without an interpreter, but an executable has an entry point that
// is not zero and is marked with DF_1_PIE when the linker knows it.
func isExecutable(f *elf.File) bool {
	if vals, err := f.DynValue(elf.DT_FLAGS_1); err == nil {
		for _, v := range vals {
			if elf.DynFlag1(v)&elf.DF_1_PIE != 0 {
				return true
			}
		}
	}
	return f.Entry != 0 && f.Section(".interp") == nil && f.Section(".dynsym") == nil
}

// analyzeDeps reads only what the loader needs to follow a library's own
// dependencies: DT_NEEDED, DT_RPATH and DT_RUNPATH (no version tables, no
// symbols, no Go build info), for the libraries libc/libs walks through.
func analyzeDeps(r io.ReaderAt) (info *elfInfo, err error) {
	defer func() {
		if v := recover(); v != nil {
			info, err = nil, fmt.Errorf("malformed ELF file: %v", v)
		}
	}()
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("malformed ELF file: %w", err)
	}
	defer f.Close()
	info = &elfInfo{class: f.Class, machine: f.Machine, Type: f.Type}
	for _, p := range f.Progs {
		if p.Type == elf.PT_DYNAMIC {
			return info, info.readPaths(f)
		}
	}
	return info, nil
}

// readPaths reads DT_NEEDED, DT_RPATH and DT_RUNPATH.
func (info *elfInfo) readPaths(f *elf.File) error {
	var err error
	if info.needed, err = f.DynString(elf.DT_NEEDED); err != nil {
		return fmt.Errorf("read DT_NEEDED: %w", err)
	}
	rpath, _ := f.DynString(elf.DT_RPATH)
	runpath, _ := f.DynString(elf.DT_RUNPATH)
	info.rPath = splitPaths(rpath)
	info.runPath = splitPaths(runpath)
	return nil
}

func (info *elfInfo) readDynamic(f *elf.File) error {
	if err := info.readPaths(f); err != nil {
		return err
	}
	var err error

	// No version-needs table (musl, static-pie, Go without cgo) means no
	// versioned requirement; debug/elf reports that as an error.
	var needs []elf.DynamicVersionNeed
	if sectionOfType(f, elf.SHT_GNU_VERNEED) {
		needs, err = f.DynamicVersionNeeds()
		if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
			return fmt.Errorf("read version needs: %w", err)
		}
	}
	for _, n := range needs {
		for _, d := range n.Needs {
			info.needs[n.Name] = append(info.needs[n.Name], d.Dep)
			info.glibc = maxVersion(info.glibc, d.Dep, "GLIBC_")
			info.glibcxx = maxVersion(info.glibcxx, d.Dep, "GLIBCXX_")
			info.cxxabi = maxVersion(info.cxxabi, d.Dep, "CXXABI_")
		}
	}
	if info.glibc != "" {
		syms, err := f.DynamicSymbols()
		if err == nil {
			seen := map[string]bool{}
			for _, s := range syms {
				if s.Version == info.glibc && s.Section == elf.SHN_UNDEF && !seen[s.Name] {
					seen[s.Name] = true
					info.glibcSymbols = append(info.glibcSymbols, s.Name)
				}
			}
			sort.Strings(info.glibcSymbols)
			if len(info.glibcSymbols) > maxSymbolsNamed {
				info.glibcSymbols = info.glibcSymbols[:maxSymbolsNamed]
			}
		}
	}
	return nil
}

func sectionOfType(f *elf.File, t elf.SectionType) bool {
	for _, s := range f.Sections {
		if s.Type == t {
			return true
		}
	}
	return false
}

func splitPaths(s []string) []string {
	var out []string
	for _, e := range s {
		for _, p := range strings.Split(e, ":") {
			if p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// flavour names the libc a binary needs at run time.
func flavour(info *elfInfo) string {
	switch {
	case strings.Contains(info.interp, "ld-musl"):
		return flavourMusl
	case strings.Contains(info.interp, "ld-linux"), info.glibc != "":
		return flavourGlibc
	}
	for _, n := range info.needed {
		switch {
		case strings.HasPrefix(n, "libc.musl"):
			return flavourMusl
		case n == "libc.so.6":
			return flavourGlibc
		}
	}
	return flavourNone
}

// maxVersion keeps the higher of cur and v when v has the prefix
// (GLIBC_2.34 > GLIBC_2.4: components compare as numbers).
func maxVersion(cur, v, prefix string) string {
	num, ok := strings.CutPrefix(v, prefix)
	if !ok || !isVersion(num) {
		return cur
	}
	if cur == "" || compareVersions(num, strings.TrimPrefix(cur, prefix)) > 0 {
		return v
	}
	return cur
}

func isVersion(s string) bool {
	if s == "" {
		return false
	}
	for _, p := range strings.Split(s, ".") {
		if _, err := strconv.Atoi(p); err != nil {
			return false
		}
	}
	return true
}

// compareVersions compares dotted numeric versions (2.17 < 2.34, 3.4.9 <
// 3.4.29).
func compareVersions(a, b string) int {
	x, y := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(x) || i < len(y); i++ {
		var p, q int
		if i < len(x) {
			p, _ = strconv.Atoi(x[i])
		}
		if i < len(y) {
			q, _ = strconv.Atoi(y[i])
		}
		if p != q {
			if p < q {
				return -1
			}
			return 1
		}
	}
	return 0
}

// machineOf maps uname -m to the ELF machines that run there natively
// (the kernel runs 32-bit x86 and ARM binaries on their 64-bit hosts).
func machineOf(arch string) []elf.Machine {
	switch arch {
	case "x86_64", "amd64":
		return []elf.Machine{elf.EM_X86_64, elf.EM_386}
	case "i386", "i486", "i586", "i686":
		return []elf.Machine{elf.EM_386}
	case "aarch64", "arm64":
		return []elf.Machine{elf.EM_AARCH64, elf.EM_ARM}
	case "armv7l", "armv6l", "arm":
		return []elf.Machine{elf.EM_ARM}
	case "ppc64le", "ppc64":
		return []elf.Machine{elf.EM_PPC64}
	case "s390x":
		return []elf.Machine{elf.EM_S390}
	case "riscv64":
		return []elf.Machine{elf.EM_RISCV}
	}
	return nil
}

// machineName is the uname -m style name of an ELF machine.
func machineName(m elf.Machine) string {
	switch m {
	case elf.EM_X86_64:
		return "x86_64"
	case elf.EM_386:
		return "i386"
	case elf.EM_AARCH64:
		return "aarch64"
	case elf.EM_ARM:
		return "arm"
	case elf.EM_PPC64:
		return "ppc64"
	case elf.EM_S390:
		return "s390x"
	case elf.EM_RISCV:
		return "riscv64"
	}
	return strings.ToLower(strings.TrimPrefix(m.String(), "EM_"))
}
