package libc

import (
	"bytes"
	bin "encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzAnalyze feeds arbitrary bytes as an ELF file: Analyze must return an
// Info or an error, never panic, and never allocate without bound (the
// fuzzer's memory limit catches that).
func FuzzAnalyze(f *testing.F) {
	// Small seeds: the fuzzer minimises every interesting input, and a
	// whole binary takes it minutes per step.
	for _, p := range []string{"/bin/true", "/bin/sh"} {
		if data, err := os.ReadFile(p); err == nil && len(data) > 4096 {
			f.Add(data[:64])   // the header only
			f.Add(data[:1024]) // program headers, truncated sections
		}
	}
	f.Add(minimalELF("/lib64/ld-linux-x86-64.so.2"))
	f.Add(minimalELF("/lib/ld-musl-x86_64.so.1"))
	f.Add([]byte("\x7fELF"))
	f.Add([]byte("#!/bin/sh\necho hi\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := analyze(bytes.NewReader(data))
		if err == nil && info == nil {
			t.Fatal("no info and no error")
		}
		if len(data) < 4 && !errors.Is(err, errNotELF) && err == nil {
			t.Fatal("a file shorter than the ELF magic analysed")
		}
		if _, err := readGlibc(bytes.NewReader(data), "/fuzz"); err == nil && len(data) < 16 {
			t.Fatal("glibc read from a non-ELF")
		}
		// The libraries' light reading agrees with the full one on what
		// it reads.
		deps, derr := analyzeDeps(bytes.NewReader(data))
		if err == nil && derr == nil && info.kind != "" && (len(deps.needed) != len(info.needed) || len(deps.runPath) != len(info.runPath)) {
			t.Fatalf("AnalyzeDeps %+v, Analyze %+v", deps, info)
		}
	})
}

// minimalELF builds a 64-bit little-endian x86_64 executable header with a
// PT_INTERP segment naming interp and an empty PT_DYNAMIC: the smallest
// input that walks the dynamic-binary paths.
func minimalELF(interp string) []byte {
	const ehsize, phsize = 64, 56
	b := make([]byte, ehsize+2*phsize)
	le := bin.LittleEndian
	copy(b, "\x7fELF")
	b[4], b[5], b[6] = 2, 1, 1 // ELFCLASS64, little endian, version
	le.PutUint16(b[16:], 2)    // ET_EXEC
	le.PutUint16(b[18:], 62)   // EM_X86_64
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[32:], ehsize) // e_phoff
	le.PutUint16(b[52:], ehsize)
	le.PutUint16(b[54:], phsize)
	le.PutUint16(b[56:], 2) // e_phnum
	off := uint64(len(b))
	ph := b[ehsize:]
	le.PutUint32(ph[0:], 3) // PT_INTERP
	le.PutUint64(ph[8:], off)
	le.PutUint64(ph[32:], uint64(len(interp)+1))
	ph = b[ehsize+phsize:]
	le.PutUint32(ph[0:], 2) // PT_DYNAMIC, empty
	le.PutUint64(ph[8:], off+uint64(len(interp)+1))
	return append(append(b, interp...), 0)
}

// FuzzParseMuslPath: any path file gives absolute-or-not directories with
// no separator or NUL in them.
func FuzzParseMuslPath(f *testing.F) {
	for _, s := range []string{"/lib/x86_64-linux-musl\n/usr/lib/x86_64-linux-musl\n", "/a:/b::/c", "", "\x00/x", "\n\n:"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range parseMuslPath(data) {
			if d == "" || strings.ContainsAny(d, ":\n\x00") {
				t.Fatalf("entry %q", d)
			}
		}
	})
}
