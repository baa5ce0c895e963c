package packaging_test

import (
	"bufio"
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// version is stamped into the test build; the packages carry pkgVersion.
const (
	version    = "v9.8.7"
	pkgVersion = "9.8.7"
)

// arches are make dist's architectures with their names in each world.
var arches = []struct {
	goarch, deb, rpm string
	machine          elf.Machine
}{
	{"amd64", "amd64", "x86_64", elf.EM_X86_64},
	{"arm64", "arm64", "aarch64", elf.EM_AARCH64},
}

var (
	distOnce sync.Once
	distPath string
	distErr  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if distPath != "" {
		os.RemoveAll(distPath)
	}
	os.Exit(code)
}

// dist runs `make dist` once for the package, into a temporary directory,
// from the repository root exactly as a release would.
func dist(t *testing.T) string {
	t.Helper()
	testenv.NeedCommand(t, "make", "make")
	nfpm, err := filepath.Abs("../.tools/nfpm")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(nfpm); err != nil {
		// make dist would download it; tests fetch nothing.
		msg := "nfpm is not installed in .tools: `make test` installs it first"
		testenv.Missing(t, msg)
	}
	distOnce.Do(func() {
		dir, err := os.MkdirTemp("", "golive-dist-test")
		if err != nil {
			distErr = err.Error()
			return
		}
		distPath = dir
		if out, err := makeDist(dir); err != nil {
			distErr = "make dist: " + err.Error() + "\n" + string(out)
		}
	})
	if distErr != "" {
		t.Fatal(distErr)
	}
	return distPath
}

// makeDist runs make dist into dir, from the repository root.
func makeDist(dir string) ([]byte, error) {
	cmd := exec.Command("make", "--no-print-directory", "dist", "DIST="+dir, "VERSION="+version)
	cmd.Dir = ".."
	// A make above `go test` must not hand its jobserver down.
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "MAKEFLAGS=") && !strings.HasPrefix(e, "MFLAGS=") && !strings.HasPrefix(e, "MAKELEVEL=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	return cmd.CombinedOutput()
}

func TestDistHasEveryArtifactAndItsChecksum(t *testing.T) {
	dir := dist(t)
	var want []string
	for _, a := range arches {
		want = append(want,
			"golive_"+version+"_linux_"+a.goarch,
			"golive_"+pkgVersion+"_"+a.deb+".deb",
			"golive-"+pkgVersion+"-1."+a.rpm+".rpm")
	}
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 || len(f[0]) != 64 {
			t.Fatalf("SHA256SUMS line %q is not sha256sum's format", sc.Text())
		}
		listed = append(listed, f[1])
	}
	slices.Sort(want)
	slices.Sort(listed)
	if !slices.Equal(want, listed) {
		t.Errorf("SHA256SUMS lists %v, want %v", listed, want)
	}
	check := exec.Command("sha256sum", "--check", "--strict", "SHA256SUMS")
	check.Dir = dir
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("sha256sum --check: %v\n%s", err, out)
	}
}

// The binaries must run on any Linux of their architecture, CentOS 7's
// glibc 2.17 included: no program interpreter, no shared library.
func TestDistBinariesAreStaticAndStamped(t *testing.T) {
	dir := dist(t)
	for _, a := range arches {
		bin := filepath.Join(dir, "golive_"+version+"_linux_"+a.goarch)
		checkStaticELF(t, bin, a.machine)
		if a.goarch == runtime.GOARCH {
			checkVersion(t, bin)
		}
	}
}

func checkStaticELF(t *testing.T, path string, machine elf.Machine) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	if f.Machine != machine || f.Class != elf.ELFCLASS64 {
		t.Errorf("%s: %v %v, want %v 64-bit", path, f.Machine, f.Class, machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s has a program interpreter: it would not run on a host with another libc", path)
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil || len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v (%v)", path, libs, err)
	}
}

func checkVersion(t *testing.T, bin string) {
	t.Helper()
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "golive "+version+" (") {
		t.Errorf("%s version: %q (%v), want the stamped %s", bin, out, err, version)
	}
}

// Two builds of one commit are byte-identical, so anyone can rebuild a
// release and compare it with the published SHA256SUMS.
func TestDistIsReproducible(t *testing.T) {
	first, err := os.ReadFile(filepath.Join(dist(t), "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	again := t.TempDir()
	if out, err := makeDist(again); err != nil {
		t.Fatalf("second make dist: %v\n%s", err, out)
	}
	second, err := os.ReadFile(filepath.Join(again, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != string(second) {
		t.Errorf("two builds differ:\n%s\n%s", first, second)
	}
}
