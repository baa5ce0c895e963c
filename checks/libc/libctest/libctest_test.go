package libctest

import (
	"debug/buildinfo"
	"debug/elf"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

func openELF(t *testing.T, path string) *elf.File {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func hasProg(f *elf.File, typ elf.ProgType) bool {
	for _, p := range f.Progs {
		if p.Type == typ {
			return true
		}
	}
	return false
}

// interp returns the PT_INTERP path, "" without one.
func interp(t *testing.T, f *elf.File) string {
	t.Helper()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				t.Fatalf("reading PT_INTERP: %v", err)
			}
			return strings.TrimRight(string(b), "\x00")
		}
	}
	return ""
}

func dynStrings(t *testing.T, f *elf.File, tag elf.DynTag) []string {
	t.Helper()
	s, err := f.DynString(tag)
	if err != nil {
		t.Fatalf("DynString(%v): %v", tag, err)
	}
	return s
}

// elfNeeds is debug/elf's view of the version-needs table, in the shape
// readelfVersionNeeds returns.
//
// DynamicVersionNeeds errors on a file without a dynamic symbol table
// (elf.ErrNoSymbols: static, Go CGO_ENABLED=0) or without .gnu.version
// ("missing version table": static-pie, musl): both mean "needs nothing".
func elfNeeds(t *testing.T, f *elf.File) map[string][]string {
	t.Helper()
	m := map[string][]string{}
	if f.SectionByType(elf.SHT_DYNSYM) == nil || f.SectionByType(elf.SHT_GNU_VERSYM) == nil {
		return m
	}
	vn, err := f.DynamicVersionNeeds()
	if err != nil {
		t.Fatalf("DynamicVersionNeeds: %v", err)
	}
	for _, n := range vn {
		for _, d := range n.Needs {
			m[n.Name] = append(m[n.Name], d.Dep)
		}
	}
	return m
}

func TestCDynamic(t *testing.T) {
	b := Build(t)
	f := openELF(t, b.Need(t, &b.CDynamic))
	if got := interp(t, f); got != "/lib64/ld-linux-x86-64.so.2" {
		t.Errorf("interpreter %q, want /lib64/ld-linux-x86-64.so.2", got)
	}
	if !slices.Contains(dynStrings(t, f, elf.DT_NEEDED), "libc.so.6") {
		t.Errorf("DT_NEEDED lacks libc.so.6")
	}
	max := ReadelfMaxGLIBC(t, b.CDynamic)
	if max == "" {
		t.Fatalf("readelf shows no GLIBC_ version need")
	}
	if want := MaxVersion(elfNeeds(t, f), "GLIBC_"); max != want {
		t.Errorf("readelf max GLIBC %q, debug/elf %q", max, want)
	}
	t.Logf("CDynamic needs GLIBC_%s", max)
}

func TestCStatic(t *testing.T) {
	b := Build(t)
	f := openELF(t, b.Need(t, &b.CStatic))
	if f.Type != elf.ET_EXEC {
		t.Errorf("type %v, want ET_EXEC", f.Type)
	}
	if hasProg(f, elf.PT_INTERP) || hasProg(f, elf.PT_DYNAMIC) {
		t.Errorf("static binary has PT_INTERP or PT_DYNAMIC")
	}
}

func TestCStaticPIE(t *testing.T) {
	b := Build(t)
	f := openELF(t, b.Need(t, &b.CStaticPIE))
	if f.Type != elf.ET_DYN {
		t.Errorf("type %v, want ET_DYN", f.Type)
	}
	if hasProg(f, elf.PT_INTERP) {
		t.Errorf("static-pie has PT_INTERP %q", interp(t, f))
	}
	if !hasProg(f, elf.PT_DYNAMIC) {
		t.Errorf("static-pie lacks PT_DYNAMIC")
	}
	if n := dynStrings(t, f, elf.DT_NEEDED); len(n) != 0 {
		t.Errorf("static-pie needs %v", n)
	}
}

func TestCPP(t *testing.T) {
	b := Build(t)
	path := b.Need(t, &b.CPP)
	f := openELF(t, path)
	if !slices.Contains(dynStrings(t, f, elf.DT_NEEDED), "libstdc++.so.6") {
		t.Errorf("DT_NEEDED lacks libstdc++.so.6")
	}
	re := readelfVersionNeeds(t, path)
	de := elfNeeds(t, f)
	for _, prefix := range []string{"GLIBCXX_", "CXXABI_", "GLIBC_"} {
		r, d := MaxVersion(re, prefix), MaxVersion(de, prefix)
		if r == "" {
			t.Errorf("readelf shows no %s version need: %v", prefix, re)
		}
		if r != d {
			t.Errorf("max %s: readelf %q, debug/elf %q", prefix, r, d)
		}
		t.Logf("CPP needs %s%s", prefix, r)
	}
	if !slices.Contains(re["libstdc++.so.6"], "GLIBCXX_3.4") {
		t.Errorf("readelf: no GLIBCXX_3.4 needed from libstdc++.so.6: %v", re["libstdc++.so.6"])
	}
}

func TestMusl(t *testing.T) {
	b := Build(t)
	f := openELF(t, b.Need(t, &b.Musl))
	if got := interp(t, f); got != "/lib/ld-musl-x86_64.so.1" {
		t.Errorf("interpreter %q, want /lib/ld-musl-x86_64.so.1", got)
	}
	if max := ReadelfMaxGLIBC(t, b.Musl); max != "" {
		t.Errorf("musl binary needs GLIBC_%s", max)
	}
}

func goSetting(t *testing.T, path, key string) string {
	t.Helper()
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatalf("buildinfo %s: %v", path, err)
	}
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

func TestGoStatic(t *testing.T) {
	b := Build(t)
	f := openELF(t, b.Need(t, &b.GoStatic))
	if hasProg(f, elf.PT_INTERP) || hasProg(f, elf.PT_DYNAMIC) {
		t.Errorf("CGO_ENABLED=0 binary has PT_INTERP or PT_DYNAMIC")
	}
	if runtime.GOARCH == "amd64" && f.Machine != elf.EM_X86_64 {
		t.Errorf("machine %v", f.Machine)
	}
	if v := goSetting(t, b.GoStatic, "CGO_ENABLED"); v != "0" {
		t.Errorf("CGO_ENABLED=%q", v)
	}
}

func TestGoCgo(t *testing.T) {
	b := Build(t)
	f := openELF(t, b.Need(t, &b.GoCgo))
	if got := interp(t, f); got != "/lib64/ld-linux-x86-64.so.2" {
		t.Errorf("interpreter %q", got)
	}
	if v := goSetting(t, b.GoCgo, "CGO_ENABLED"); v != "1" {
		t.Errorf("CGO_ENABLED=%q", v)
	}
	if ReadelfMaxGLIBC(t, b.GoCgo) == "" {
		t.Errorf("cgo binary needs no GLIBC_ version")
	}
}

func TestGoArm64(t *testing.T) {
	b := Build(t)
	f := openELF(t, b.Need(t, &b.GoArm64))
	if f.Machine != elf.EM_AARCH64 || f.Class != elf.ELFCLASS64 {
		t.Errorf("machine %v class %v, want EM_AARCH64 ELFCLASS64", f.Machine, f.Class)
	}
	if v := goSetting(t, b.GoArm64, "GOARCH"); v != "arm64" {
		t.Errorf("GOARCH=%q", v)
	}
}

func TestOrigin(t *testing.T) {
	b := Build(t)
	for _, c := range []struct {
		name       string
		path       *string
		has, hasnt elf.DynTag
	}{
		{"Origin", &b.Origin, elf.DT_RUNPATH, elf.DT_RPATH},
		{"OriginRPATH", &b.OriginRPATH, elf.DT_RPATH, elf.DT_RUNPATH},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := b.Need(t, c.path)
			f := openELF(t, path)
			got := dynStrings(t, f, c.has)
			if !slices.Equal(got, []string{"$ORIGIN/../lib"}) {
				t.Errorf("%v = %q, want [$ORIGIN/../lib]", c.has, got)
			}
			if other := dynStrings(t, f, c.hasnt); len(other) != 0 {
				t.Errorf("%v = %q, want none", c.hasnt, other)
			}
			if !slices.Contains(dynStrings(t, f, elf.DT_NEEDED), "libgolivetest.so") {
				t.Errorf("DT_NEEDED lacks libgolivetest.so")
			}
			lib := filepath.Join(filepath.Dir(path), "..", "lib", "libgolivetest.so")
			if _, err := os.Stat(lib); err != nil {
				t.Errorf("$ORIGIN/../lib/libgolivetest.so: %v", err)
			}
			if filepath.Clean(lib) != b.OriginLib {
				t.Errorf("OriginLib %s, want %s", b.OriginLib, filepath.Clean(lib))
			}
		})
	}
}

func TestMissing(t *testing.T) {
	b := Build(t)
	f := openELF(t, b.Need(t, &b.Missing))
	if !slices.Contains(dynStrings(t, f, elf.DT_NEEDED), "libgolivemissing.so") {
		t.Errorf("DT_NEEDED lacks libgolivemissing.so")
	}
	if _, err := os.Stat(b.missingLib); !os.IsNotExist(err) {
		t.Errorf("%s still there (err %v)", b.missingLib, err)
	}
	if r := dynStrings(t, f, elf.DT_RUNPATH); len(r) != 0 {
		t.Errorf("DT_RUNPATH %q", r)
	}
}

func TestWrong32(t *testing.T) {
	b := Build(t)
	f := openELF(t, b.Need(t, &b.Wrong32))
	if f.Class != elf.ELFCLASS32 || f.Machine != elf.EM_386 {
		t.Errorf("class %v machine %v, want ELFCLASS32 EM_386", f.Class, f.Machine)
	}
	if got := interp(t, f); got != "/lib/ld-linux.so.2" {
		t.Errorf("interpreter %q, want /lib/ld-linux.so.2", got)
	}
	if !slices.Contains(dynStrings(t, f, elf.DT_NEEDED), "libc.so.6") {
		t.Errorf("DT_NEEDED lacks libc.so.6")
	}
	if max := ReadelfMaxGLIBC(t, b.Wrong32); max == "" {
		t.Errorf("no GLIBC_ version needed")
	}
	t.Logf("synthetic: %v", b.wrong32Synthetic)
}

// TestAgreement: readelf and debug/elf see the same version needs in every
// built binary, plus a few of the machine's own.
func TestAgreement(t *testing.T) {
	b := Build(t)
	paths := b.Paths()
	for _, p := range []string{"/bin/ls", "/bin/sh", "/usr/bin/env"} {
		if _, err := os.Stat(p); err == nil {
			paths[p] = p
		}
	}
	for name, path := range paths {
		t.Run(filepath.Base(name), func(t *testing.T) {
			re := readelfVersionNeeds(t, path)
			de := elfNeeds(t, openELF(t, path))
			if len(re) != len(de) {
				t.Errorf("readelf %v, debug/elf %v", re, de)
			}
			for file, names := range de {
				if !slices.Equal(re[file], names) {
					t.Errorf("%s: readelf %v, debug/elf %v", file, re[file], names)
				}
			}
		})
	}
}

func TestNeedUnknownField(t *testing.T) {
	b := Build(t)
	var other string
	ft := &fakeTB{TB: t}
	func() {
		defer func() { _ = recover() }()
		b.Need(ft, &other)
	}()
	if !ft.fatal {
		t.Errorf("Need on a foreign pointer did not fail")
	}
}

// fakeTB records Fatalf/Skipf instead of ending the test.
type fakeTB struct {
	testing.TB
	fatal, skip bool
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(string, ...any) {
	f.fatal = true
	panic("fatal")
}
func (f *fakeTB) Skipf(string, ...any) {
	f.skip = true
	panic("skip")
}

func TestSkipOrFailPolicy(t *testing.T) {
	for _, ci := range []string{"true", ""} {
		t.Setenv("CI", ci)
		ft := &fakeTB{TB: t}
		func() {
			defer func() { _ = recover() }()
			skipOrFail(ft, "musl-gcc not found: install the Debian package musl-tools")
		}()
		if ci == "true" && (!ft.fatal || ft.skip) {
			t.Errorf("CI=true: fatal %v skip %v, want fatal", ft.fatal, ft.skip)
		}
		if ci == "" && (ft.fatal || !ft.skip) {
			t.Errorf("CI unset: fatal %v skip %v, want skip", ft.fatal, ft.skip)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"2.10", "2.9", 1},
		{"2.9", "2.10", -1},
		{"2.3", "2.3.2", -1},
		{"2.3.4", "2.3.2", 1},
		{"2.3", "2.3.0", 0},
		{"2.34", "2.34", 0},
		{"3.4.30", "3.4.4", 1},
	} {
		if got := CompareVersions(c.a, c.b); got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestMaxVersion(t *testing.T) {
	needs := map[string][]string{
		"libc.so.6":            {"GLIBC_2.9", "GLIBC_2.10", "GLIBC_PRIVATE", "GLIBC_ABI_DT_RELR", "GLIBC_2.3.4"},
		"libm.so.6":            {"GLIBC_2.2.5"},
		"libstdc++.so.6":       {"GLIBCXX_3.4.9", "GLIBCXX_3.4.30", "CXXABI_1.3.13", "CXXABI_1.3"},
		"ld-linux-x86-64.so.2": {"GLIBC_2.3"},
	}
	for prefix, want := range map[string]string{"GLIBC_": "2.10", "GLIBCXX_": "3.4.30", "CXXABI_": "1.3.13", "GCC_": ""} {
		if got := MaxVersion(needs, prefix); got != want {
			t.Errorf("MaxVersion(%s) = %q, want %q", prefix, got, want)
		}
	}
}

func TestParseVersionNeeds(t *testing.T) {
	out := `
Version symbols section '.gnu.version' contains 7 entries:
 Addr: 0x00000000000004e6  Offset: 0x000004e6  Link: 6 (.dynsym)
  000:   0 (*local*)       2 (GLIBC_2.34)    3 (GLIBC_2.2.5)   1 (*global*)

Version definition section '.gnu.version_d' contains 2 entries:
 Addr: 0x0000000000000258  Offset: 0x00000258  Link: 3 (.dynstr)
  000000: Rev: 1  Flags: BASE  Index: 1  Cnt: 1  Name: libfoo.so
  0x001c: Rev: 1  Flags: none  Index: 2  Cnt: 1  Name: GLIBC_9.99

Version needs section '.gnu.version_r' contains 2 entries:
 Addr: 0x0000000000000510  Offset: 0x00000510  Link: 7 (.dynstr)
  000000: Version: 1  File: libm.so.6  Cnt: 1
  0x0010:   Name: GLIBC_2.29  Flags: none  Version: 4
  0x0020: Version: 1  File: libc.so.6  Cnt: 3
  0x0030:   Name: GLIBC_2.2.5  Flags: none  Version: 3
  0x0040:   Name: GLIBC_2.34  Flags: none  Version: 2
  0x0050:   Name: GLIBC_PRIVATE  Flags: WEAK  Version: 5
`
	got, err := ParseVersionNeeds([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"libm.so.6": {"GLIBC_2.29"},
		"libc.so.6": {"GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_PRIVATE"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			t.Errorf("%s: got %v, want %v", k, got[k], v)
		}
	}
	if m := MaxVersion(got, "GLIBC_"); m != "2.34" {
		t.Errorf("max %q, want 2.34 (the definition GLIBC_9.99 must not count)", m)
	}
	if none, _ := ParseVersionNeeds([]byte("\nNo version information found in this file.\n")); len(none) != 0 {
		t.Errorf("no version info: got %v", none)
	}
}
