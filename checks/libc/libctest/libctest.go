// Package libctest builds the real ELF binaries that the libc family's tests
// analyse, and wraps readelf for agreement tests. It is imported only by
// tests.
//
// Build compiles every binary once per test process, in parallel, into one
// temporary directory. A binary whose compiler is missing is left empty and
// Need reports it: outside CI the test is skipped with the Debian package to
// install; in CI (CI=true) it fails, because there every binary must be built.
// A compiler that is present but fails is always a test failure.
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		libctest.Cleanup() // removes the temporary directory, if Build ran
//		os.Exit(code)
//	}
//
//	func TestMusl(t *testing.T) {
//		b := libctest.Build(t)
//		path := b.Need(t, &b.Musl) // skips (or fails in CI) without musl-gcc
//		...
//	}
//
// Without a Cleanup call the directory (a few MB) is left in $TMPDIR.
//
// Nothing here runs a built binary, changes the machine or uses the network:
// the go builds run with GOTOOLCHAIN=local, GOPROXY=off and GOWORK=off.
package libctest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// bins are real ELF binaries built by the test run, for the libc family's tests.
// A field is "" when its binary could not be built; Need says why.
type bins struct {
	// dir is the temporary directory holding everything below.
	dir string

	// CDynamic is `gcc hello.c`: dynamic, glibc; PT_INTERP
	// /lib64/ld-linux-x86-64.so.2; needs GLIBC_2.34 (__libc_start_main)
	// on glibc >= 2.34 hosts such as Debian 12, and GLIBC_2.2.5 (puts).
	CDynamic string
	// CStatic is `gcc -static`: ET_EXEC, no PT_INTERP, no PT_DYNAMIC.
	CStatic string
	// CStaticPIE is `gcc -static-pie`: ET_DYN, no PT_INTERP, has PT_DYNAMIC.
	CStaticPIE string
	// CPP is a g++ program using std::string and iostream: needs GLIBCXX_
	// and CXXABI_ versions from libstdc++.so.6.
	CPP string
	// Musl is `musl-gcc hello.c`: dynamic, PT_INTERP /lib/ld-musl-x86_64.so.1,
	// DT_NEEDED libc.so, no symbol versions.
	Musl string
	// GoStatic is a Go program built with CGO_ENABLED=0 for the host's
	// GOARCH: static, build info CGO_ENABLED=0.
	GoStatic string
	// GoCgo is a Go program importing "C", built with CGO_ENABLED=1 for the
	// host's GOARCH: dynamic (glibc), build info CGO_ENABLED=1.
	GoCgo string
	// GoArm64 is the GoStatic program built with GOOS=linux GOARCH=arm64
	// CGO_ENABLED=0: an EM_AARCH64 ELF, static.
	GoArm64 string
	// Origin is a gcc program in Dir/origin/bin linked against
	// libgolivetest.so (OriginLib, in Dir/origin/lib) with
	// -Wl,-rpath,'$ORIGIN/../lib' -Wl,--enable-new-dtags: DT_RUNPATH
	// "$ORIGIN/../lib", no DT_RPATH. The library exists.
	Origin string
	// OriginRPATH is the same program, next to Origin, linked with
	// --disable-new-dtags: DT_RPATH "$ORIGIN/../lib", no DT_RUNPATH.
	OriginRPATH string
	// OriginLib is the libgolivetest.so (soname libgolivetest.so) that
	// Origin and OriginRPATH find through $ORIGIN/../lib.
	OriginLib string
	// Missing is a gcc program in Dir/missing linked against
	// libgolivemissing.so (soname libgolivemissing.so), which was deleted
	// afterwards: its DT_NEEDED cannot resolve. No RPATH/RUNPATH.
	Missing string
	// missingLib is where libgolivemissing.so was before it was deleted.
	missingLib string
	// Wrong32 is a 32-bit (ELFCLASS32, EM_386) dynamic program with
	// PT_INTERP /lib/ld-linux.so.2 and DT_NEEDED libc.so.6. With
	// gcc-multilib it is `gcc -m32 hello.c` (needs GLIBC_2.0 and more);
	// without it, a synthetic one: an object compiled with -m32 and linked
	// with -nostdlib against a 32-bit stand-in libc.so.6 whose version node
	// is GLIBC_2.0 (wrong32Synthetic is then true). Never run either.
	Wrong32 string
	// wrong32Synthetic tells which way Wrong32 was made.
	wrong32Synthetic bool

	mu  sync.Mutex
	why map[*string]problem
}

type problemKind int

const (
	// missingTool: skipped locally, fatal in CI.
	missingTool problemKind = iota + 1
	// buildFailed: always fatal.
	buildFailed
)

type problem struct {
	kind problemKind
	msg  string
}

var (
	once     sync.Once
	built    *bins
	setupErr error
)

// Build builds every binary once per test process and returns them. It fails
// the test only when the temporary directory cannot be made; a binary that
// could not be built is reported by Need.
func Build(t testing.TB) *bins {
	t.Helper()
	once.Do(func() { built, setupErr = build() })
	if setupErr != nil {
		t.Fatalf("libctest: %v", setupErr)
	}
	return built
}

// Cleanup removes the directory Build made, if any. Call it from TestMain
// after m.Run; the binaries are gone afterwards.
func Cleanup() {
	if built != nil && built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
}

// Need returns the path in the field p points to (p must point to a field of
// b, e.g. &b.Musl). If that binary was not built it ends the test: Skip when
// its compiler is missing (Fatal instead when CI=true; Wrong32 is never
// required, so it always skips), Fatal when the compiler failed.
func (b *bins) Need(t testing.TB, p *string) string {
	t.Helper()
	if p == nil {
		t.Fatalf("libctest: Need(nil)")
	}
	if *p != "" {
		return *p
	}
	b.mu.Lock()
	pr, ok := b.why[p]
	b.mu.Unlock()
	switch {
	case !ok:
		t.Fatalf("libctest: Need: the pointer is not a field of this Bins (use &b.Field), or the field was never built")
	case pr.kind == buildFailed:
		t.Fatalf("libctest: %s", pr.msg)
	case p == &b.Wrong32:
		t.Skipf("libctest: %s", pr.msg)
	default:
		skipOrFail(t, pr.msg)
	}
	return ""
}

// Paths returns the binaries that were built, by field name ("CDynamic",
// "Musl", ...): seeds for fuzzing, or for "never panics on a real binary".
func (b *bins) Paths() map[string]string {
	m := map[string]string{}
	for name, p := range b.fields() {
		if *p != "" {
			m[name] = *p
		}
	}
	return m
}

func (b *bins) fields() map[string]*string {
	return map[string]*string{
		"CDynamic": &b.CDynamic, "CStatic": &b.CStatic, "CStaticPIE": &b.CStaticPIE,
		"CPP": &b.CPP, "Musl": &b.Musl, "GoStatic": &b.GoStatic, "GoCgo": &b.GoCgo,
		"GoArm64": &b.GoArm64, "Origin": &b.Origin, "OriginRPATH": &b.OriginRPATH,
		"Missing": &b.Missing, "Wrong32": &b.Wrong32,
	}
}

// inCI reports whether this run must not skip for a missing tool.
func inCI() bool {
	v, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && v
}

func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	if inCI() {
		t.Fatalf("libctest: %s (CI=true: every libc test binary must be built)", msg)
	}
	t.Skipf("libctest: %s", msg)
}

// Readelf returns the path of readelf. Without it the test is skipped
// (failed when CI=true), naming the Debian package binutils.
func Readelf(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("readelf")
	if err != nil {
		skipOrFail(t, "readelf not found: install the Debian package binutils")
	}
	return p
}

// readelfVersionNeeds runs `readelf -V --wide` on path and returns its
// version-needs table (.gnu.version_r): for each needed file, the version
// names in readelf's order. A file without one gives an empty map. A readelf
// failure (not an ELF file, say) fails the test.
func readelfVersionNeeds(t testing.TB, path string) map[string][]string {
	t.Helper()
	needs, err := ParseVersionNeeds(runReadelf(t, "-V", "--wide", path))
	if err != nil {
		t.Fatalf("libctest: reading readelf output for %s: %v", path, err)
	}
	return needs
}

// ParseVersionNeeds reads the "Version needs section" of `readelf -V --wide`
// output (binutils 2.3x/2.4x format):
//
//	Version needs section '.gnu.version_r' contains 1 entry:
//	 Addr: 0x0000000000000510  Offset: 0x00000510  Link: 7 (.dynstr)
//	  000000: Version: 1  File: libc.so.6  Cnt: 2
//	  0x0010:   Name: GLIBC_2.2.5  Flags: none  Version: 3
func ParseVersionNeeds(out []byte) (map[string][]string, error) {
	needs := map[string][]string{}
	in := false
	file := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "Version needs section"):
			in, file = true, ""
			continue
		case strings.HasPrefix(line, "Version "): // symbols or definition section
			in = false
			continue
		case !in:
			continue
		}
		if f, ok := field(line, "File:"); ok {
			file = f
			if _, seen := needs[file]; !seen {
				needs[file] = nil
			}
		} else if n, ok := field(line, "Name:"); ok && file != "" {
			needs[file] = append(needs[file], n)
		}
	}
	return needs, sc.Err()
}

// ReadelfMaxGLIBC runs `readelf -V --wide` on path and returns the highest
// GLIBC_x.y[.z] in its version-needs section, whichever library it is needed
// from (libc.so.6, libm.so.6, ld-linux-x86-64.so.2, ...), without the
// "GLIBC_" prefix ("2.34"); "" if none. Versions compare numerically
// (2.10 > 2.9); non-numeric names such as GLIBC_PRIVATE and
// GLIBC_ABI_DT_RELR are ignored.
func ReadelfMaxGLIBC(t testing.TB, path string) string {
	t.Helper()
	return MaxVersion(readelfVersionNeeds(t, path), "GLIBC_")
}

// MaxVersion returns the highest numeric version with the given prefix
// ("GLIBC_", "GLIBCXX_", "CXXABI_") among the names in needs, without the
// prefix, or "" if there is none.
func MaxVersion(needs map[string][]string, prefix string) string {
	best := ""
	for _, names := range needs {
		for _, n := range names {
			v, ok := strings.CutPrefix(n, prefix)
			if !ok || !numericVersion(v) {
				continue
			}
			if best == "" || CompareVersions(v, best) > 0 {
				best = v
			}
		}
	}
	return best
}

// CompareVersions compares dotted numeric versions field by field:
// -1 if a < b, 0 if equal, +1 if a > b. "2.10" > "2.9"; "2.3" < "2.3.2";
// "2.3" == "2.3.0". A field that is not a number counts as 0.
func CompareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y uint64
		if i < len(as) {
			x, _ = strconv.ParseUint(as[i], 10, 64)
		}
		if i < len(bs) {
			y, _ = strconv.ParseUint(bs[i], 10, 64)
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func numericVersion(v string) bool {
	if v == "" {
		return false
	}
	for _, f := range strings.Split(v, ".") {
		if f == "" {
			return false
		}
		for _, c := range f {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// field returns the word after key in a readelf line ("Name: GLIBC_2.34  Flags: ...").
func field(line, key string) (string, bool) {
	i := strings.Index(line, key)
	if i < 0 {
		return "", false
	}
	f := strings.Fields(line[i+len(key):])
	if len(f) == 0 {
		return "", false
	}
	return f[0], true
}

func runReadelf(t testing.TB, args ...string) []byte {
	t.Helper()
	re := Readelf(t)
	cmd := exec.Command(re, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("libctest: readelf %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// ---- building ----

const buildTimeout = 10 * time.Minute

// Sources, written to the temporary directory.
const (
	helloC = `#include <stdio.h>

int main(void)
{
	puts("hello from golive's libc tests");
	return 0;
}
`
	helloCC = `#include <iostream>
#include <string>

int main(int argc, char **argv)
{
	std::string who = argc > 1 ? argv[1] : "world";
	std::cout << "hello, " << who << std::endl;
	return static_cast<int>(who.size() % 2);
}
`
	libC = `int golive_test_value(void)
{
	return 42;
}
`
	useLibC = `#include <stdio.h>

int golive_test_value(void);

int main(void)
{
	printf("%d\n", golive_test_value());
	return 0;
}
`
	goMod    = "module golivetest\n\ngo 1.21\n"
	goStatic = `package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("hello from golive's libc tests", os.Getpid())
}
`
	goCgo = `package main

/*
#include <stdio.h>

static void golive_hello(void) { puts("hello from cgo"); }
*/
import "C"

func main() {
	C.golive_hello()
}
`
	// The 32-bit stand-ins used without gcc-multilib: nothing from the
	// 32-bit glibc is needed to compile or link them.
	fake32LibC = `int __libc_start_main(void) { return 0; }
`
	fake32LibMap = "GLIBC_2.0 {\n\tglobal: __libc_start_main;\n\tlocal: *;\n};\n"
	fake32Start  = `extern int __libc_start_main(void);

void _start(void)
{
	__libc_start_main();
	for (;;)
		;
}
`
)

type builder struct {
	b   *bins
	dir string
}

func build() (*bins, error) {
	dir, err := os.MkdirTemp("", "golive-libctest-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	b := &bins{dir: dir, why: map[*string]problem{}}
	bl := &builder{b: b, dir: dir}
	files := map[string]string{
		"src/hello.c":           helloC,
		"src/hello.cc":          helloCC,
		"src/golivetest.c":      libC,
		"src/uselib.c":          useLibC,
		"src/fake32/libc.c":     fake32LibC,
		"src/fake32/libc.map":   fake32LibMap,
		"src/fake32/start.c":    fake32Start,
		"src/go/go.mod":         goMod,
		"src/go/static/main.go": goStatic,
		"src/go/cgo/main.go":    goCgo,
		"origin/bin/.keep":      "",
		"origin/lib/.keep":      "",
		"missing/lib/.keep":     "",
		"wrong32/.keep":         "",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
	}

	jobs := []func(){
		bl.cDynamic, bl.cStatic, bl.cStaticPIE, bl.cpp, bl.musl,
		bl.goStatic, bl.goCgo, bl.goArm64, bl.origin, bl.missing, bl.wrong32,
	}
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			job()
		}()
	}
	wg.Wait()
	return b, nil
}

func (bl *builder) src(name string) string {
	return filepath.Join(bl.dir, "src", filepath.FromSlash(name))
}
func (bl *builder) out(name string) string { return filepath.Join(bl.dir, filepath.FromSlash(name)) }

// set records a built binary, or why it is missing, for each field.
func (bl *builder) set(path string, pr *problem, fields ...*string) {
	bl.b.mu.Lock()
	defer bl.b.mu.Unlock()
	for _, f := range fields {
		if pr != nil {
			*f = ""
			bl.b.why[f] = *pr
		} else {
			*f = path
		}
	}
}

// tool finds a compiler; a missing one names its Debian package.
func tool(name, pkg string) (string, *problem) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", &problem{kind: missingTool, msg: fmt.Sprintf("%s not found: install the Debian package %s", name, pkg)}
	}
	return p, nil
}

// goTool finds the go command: the one `go test` put first in PATH, else
// the usual install location.
func goTool() (string, *problem) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if p := "/usr/local/go/bin/go"; fileExists(p) {
		return p, nil
	}
	return "", &problem{kind: missingTool, msg: "go not found: install a Go toolchain (Debian package golang-go)"}
}

// run runs a build command. A failure that says a file or library cannot be
// found is a missing prerequisite (e.g. libc6-dev's crt files or libc.a); any
// other failure is a build failure.
func run(what, dir string, env []string, name string, args ...string) *problem {
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf("building %s: %s %s: %v\n%s", what, name, strings.Join(args, " "), err, out)
	if bytes.Contains(out, []byte("cannot find")) || bytes.Contains(out, []byte("No such file or directory")) {
		return &problem{kind: missingTool, msg: msg + "\n(a development package is missing: libc6-dev for gcc, libstdc++-dev for g++, gcc-multilib for -m32)"}
	}
	return &problem{kind: buildFailed, msg: msg}
}

func (bl *builder) gcc(what, out string, fields []*string, args ...string) {
	gcc, pr := tool("gcc", "gcc")
	if pr == nil {
		pr = run(what, bl.dir, nil, gcc, append(args, "-o", out)...)
	}
	bl.set(out, pr, fields...)
}

func (bl *builder) cDynamic() {
	bl.gcc("CDynamic", bl.out("c-dynamic"), []*string{&bl.b.CDynamic}, "-O2", bl.src("hello.c"))
}

func (bl *builder) cStatic() {
	bl.gcc("CStatic", bl.out("c-static"), []*string{&bl.b.CStatic}, "-O2", "-static", bl.src("hello.c"))
}

func (bl *builder) cStaticPIE() {
	bl.gcc("CStaticPIE", bl.out("c-static-pie"), []*string{&bl.b.CStaticPIE}, "-O2", "-static-pie", bl.src("hello.c"))
}

func (bl *builder) cpp() {
	out := bl.out("cpp")
	gxx, pr := tool("g++", "g++")
	if pr == nil {
		pr = run("CPP", bl.dir, nil, gxx, "-O2", "-o", out, bl.src("hello.cc"))
	}
	bl.set(out, pr, &bl.b.CPP)
}

func (bl *builder) musl() {
	out := bl.out("musl")
	mg, pr := tool("musl-gcc", "musl-tools")
	if pr == nil {
		pr = run("Musl", bl.dir, nil, mg, "-O2", "-o", out, bl.src("hello.c"))
	}
	bl.set(out, pr, &bl.b.Musl)
}

func (bl *builder) goBuild(what, out, pkg string, field *string, env ...string) {
	goCmd, pr := goTool()
	if pr == nil {
		env = append([]string{
			"GOTOOLCHAIN=local", "GOPROXY=off", "GOWORK=off", "GOFLAGS=",
			"GO111MODULE=on", "GOOS=linux",
		}, env...)
		pr = run(what, bl.src("go"), env, goCmd, "build", "-trimpath", "-buildvcs=false", "-o", out, pkg)
	}
	bl.set(out, pr, field)
}

func (bl *builder) goStatic() {
	bl.goBuild("GoStatic", bl.out("go-static"), "./static", &bl.b.GoStatic, "CGO_ENABLED=0", "GOARCH="+runtime.GOARCH)
}

func (bl *builder) goArm64() {
	bl.goBuild("GoArm64", bl.out("go-arm64"), "./static", &bl.b.GoArm64, "CGO_ENABLED=0", "GOARCH=arm64")
}

func (bl *builder) goCgo() {
	gcc, pr := tool("gcc", "gcc")
	if pr != nil {
		bl.set("", pr, &bl.b.GoCgo)
		return
	}
	bl.goBuild("GoCgo", bl.out("go-cgo"), "./cgo", &bl.b.GoCgo, "CGO_ENABLED=1", "GOARCH="+runtime.GOARCH, "CC="+gcc)
}

// origin builds libgolivetest.so in origin/lib and two programs in
// origin/bin that find it through $ORIGIN/../lib (RUNPATH and RPATH).
func (bl *builder) origin() {
	lib := bl.out("origin/lib/libgolivetest.so")
	both := []*string{&bl.b.Origin, &bl.b.OriginRPATH}
	gcc, pr := tool("gcc", "gcc")
	if pr == nil {
		pr = run("OriginLib", bl.dir, nil, gcc, "-O2", "-shared", "-fPIC",
			"-Wl,-soname,libgolivetest.so", "-o", lib, bl.src("golivetest.c"))
	}
	if pr != nil {
		bl.set("", pr, both...)
		return
	}
	bl.set(lib, nil, &bl.b.OriginLib)
	for _, v := range []struct {
		name, dtags string
		field       *string
	}{
		{"origin", "-Wl,--enable-new-dtags", &bl.b.Origin},
		{"origin-rpath", "-Wl,--disable-new-dtags", &bl.b.OriginRPATH},
	} {
		bl.gcc(v.name, bl.out("origin/bin/"+v.name), []*string{v.field},
			"-O2", bl.src("uselib.c"), "-L"+bl.out("origin/lib"), "-lgolivetest",
			"-Wl,-rpath,$ORIGIN/../lib", v.dtags)
	}
}

// missing links a program against libgolivemissing.so, then deletes the
// library.
func (bl *builder) missing() {
	lib := bl.out("missing/lib/libgolivemissing.so")
	out := bl.out("missing/missing")
	gcc, pr := tool("gcc", "gcc")
	if pr == nil {
		pr = run("MissingLib", bl.dir, nil, gcc, "-O2", "-shared", "-fPIC",
			"-Wl,-soname,libgolivemissing.so", "-o", lib, bl.src("golivetest.c"))
	}
	if pr == nil {
		pr = run("Missing", bl.dir, nil, gcc, "-O2", "-o", out, bl.src("uselib.c"),
			"-L"+bl.out("missing/lib"), "-lgolivemissing")
	}
	if pr == nil {
		if err := os.Remove(lib); err != nil {
			pr = &problem{kind: buildFailed, msg: fmt.Sprintf("deleting %s: %v", lib, err)}
		}
	}
	bl.b.mu.Lock()
	bl.b.missingLib = lib
	bl.b.mu.Unlock()
	bl.set(out, pr, &bl.b.Missing)
}

// wrong32 builds a 32-bit program: for real with gcc-multilib, else the
// synthetic stand-in (see Bins.Wrong32).
func (bl *builder) wrong32() {
	out := bl.out("wrong32/wrong32")
	gcc, pr := tool("gcc", "gcc")
	if pr != nil {
		bl.set("", pr, &bl.b.Wrong32)
		return
	}
	if run("Wrong32", bl.dir, nil, gcc, "-m32", "-O2", "-o", out, bl.src("hello.c")) == nil {
		bl.set(out, nil, &bl.b.Wrong32)
		return
	}
	fakeLib := bl.out("wrong32/fakelib/libc.so.6")
	if err := os.MkdirAll(filepath.Dir(fakeLib), 0o755); err != nil {
		bl.set("", &problem{kind: buildFailed, msg: err.Error()}, &bl.b.Wrong32)
		return
	}
	pr = run("Wrong32 (synthetic libc.so.6)", bl.dir, nil, gcc, "-m32", "-shared", "-nostdlib", "-fPIC",
		"-Wl,-soname,libc.so.6", "-Wl,--version-script="+bl.src("fake32/libc.map"),
		"-o", fakeLib, bl.src("fake32/libc.c"))
	if pr == nil {
		pr = run("Wrong32 (synthetic)", bl.dir, nil, gcc, "-m32", "-nostdlib", "-no-pie", "-fno-pie",
			"-Wl,-dynamic-linker,/lib/ld-linux.so.2", "-Wl,--no-as-needed",
			"-o", out, bl.src("fake32/start.c"), fakeLib)
	}
	if pr != nil {
		// -m32 is optional: whatever went wrong, the tests that want a
		// 32-bit binary skip.
		pr = &problem{kind: missingTool, msg: "no 32-bit program (install the Debian package gcc-multilib): " + pr.msg}
	}
	bl.b.mu.Lock()
	bl.b.wrong32Synthetic = pr == nil
	bl.b.mu.Unlock()
	bl.set(out, pr, &bl.b.Wrong32)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
