package libc

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/libc/libctest"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/testenv"
)

// A dynamic musl binary needs libc.so, which musl's loader is: libc/libs
// passes it where the loader exists (it said "missing: libc.so" before).
func TestMuslLibcIsTheLoader(t *testing.T) {
	b := libctest.Build(t)
	bin := b.Need(t, &b.Musl)
	if !live(t).Exists("/lib/ld-musl-x86_64.so.1") {
		testenv.Missing(t, "this host has no musl loader (/lib/ld-musl-x86_64.so.1): install the Debian package musl")
	}
	r := run(t, live(t), "", bin)["libs"]
	if r.Status != engine.Pass {
		t.Fatalf("%s %q %q", r.Status, r.Observed, r.Message)
	}
	res := r.Details["resolved"].([]resolvedLib)
	if len(res) != 1 || res[0].Name != "libc.so" || res[0].Path != "/lib/ld-musl-x86_64.so.1" || res[0].Via != "musl loader" {
		t.Errorf("resolved %+v", res)
	}
	if r.Details["musl_path_file"] != "/etc/ld-musl-x86_64.path" {
		t.Errorf("musl_path_file %v", r.Details["musl_path_file"])
	}
}

// Without the loader, libc.so cannot be had: libs fails and says why.
func TestMuslLibcWithoutTheLoader(t *testing.T) {
	b := libctest.Build(t)
	r := run(t, hosttest.Fixture(t, "rocky-9"), "", b.Need(t, &b.Musl))["libs"]
	if r.Status != engine.Fail || r.Observed != "missing: libc.so" || !strings.Contains(r.Message, "musl loader /lib/ld-musl-x86_64.so.1, which does not exist") {
		t.Fatalf("%s %q %q", r.Status, r.Observed, r.Message)
	}
}

func TestMuslProvides(t *testing.T) {
	for name, want := range map[string]bool{
		"libc.so": true, "libc.musl-x86_64.so.1": true, "libm.so": true, "libpthread.so.0": true, "librt.so.1": true,
		"libdl.so.2": true, "libutil.so.1": true, "libxnet.so": true, "libc.so.6": true,
		"libcrypt.so.1": false, "libmagic.so.1": false, "libz.so.1": false, "c.so": false, "libc": false, "libcurl.so.4": false,
	} {
		if got := muslProvides(name); got != want {
			t.Errorf("muslProvides(%q) = %v", name, got)
		}
	}
}

func TestMuslPathFile(t *testing.T) {
	for interp, want := range map[string]string{
		"/lib/ld-musl-x86_64.so.1":              "/etc/ld-musl-x86_64.path",
		"/ld-musl-aarch64.so.1":                 "/etc/ld-musl-aarch64.path",
		"/usr/lib/musl/lib/ld-musl-x86_64.so.1": "/usr/lib/musl/etc/ld-musl-x86_64.path",
		"/opt/musl/lib64/ld-musl-armhf.so.1":    "/opt/musl/etc/ld-musl-armhf.path",
	} {
		if got := muslPathFile(interp); got != want {
			t.Errorf("muslPathFile(%q) = %q, want %q", interp, got, want)
		}
	}
}

func TestParseMuslPath(t *testing.T) {
	got := parseMuslPath([]byte("/lib/x86_64-linux-musl\n/usr/lib/x86_64-linux-musl:/opt/lib\n\n::/x\x00/after-nul\n"))
	want := []string{"/lib/x86_64-linux-musl", "/usr/lib/x86_64-linux-musl", "/opt/lib", "/x"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q", got)
	}
}

// The musl search: the requesting object's path and its loaders', then the
// path file (the default /lib:/usr/local/lib:/usr/lib without one); the
// first candidate that exists is taken even when it is of the wrong class.
func TestMuslSearch(t *testing.T) {
	b := libctest.Build(t)
	good := b.Need(t, &b.OriginLib)
	root := t.TempDir()
	put := func(rel, from string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := []byte("not an ELF file")
		if from != "" {
			var err error
			if data, err = os.ReadFile(from); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	put("lib/ld-musl-x86_64.so.1", good)
	put("usr/lib/libfromdefault.so", good)
	put("app/lib/libprivate.so", good)
	put("musl/lib/libfrompath.so", good)
	put("bad/libbad.so", "")
	put("musl/lib/libbad.so", good)
	h, err := host.New(root)
	if err != nil {
		t.Fatal(err)
	}
	info := &elfInfo{class: 2, machine: 62, runPath: []string{"$ORIGIN/lib"}}
	s := newMuslSearcher(h, "/lib/ld-musl-x86_64.so.1", info.class, info.machine)
	app := s.newObject("/app/bin", info, nil)
	lib := s.newObject("/app/lib/libx.so", &elfInfo{}, app)
	check := func(name string, req *object, path, via string) {
		t.Helper()
		r := s.find(name, req)
		if r.Path != path || r.Via != via {
			t.Errorf("%s: %+v, want %s via %s", name, r, path, via)
		}
	}
	check("libc.so", app, "/lib/ld-musl-x86_64.so.1", "musl loader")
	check("libprivate.so", lib, "/app/lib/libprivate.so", "rpath") // the program's RUNPATH, for a library it loaded
	check("libfromdefault.so", app, "/usr/lib/libfromdefault.so", "musl path")
	check("libfrompath.so", app, "", "")

	put("etc/ld-musl-x86_64.path", "")
	if err := os.WriteFile(filepath.Join(root, "etc/ld-musl-x86_64.path"), []byte("/bad\n/musl/lib\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s = newMuslSearcher(h, "/lib/ld-musl-x86_64.so.1", info.class, info.machine)
	app = s.newObject("/app/bin", info, nil)
	check("libfrompath.so", app, "/musl/lib/libfrompath.so", "musl path")
	check("libfromdefault.so", app, "", "")
	if r := s.find("libbad.so", app); r.Path != "" || !strings.Contains(r.Problem, "/bad/libbad.so") {
		t.Errorf("libbad.so: %+v: musl stops at the first file that exists", r)
	}

	// Any $ variable but ORIGIN makes musl drop the whole path.
	o := s.newObject("/app/bin", &elfInfo{rPath: []string{"$ORIGIN/lib", "$LIB/x"}}, nil)
	if len(o.rpath) != 0 {
		t.Errorf("rpath %q: musl ignores a path with $LIB", o.rpath)
	}
}

// ld.so's search for a library's dependency: the DT_RPATH of every object
// up the chain of loaders, each with its own $ORIGIN; a DT_RUNPATH only for
// the object that has it; the loader's own name answered by PT_INTERP.
func TestGlibcLoaderChain(t *testing.T) {
	b := libctest.Build(t)
	good := b.Need(t, &b.OriginLib)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, rel := range []string{"app/lib/liba.so", "app/deep/libc2.so", "app/lib/libonlyinlib.so", "lib64/ld-linux-x86-64.so.2"} {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	h, err := host.New(root)
	if err != nil {
		t.Fatal(err)
	}
	s := newSearcher(h, 2 /* ELFCLASS64 */, 62 /* EM_X86_64 */)
	s.interp = "/lib64/ld-linux-x86-64.so.2"
	check := func(name string, req *object, path, via string) {
		t.Helper()
		if r := s.find(name, req); r.Path != path || r.Via != via {
			t.Errorf("%s for %s: %+v, want %q via %q", name, req.path, r, path, via)
		}
	}
	prog := s.newObject("/app/bin/prog", &elfInfo{rPath: []string{"$ORIGIN/../lib"}}, nil)
	liba := s.newObject("/app/lib/liba.so", &elfInfo{rPath: []string{"$ORIGIN/../deep"}}, prog)
	libb := s.newObject("/app/deep/libb.so", &elfInfo{}, liba)
	check("libc2.so", libb, "/app/deep/libc2.so", "rpath")              // liba.so's RPATH, its $ORIGIN
	check("libonlyinlib.so", libb, "/app/lib/libonlyinlib.so", "rpath") // the program's RPATH, its $ORIGIN
	check("ld-linux-x86-64.so.2", libb, "/lib64/ld-linux-x86-64.so.2", "interpreter")

	progR := s.newObject("/app/bin/prog", &elfInfo{runPath: []string{"$ORIGIN/../lib"}, rPath: []string{"/app/deep"}}, nil)
	libx := s.newObject("/app/lib/liba.so", &elfInfo{}, progR)
	check("libonlyinlib.so", progR, "/app/lib/libonlyinlib.so", "runpath")
	check("libonlyinlib.so", libx, "", "") // RUNPATH is not inherited
	check("libc2.so", progR, "", "")       // RPATH is ignored beside RUNPATH
}
