package libctest

import (
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The committed stand-in glibcs of the fixture roots (testdata/gen/fake-glibc).

const rootsDir = "../../../testdata/roots"

// x86_64 libc.so.6 version nodes, as glibc 2.36 lists them; a release has
// the prefix up to its own number.
var libcNodes = []string{
	"2.2.5", "2.2.6", "2.3", "2.3.2", "2.3.3", "2.3.4", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9",
	"2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16", "2.17", "2.18", "2.22", "2.23",
	"2.24", "2.25", "2.26", "2.27", "2.28", "2.29", "2.30", "2.31", "2.32", "2.33", "2.34",
	"2.35", "2.36",
}

var ldNodes = []string{"2.2.5", "2.3", "2.4", "2.34", "2.35"}

// wantNodes: "GLIBC_x" for every node <= release, then GLIBC_PRIVATE.
func wantNodes(all []string, release string) []string {
	var out []string
	for _, n := range all {
		if CompareVersions(n, release) <= 0 {
			out = append(out, "GLIBC_"+n)
		}
	}
	return append(out, "GLIBC_PRIVATE")
}

var fixtureRoots = []struct {
	root, glibc string
	libc        []string // paths (inside the root) that must reach libc.so.6
	real        string   // the regular file they reach
	ldReal      string   // the regular file /lib64/ld-linux-x86-64.so.2 reaches
	ldsoconf    string   // first line of etc/ld.so.conf
}{
	{
		root: "centos-7", glibc: "2.17",
		libc:     []string{"/lib64/libc.so.6", "/usr/lib64/libc.so.6"},
		real:     "/usr/lib64/libc-2.17.so",
		ldReal:   "/usr/lib64/ld-2.17.so",
		ldsoconf: "include ld.so.conf.d/*.conf",
	},
	{
		root: "rocky-9", glibc: "2.34",
		libc:     []string{"/lib64/libc.so.6", "/usr/lib64/libc.so.6"},
		real:     "/usr/lib64/libc.so.6",
		ldReal:   "/usr/lib64/ld-linux-x86-64.so.2",
		ldsoconf: "include ld.so.conf.d/*.conf",
	},
	{
		root: "ubuntu-22.04", glibc: "2.35",
		libc:     []string{"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"},
		real:     "/usr/lib/x86_64-linux-gnu/libc.so.6",
		ldReal:   "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
		ldsoconf: "include /etc/ld.so.conf.d/*.conf",
	},
}

// resolveIn follows p inside root the way a chroot would: absolute symlink
// targets start again at root, ".." never leaves it. It returns the final
// path, relative to root and starting with "/".
func resolveIn(root, p string) (string, error) {
	todo := strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/")
	cur := "/"
	for hops := 0; len(todo) > 0; {
		c := todo[0]
		todo = todo[1:]
		if c == "" || c == "." {
			continue
		}
		if c == ".." {
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, c)
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(next)))
		if err != nil {
			return "", err
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > 40 {
			return "", errors.New("too many levels of symbolic links")
		}
		target, err := os.Readlink(filepath.Join(root, filepath.FromSlash(next)))
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(target, "/") {
			cur = "/"
		}
		todo = append(strings.Split(strings.Trim(target, "/"), "/"), todo...)
	}
	return cur, nil
}

func versionDefs(t *testing.T, f *elf.File) []elf.DynamicVersion {
	t.Helper()
	v, err := f.DynamicVersions()
	if err != nil {
		t.Fatalf("DynamicVersions: %v", err)
	}
	return v
}

// checkStandIn checks one stand-in: soname, version definitions (all
// non-weak, in order, the base entry first), no code, the banner, the size.
func checkStandIn(t *testing.T, file, soname string, nodes []string, banner string) {
	t.Helper()
	f := openELF(t, file)
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 || f.Type != elf.ET_DYN {
		t.Errorf("%s: %v %v %v, want ELFCLASS64 EM_X86_64 ET_DYN", file, f.Class, f.Machine, f.Type)
	}
	if got := dynStrings(t, f, elf.DT_SONAME); !slices.Equal(got, []string{soname}) {
		t.Errorf("%s: DT_SONAME %q, want %s", file, got, soname)
	}
	defs := versionDefs(t, f)
	var names []string
	for i, d := range defs {
		if i == 0 {
			if d.Name != soname || d.Flags&elf.VER_FLG_BASE == 0 {
				t.Errorf("%s: first definition %q flags %v, want the base %s", file, d.Name, d.Flags, soname)
			}
			continue
		}
		if d.Flags&elf.VER_FLG_WEAK != 0 {
			t.Errorf("%s: %s is WEAK", file, d.Name)
		}
		names = append(names, d.Name)
	}
	if !slices.Equal(names, nodes) {
		t.Errorf("%s: version definitions\n  %v\nwant\n  %v", file, names, nodes)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || (p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0) {
			t.Errorf("%s: has %v flags %v: a stand-in must hold no code", file, p.Type, p.Flags)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(banner)) {
		t.Errorf("%s: banner %q not found", file, banner)
	}
	if len(data) > 16<<10 {
		t.Errorf("%s: %d bytes; a stand-in should be a few KB", file, len(data))
	}
}

func TestFixtureRoots(t *testing.T) {
	for _, fr := range fixtureRoots {
		t.Run(fr.root, func(t *testing.T) {
			root := filepath.Join(rootsDir, fr.root)
			for _, p := range fr.libc {
				got, err := resolveIn(root, p)
				if err != nil || got != fr.real {
					t.Errorf("%s resolves to %q (%v), want %s", p, got, err, fr.real)
				}
			}
			libc := filepath.Join(root, filepath.FromSlash(fr.real))
			if fi, err := os.Lstat(libc); err != nil || !fi.Mode().IsRegular() {
				t.Fatalf("%s: not a regular file (%v)", fr.real, err)
			}
			checkStandIn(t, libc, "libc.so.6", wantNodes(libcNodes, fr.glibc),
				"GNU C Library (golive test fixture) stable release version "+fr.glibc+".")
			f := openELF(t, libc)
			if got := dynStrings(t, f, elf.DT_NEEDED); !slices.Equal(got, []string{"ld-linux-x86-64.so.2"}) {
				t.Errorf("libc DT_NEEDED %q, want [ld-linux-x86-64.so.2]", got)
			}
			var max string
			for _, d := range versionDefs(t, f) {
				if v, ok := strings.CutPrefix(d.Name, "GLIBC_"); ok && numericVersion(v) &&
					(max == "" || CompareVersions(v, max) > 0) {
					max = v
				}
			}
			if max != fr.glibc {
				t.Errorf("highest GLIBC_ definition %q, want %s", max, fr.glibc)
			}

			// The x86_64 ELF interpreter path, as binaries name it.
			ld, err := resolveIn(root, "/lib64/ld-linux-x86-64.so.2")
			if err != nil || ld != fr.ldReal {
				t.Errorf("/lib64/ld-linux-x86-64.so.2 resolves to %q (%v), want %s", ld, err, fr.ldReal)
			} else {
				checkStandIn(t, filepath.Join(root, filepath.FromSlash(ld)), "ld-linux-x86-64.so.2",
					wantNodes(ldNodes, fr.glibc), "ld.so (golive test fixture) stable release version "+fr.glibc+".")
			}

			conf, err := os.ReadFile(filepath.Join(root, "etc", "ld.so.conf"))
			if err != nil {
				t.Fatal(err)
			}
			if first, _, _ := strings.Cut(string(conf), "\n"); first != fr.ldsoconf {
				t.Errorf("etc/ld.so.conf starts %q, want %q", first, fr.ldsoconf)
			}
			if fi, err := os.Stat(filepath.Join(root, "etc", "ld.so.conf.d")); err != nil || !fi.IsDir() {
				t.Errorf("etc/ld.so.conf.d: not a directory (%v)", err)
			}
		})
	}
}

// TestFixtureNodesMatchHost: on an x86_64 glibc host, the node list the
// stand-ins use is the host libc's own list, cut at the release.
func TestFixtureNodesMatchHost(t *testing.T) {
	var host string
	for _, p := range []string{"/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc.so.6", "/usr/lib64/libc.so.6"} {
		if f, err := elf.Open(p); err == nil {
			if f.Machine == elf.EM_X86_64 {
				host = p
			}
			f.Close()
			if host != "" {
				break
			}
		}
	}
	if host == "" {
		t.Skip("no x86_64 glibc libc.so.6 on this machine")
	}
	var nodes []string
	for _, d := range versionDefs(t, openELF(t, host)) {
		if v, ok := strings.CutPrefix(d.Name, "GLIBC_"); ok && numericVersion(v) {
			nodes = append(nodes, v)
		}
	}
	hostMax := nodes[len(nodes)-1]
	for _, fr := range fixtureRoots {
		if CompareVersions(hostMax, fr.glibc) < 0 {
			t.Logf("host glibc %s is older than %s: not compared", hostMax, fr.glibc)
			continue
		}
		var cut []string
		for _, n := range nodes {
			if CompareVersions(n, fr.glibc) <= 0 {
				cut = append(cut, "GLIBC_"+n)
			}
		}
		want := wantNodes(libcNodes, fr.glibc)
		if !slices.Equal(append(cut, "GLIBC_PRIVATE"), want) {
			t.Errorf("%s: host %s nodes up to %s are %v, fixtures use %v", fr.root, host, fr.glibc, cut, want)
		}
	}
}

// TestGenScript: gen.sh still builds what is committed (same definitions and
// dynamic symbols; the bytes may differ with another binutils).
func TestGenScript(t *testing.T) {
	for _, tool := range []struct{ cmd, pkg string }{{"gcc", "gcc"}, {"strip", "binutils"}, {"readelf", "binutils"}, {"sh", "dash"}} {
		if _, err := exec.LookPath(tool.cmd); err != nil {
			skipOrFail(t, tool.cmd+" not found: install the Debian package "+tool.pkg)
		}
	}
	if out, err := exec.Command("gcc", "-dumpmachine").Output(); err != nil || !strings.HasPrefix(string(out), "x86_64-") {
		t.Skipf("gcc does not target x86_64 (%q): gen.sh makes x86_64 stand-ins", out)
	}
	tmp := t.TempDir()
	for _, fr := range fixtureRoots {
		out := filepath.Join(tmp, fr.glibc)
		cmd := exec.Command("sh", "../../../testdata/gen/fake-glibc/gen.sh", "build", fr.glibc, out)
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "LC_ALL=C")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gen.sh build %s: %v\n%s", fr.glibc, err, b)
		}
		committed := map[string]string{
			"libc.so.6":            filepath.Join(rootsDir, fr.root, filepath.FromSlash(fr.real)),
			"ld-linux-x86-64.so.2": filepath.Join(rootsDir, fr.root, filepath.FromSlash(fr.ldReal)),
		}
		for name, old := range committed {
			fresh := filepath.Join(out, name)
			if !slices.Equal(defNames(t, fresh), defNames(t, old)) {
				t.Errorf("%s %s: gen.sh defines %v, committed %v", fr.root, name, defNames(t, fresh), defNames(t, old))
			}
			if !slices.Equal(dynSyms(t, fresh), dynSyms(t, old)) {
				t.Errorf("%s %s: gen.sh exports %v, committed %v", fr.root, name, dynSyms(t, fresh), dynSyms(t, old))
			}
			a, _ := os.ReadFile(fresh)
			b, _ := os.ReadFile(old)
			if !bytes.Equal(a, b) {
				t.Logf("%s %s: same definitions, different bytes (another toolchain?)", fr.root, name)
			}
		}
	}
}

func defNames(t *testing.T, file string) []string {
	t.Helper()
	var out []string
	for _, d := range versionDefs(t, openELF(t, file)) {
		out = append(out, d.Name)
	}
	return out
}

func dynSyms(t *testing.T, file string) []string {
	t.Helper()
	syms, err := openELF(t, file).DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range syms {
		out = append(out, s.Name+"@"+s.Version)
	}
	slices.Sort(out)
	return out
}

func TestResolveIn(t *testing.T) {
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "usr/lib/x86_64-linux-gnu"), 0o755))
	must(os.MkdirAll(filepath.Join(root, "usr/lib64"), 0o755))
	must(os.WriteFile(filepath.Join(root, "usr/lib/x86_64-linux-gnu/ld.so"), nil, 0o644))
	must(os.Symlink("usr/lib", filepath.Join(root, "lib")))
	must(os.Symlink("usr/lib64", filepath.Join(root, "lib64")))
	must(os.Symlink("/lib/x86_64-linux-gnu/ld.so", filepath.Join(root, "usr/lib64/ld")))
	must(os.Symlink("../../../../../../lib/x86_64-linux-gnu/ld.so", filepath.Join(root, "usr/lib64/up")))
	must(os.Symlink("loop2", filepath.Join(root, "loop1")))
	must(os.Symlink("loop1", filepath.Join(root, "loop2")))
	for p, want := range map[string]string{
		"/lib64/ld": "/usr/lib/x86_64-linux-gnu/ld.so",
		"lib64/up":  "/usr/lib/x86_64-linux-gnu/ld.so",
	} {
		if got, err := resolveIn(root, p); err != nil || got != want {
			t.Errorf("resolveIn(%s) = %q, %v; want %s", p, got, err, want)
		}
	}
	if _, err := resolveIn(root, "/loop1"); err == nil {
		t.Errorf("symlink loop resolved")
	}
	if _, err := resolveIn(root, "/lib64/nothing"); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}
