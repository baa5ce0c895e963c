package libc

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/golive-sh/golive/internal/host"
)

// hostGlibc is what the root's C library provides.
type hostGlibc struct {
	path    string // libc.so.6 inside the root
	version string // 2.34, from the banner or the highest GLIBC_ definition
	// defines are the version nodes libc.so.6 defines (GLIBC_2.2.5 ...).
	defines map[string]bool
}

// bannerRe finds glibc's version banner, e.g. "GNU C Library (GNU libc)
// stable release version 2.35." or "... release version 2.17, by Roland".
var bannerRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`GNU C Library [^\n\x00]*?release version (\d+\.\d+(?:\.\d+)?)`)
})

// maxRodata bounds how much of libc's read-only data is scanned for the
// banner (real ones are about 200 KiB).
const maxRodata = 8 << 20

// findHostGlibc locates libc.so.6 for the given ABI as the loader would and
// reads its version without running it.
func findHostGlibc(h *host.Host, class elf.Class, machine elf.Machine) (*hostGlibc, error) {
	s := newSearcher(h, class, machine)
	r := s.find("libc.so.6", s.newObject("/", nil, nil))
	if r.Path == "" {
		return nil, fmt.Errorf("no libc.so.6 for %s in ld.so.conf or the default directories", machineName(machine))
	}
	f, err := h.Open(r.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readGlibc(f, r.Path)
}

func readGlibc(r io.ReaderAt, p string) (g *hostGlibc, err error) {
	defer func() {
		if v := recover(); v != nil {
			g, err = nil, fmt.Errorf("%s: malformed ELF file: %v", p, v)
		}
	}()
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	defer f.Close()
	g = &hostGlibc{path: p, defines: map[string]bool{}}
	defs, err := f.DynamicVersions()
	if err != nil {
		return nil, fmt.Errorf("%s: read version definitions: %w", p, err)
	}
	highest := ""
	for _, d := range defs {
		g.defines[d.Name] = true
		highest = maxVersion(highest, d.Name, "GLIBC_")
	}
	g.version = strings.TrimPrefix(highest, "GLIBC_")
	if sec := f.Section(".rodata"); sec != nil && sec.Size <= maxRodata && sec.Type != elf.SHT_NOBITS {
		if data, err := sec.Data(); err == nil {
			if m := bannerRe().FindSubmatch(data); m != nil {
				g.version = string(bytes.TrimSpace(m[1]))
			}
		}
	}
	if g.version == "" {
		return nil, fmt.Errorf("%s: neither a GLIBC_ version definition nor a version banner", p)
	}
	return g, nil
}
