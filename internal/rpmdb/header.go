// Package rpmdb reads the rpm package database offline, without rpm or
// cgo: the SQLite file of rpm ≥ 4.16 (rpmdb.sqlite, RHEL 9, with its
// write-ahead log), the Berkeley
// DB hash file of older rpm (Packages, CentOS 7 and RHEL 8), and the header
// blobs both store. The readers read pages through an io.ReaderAt, so a
// database of any size costs a page and one header at a time; every length
// read from the file is checked before it is used, and a damaged file gives
// an error wrapping ErrCorrupt, never a panic.
//
// It reads only what golive judges: each installed package's name, epoch,
// version, release and architecture.
//
// Why not a library: modernc.org/sqlite would add megabytes to a binary
// with a 25 MiB budget to read one table, and github.com/knqyf263/go-rpmdb
// opens files by path (golive reads the machine only through
// internal/host, under --root), walks every page of a Berkeley DB file
// rather than its buckets, and brings both SQLite and its own helpers into
// go.mod. Reading one table of either format is a few hundred lines,
// held to rpm itself by the tests.
package rpmdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// ErrCorrupt is wrapped by every error about the contents of a database.
var ErrCorrupt = errors.New("corrupt rpm database")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// Package is one installed package, as rpm -q --qf '%{NAME} %{EPOCHNUM}
// %{VERSION} %{RELEASE} %{ARCH}' prints it.
type Package struct {
	Name, Version, Release, Arch string
	// Epoch is the EPOCH tag; HasEpoch says whether the header has one
	// (rpm treats a missing epoch as 0 when it compares).
	Epoch    uint32
	HasEpoch bool
}

// EVR is the package's [epoch:]version-release, the epoch only when the
// header has one (as rpm -q --qf '%{EVR}' prints it).
func (p Package) EVR() string {
	s := p.Version + "-" + p.Release
	if p.HasEpoch {
		s = strconv.FormatUint(uint64(p.Epoch), 10) + ":" + s
	}
	return s
}

// Header tags and types (rpm's rpmtag.h).
const (
	tagName    = 1000
	tagVersion = 1001
	tagRelease = 1002
	tagEpoch   = 1003
	tagArch    = 1022

	typeInt32       = 4
	typeString      = 6
	typeStringArray = 8
	typeI18NString  = 9
)

// Header bounds: rpm's own (hdrblobVerifyInfo) allow 0xffff index entries
// and 256 MiB of data; a real package's header is under a few MiB.
const (
	maxIndexEntries = 0xffff
	// MaxHeader bounds one header blob.
	MaxHeader = 64 << 20
)

// ParseHeader reads the tags golive needs from one header blob as the
// database stores it: a big-endian index count and data length, the
// index entries (tag, type, offset, count; 16 bytes each), then the data.
func ParseHeader(blob []byte) (Package, error) {
	return parseHeader(blob, uint64(len(blob)))
}

// readHeader reads a header blob of total bytes through get, which returns
// its first n bytes: only as many as the tags golive reads need (the
// index, and the data up to the last of those tags), since a real header
// is mostly file lists and scripts that come after them.
func readHeader(total uint64, get func(n uint64) ([]byte, error)) (Package, error) {
	n := min(total, 2048)
	for {
		b, err := get(n)
		if err != nil {
			return Package{}, err
		}
		need := headerNeed(b)
		if need <= uint64(len(b)) || n == total {
			return parseHeader(b, total)
		}
		n = min(total, max(need, 2*n))
	}
}

// headerNeed says how many leading bytes of a header hold the index and
// the values golive reads, given its first bytes b; a string whose NUL is
// not in b yet asks for more than b.
func headerNeed(b []byte) uint64 {
	if len(b) < 8 {
		return 8
	}
	il := uint64(binary.BigEndian.Uint32(b))
	if il > maxIndexEntries {
		return 8 // parseHeader says why
	}
	dataStart := 8 + 16*il
	if uint64(len(b)) < dataStart {
		return dataStart
	}
	need := dataStart
	for i := uint64(0); i < il; i++ {
		e := b[8+16*i:]
		off := dataStart + uint64(binary.BigEndian.Uint32(e[8:]))
		switch binary.BigEndian.Uint32(e) {
		case tagEpoch:
			need = max(need, off+4)
		case tagName, tagVersion, tagRelease, tagArch:
			if off >= uint64(len(b)) {
				need = max(need, off+1)
			} else if k := bytes.IndexByte(b[off:], 0); k < 0 {
				need = max(need, uint64(len(b))+1)
			} else {
				need = max(need, off+uint64(k)+1)
			}
		}
	}
	return need
}

// parseHeader reads the tags golive needs from the first bytes b of a
// header blob of total bytes; b holds at least what headerNeed asked for.
func parseHeader(b []byte, total uint64) (Package, error) {
	if len(b) < 8 {
		return Package{}, corrupt("header of %d bytes", len(b))
	}
	il := binary.BigEndian.Uint32(b)
	dl := binary.BigEndian.Uint32(b[4:])
	if il == 0 || il > maxIndexEntries || dl > MaxHeader {
		return Package{}, corrupt("header with %d index entries and %d data bytes", il, dl)
	}
	dataStart := 8 + 16*uint64(il)
	if dataStart+uint64(dl) > total || dataStart > uint64(len(b)) {
		return Package{}, corrupt("header of %d bytes shorter than its %d entries and %d data bytes", total, il, dl)
	}
	data := b[dataStart:min(uint64(len(b)), dataStart+uint64(dl))]
	var p Package
	var err error
	for i := uint64(0); i < uint64(il); i++ {
		e := b[8+16*i:]
		tag, typ := binary.BigEndian.Uint32(e), binary.BigEndian.Uint32(e[4:])
		off, count := binary.BigEndian.Uint32(e[8:]), binary.BigEndian.Uint32(e[12:])
		switch tag {
		case tagName:
			p.Name, err = headerString(data, typ, off, count, tag)
		case tagVersion:
			p.Version, err = headerString(data, typ, off, count, tag)
		case tagRelease:
			p.Release, err = headerString(data, typ, off, count, tag)
		case tagArch:
			p.Arch, err = headerString(data, typ, off, count, tag)
		case tagEpoch:
			if typ != typeInt32 || count < 1 || uint64(off)+4 > uint64(len(data)) || off%4 != 0 {
				return Package{}, corrupt("EPOCH tag of type %d, count %d at offset %d", typ, count, off)
			}
			p.Epoch, p.HasEpoch = binary.BigEndian.Uint32(data[off:]), true
		}
		if err != nil {
			return Package{}, err
		}
	}
	if p.Name == "" {
		return Package{}, corrupt("header without a NAME")
	}
	return p, nil
}

// headerString is the first string of a string tag: NUL-terminated text
// inside the data store.
func headerString(data []byte, typ, off, count, tag uint32) (string, error) {
	if typ != typeString && typ != typeStringArray && typ != typeI18NString || count < 1 || uint64(off) >= uint64(len(data)) {
		return "", corrupt("tag %d of type %d, count %d at offset %d", tag, typ, count, off)
	}
	s := data[off:]
	for i, c := range s {
		if c == 0 {
			return string(s[:i]), nil
		}
	}
	return "", corrupt("tag %d: string without its NUL", tag)
}

// corruptWrap prefixes err with where it was found.
func corruptWrap(err error, format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
}
