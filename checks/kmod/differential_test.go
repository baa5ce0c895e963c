package kmod

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// diffRelease is the kernel release of the generated module trees.
const diffRelease = "6.6.6-golive"

// The directories a world holds, each bound over the real one inside the
// namespace, where systemd-analyze and modprobe read their defaults.
var diffDirs = []string{
	"/etc/modules-load.d", "/run/modules-load.d", "/usr/local/lib/modules-load.d", "/usr/lib/modules-load.d",
	"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
}

// world is one generated configuration: its root and module names.
type world struct {
	root    string
	modules []string // names as the profile would write them
}

// TestBootDifferential generates worlds of modules-load.d and modprobe.d
// files (same names across directories, masks, hidden files, non-.conf
// names, comments, blanks, continued lines, "-" and "_" spellings,
// blacklist and install lines with patterns and bad lines) over a module
// tree made with depmod, binds them over the real directories in a
// private mount namespace, and compares golive with the programs it
// predicts: the files `systemd-analyze cat-config modules-load.d` reads,
// the blacklist and install lines `modprobe --showconfig` keeps, and per
// module what `modprobe -n -v -b --first-time` does (-b applies the
// blacklist to the module's own name, as systemd-modules-load's
// KMOD_PROBE_APPLY_BLACKLIST does; --first-time tells a built-in module
// from a blacklisted one).
func TestBootDifferential(t *testing.T) {
	testenv.NeedNamespaces(t)
	testenv.NeedCommand(t, "modprobe", "kmod")
	testenv.NeedCommand(t, "depmod", "kmod")
	testenv.NeedCommand(t, "systemd-analyze", "systemd")
	gcc := testenv.NeedCommand(t, "gcc", "gcc")
	obj := filepath.Join(t.TempDir(), "m.o")
	cc := exec.Command(gcc, "-c", "-x", "c", "-", "-o", obj)
	cc.Stdin = strings.NewReader(`const char m[] __attribute__((section(".modinfo"), used)) = "license=GPL";` + "\n")
	if out, err := cc.CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v: %s", err, out)
	}
	rng := rand.New(rand.NewPCG(20, 4))
	modules, files, agree := 0, 0, 0
	for i := 0; i < 14; i++ {
		w := makeWorld(t, rng, obj, i)
		m, f, a := compareWorld(t, w)
		modules, files, agree = modules+m, files+f, agree+a
	}
	t.Logf("differential: 14 worlds, %d modules-load.d files, %d module verdicts, %d agree", files, modules, agree)
	if modules < 300 {
		t.Errorf("only %d module verdicts", modules)
	}
}

// makeWorld writes one world's files and module tree.
func makeWorld(t *testing.T, rng *rand.Rand, obj string, n int) world {
	root := filepath.Join(t.TempDir(), fmt.Sprintf("w%d", n))
	w := world{root: root}
	write := func(p, data string) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range diffDirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	moddir := "/lib/modules/" + diffRelease
	// Loadable modules (file names with - or _), and built-in ones.
	var dep strings.Builder
	for k := 0; k < 24; k++ {
		file := fmt.Sprintf("glv_m%02d", k)
		if k%5 == 1 {
			file = fmt.Sprintf("glv-m%02d", k)
		}
		data, err := os.ReadFile(obj)
		if err != nil {
			t.Fatal(err)
		}
		write(moddir+"/kernel/golive/"+file+".ko", string(data))
		w.modules = append(w.modules, spell(rng, file))
	}
	var builtin strings.Builder
	for k := 0; k < 4; k++ {
		name := fmt.Sprintf("glv-b%d", k)
		fmt.Fprintf(&builtin, "kernel/golive/%s.ko\n", name)
		w.modules = append(w.modules, spell(rng, name))
	}
	write(moddir+"/modules.builtin", builtin.String())
	// Names the kernel has no module for (a typo in modules-load.d).
	for k := 0; k < 3; k++ {
		w.modules = append(w.modules, spell(rng, fmt.Sprintf("glv-missing%d", k)))
	}
	_ = dep
	write("/proc/modules", "")
	write("/proc/sys/kernel/osrelease", diffRelease+"\n")
	if out, err := exec.Command("depmod", "-b", root, diffRelease).CombinedOutput(); err != nil {
		t.Fatalf("depmod: %v: %s", err, out)
	}
	names := []string{"a.conf", "b.conf", "k8s.conf", "z.conf", "x.txt", ".hidden.conf", "m.alias", "conf"}
	for _, d := range diffDirs {
		load := strings.Contains(d, "modules-load")
		for _, f := range names {
			if rng.IntN(3) != 0 {
				continue
			}
			p := d + "/" + f
			switch rng.IntN(9) {
			case 0:
				if err := os.Symlink("/dev/null", filepath.Join(root, p)); err != nil {
					t.Fatal(err)
				}
				continue
			case 1:
				// A directory with the name: kmod leaves it out; systemd
				// lets it win the name, then cat-config stops at it, so
				// only the last name is made one.
				if !load || f == "z.conf" {
					write(p+"/inner.conf", "glv_m00\n")
					continue
				}
			}
			if load {
				write(p, loadFile(rng, w.modules))
			} else {
				write(p, modprobeFile(rng, w.modules))
			}
		}
	}
	return w
}

// spell writes a module name with "-" and "_" chosen at random.
func spell(rng *rand.Rand, name string) string {
	b := []byte(name)
	for i, c := range b {
		if (c == '_' || c == '-') && rng.IntN(2) == 0 {
			b[i] = "_-"[rng.IntN(2)]
		}
	}
	return string(b)
}

func loadFile(rng *rand.Rand, mods []string) string {
	var s strings.Builder
	for k := rng.IntN(6); k >= 0; k-- {
		m := spell(rng, mods[rng.IntN(len(mods))])
		switch rng.IntN(8) {
		case 0:
			s.WriteString("# " + m + "\n")
		case 1:
			s.WriteString("; " + m + "\n")
		case 2:
			s.WriteString("\n")
		case 3:
			s.WriteString(" \t" + m + " \t\n")
		default:
			s.WriteString(m + "\n")
		}
	}
	return s.String()
}

func modprobeFile(rng *rand.Rand, mods []string) string {
	cmds := []string{"/bin/true", "/bin/false", "/usr/bin/false", "true", "/sbin/modprobe --ignore-install %s", "echo  two  spaces", "/bin/true # a comment"}
	var s strings.Builder
	for k := rng.IntN(7); k >= 0; k-- {
		m := spell(rng, mods[rng.IntN(len(mods))])
		pat := m
		switch rng.IntN(6) {
		case 0:
			pat = m[:len(m)-1] + "*"
		case 1:
			pat = m[:len(m)-2] + "?" + m[len(m)-1:]
		case 2:
			pat = m[:len(m)-1] + "[0-4]"
		}
		switch rng.IntN(12) {
		case 0, 1, 2:
			fmt.Fprintf(&s, "blacklist %s%s\n", m, []string{"", " extra words", "\t"}[rng.IntN(3)])
		case 3, 4, 5:
			c := cmds[rng.IntN(len(cmds))]
			if strings.Contains(c, "%s") {
				c = fmt.Sprintf(c, m)
			}
			fmt.Fprintf(&s, "install %s %s\n", pat, c)
		case 6:
			fmt.Fprintf(&s, "install %s \\\n  /bin/false\n", m)
		case 7:
			fmt.Fprintf(&s, "  # blacklist %s\n#install %s /bin/true\n", m, m)
		case 8:
			fmt.Fprintf(&s, "options %s x=1\nalias glv_alias_%d %s\nsoftdep %s pre: glv_m01\n", m, k, m, m)
		case 9:
			s.WriteString([]string{"blacklist\n", "install glv_m03\n", "blacklist glv[_m\n", "install a]b /bin/true\n", "\tblacklist\t" + m + "\n"}[rng.IntN(5)])
		case 10:
			fmt.Fprintf(&s, "black\\\nlist %s\n", m)
		default:
			s.WriteString("\n")
		}
	}
	return s.String()
}

// compareWorld runs the references in a namespace over the world and
// compares them with golive, returning the counts compared and agreeing.
func compareWorld(t *testing.T, w world) (modules, files, agree int) {
	var ns testenv.Namespace
	ns.Tmpfs = []string{"/run", "/usr/local/lib"}
	for _, d := range diffDirs {
		ns.Binds = append(ns.Binds, testenv.Bind{Source: filepath.Join(w.root, d), Target: d, ReadOnly: true})
	}
	var script strings.Builder
	script.WriteString("systemd-analyze cat-config modules-load.d 2>&1\necho @@showconfig\nmodprobe --showconfig -d \"$1\" -S " + diffRelease + " 2>/dev/null | grep -E '^(blacklist|install) '\n")
	for _, m := range w.modules {
		fmt.Fprintf(&script, "echo @@module %s\nmodprobe -d \"$1\" -S %s -n -v -b --first-time %s 2>&1; echo \"@@rc $?\"\n", m, diffRelease, testenv.Quote(m))
	}
	out, err := ns.Output("sh", "-c", script.String(), "sh", w.root)
	if err != nil {
		t.Fatalf("namespace: %v", err)
	}
	parts := strings.Split(string(out), "@@showconfig\n")
	if len(parts) != 2 {
		t.Fatalf("reference output %q", out)
	}
	h, err := host.New(w.root)
	if err != nil {
		t.Fatal(err)
	}
	b := bootOf(h)
	// 1. The files modules-load.d's merge reads, masked ones included.
	refFiles, refListed := parseCatConfig(parts[0])
	var got []string
	for _, f := range b.Files {
		got = append(got, f.Path)
		if f.Dir && !strings.Contains(parts[0], "Failed to cat "+f.Path+": Is a directory") {
			t.Errorf("%s: systemd-analyze did not fail on the directory %s", w.root, f.Path)
		}
	}
	files = len(refFiles)
	if !slices.Equal(got, refFiles) {
		t.Errorf("%s: modules-load.d files\n golive %q\n systemd-analyze %q\n%s", w.root, got, refFiles, parts[0])
	}
	// 2. The blacklist and install lines kmod keeps, in its order.
	rest := strings.SplitN(parts[1], "@@module ", 2)
	var ref []string
	for _, l := range strings.Split(strings.TrimSpace(rest[0]), "\n") {
		if l != "" {
			ref = append(ref, l)
		}
	}
	var mine []string
	for _, d := range b.Modprobe.Blacklist {
		mine = append(mine, "blacklist "+d.Module)
	}
	for _, d := range b.Modprobe.Install {
		mine = append(mine, "install "+d.Module+" "+d.Command)
	}
	if !sameLines(mine, ref) {
		t.Errorf("%s: modprobe.d lines\n golive %q\n modprobe --showconfig %q", w.root, mine, ref)
	}
	// 3. Each module's verdict.
	if len(rest) != 2 {
		t.Fatalf("no module output: %q", parts[1])
	}
	for _, block := range strings.Split("@@module "+rest[1], "@@module ")[1:] {
		name, body, _ := strings.Cut(block, "\n")
		modules++
		norm := Normalize(name)
		r := classify(body)
		v := judgeBoot(h, b, norm)
		listed := refListed[norm]
		wantLoads := r.builtin || listed && (r.insmod || r.install != "" && !Refuses(r.install))
		var bad []string
		if v.builtin != r.builtin {
			bad = append(bad, fmt.Sprintf("built in: golive %v, modprobe %v", v.builtin, r.builtin))
		}
		if (len(v.listed) > 0) != listed {
			bad = append(bad, fmt.Sprintf("listed: golive %q, systemd-analyze %v", v.listed, listed))
		}
		if (v.missing != "") != r.notFound {
			bad = append(bad, fmt.Sprintf("no such module: golive %q, modprobe %v", v.missing, r.notFound))
		}
		if !r.builtin && !r.notFound {
			if (v.blacklist != nil) != r.blacklisted {
				bad = append(bad, fmt.Sprintf("blacklisted: golive %v, modprobe %v", v.blacklist, r.blacklisted))
			}
			gotInstall := ""
			if v.install != nil && v.blacklist == nil {
				gotInstall = strings.TrimSpace(v.install.Command)
			}
			if gotInstall != r.install {
				bad = append(bad, fmt.Sprintf("install: golive %q (%+v), modprobe %q", gotInstall, v.install, r.install))
			}
		}
		if v.willLoad() != wantLoads {
			bad = append(bad, fmt.Sprintf("loads at boot: golive %v, reference %v", v.willLoad(), wantLoads))
		}
		if len(bad) > 0 {
			t.Errorf("%s %s: %s\nmodprobe said: %q", w.root, name, strings.Join(bad, "; "), body)
			continue
		}
		agree++
	}
	return modules, files, agree
}

// parseCatConfig reads systemd-analyze cat-config's output: a "# path"
// header per file, then its lines; it returns the paths (the world's
// root is where they are) and the modules the lines name.
func parseCatConfig(out string) (paths []string, listed map[string]bool) {
	listed = map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		if p, ok := strings.CutPrefix(l, "# /"); ok {
			paths = append(paths, "/"+p)
			continue
		}
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' || l[0] == ';' {
			continue
		}
		listed[Normalize(l)] = true
	}
	return paths, listed
}

// probeRef is what modprobe -n -v -b --first-time did with one module.
type probeRef struct {
	builtin, blacklisted, insmod, notFound bool
	install                                string
}

func classify(body string) probeRef {
	var r probeRef
	rc := ""
	var lines []string
	for _, l := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(l, "@@rc "); ok {
			rc = v
			continue
		}
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "libkmod: ERROR") {
			lines = append(lines, l)
		}
	}
	switch {
	case rc == "1" && len(lines) > 0 && strings.Contains(lines[len(lines)-1], "Module already in kernel"):
		r.builtin = true
	case rc == "1" && len(lines) > 0 && strings.Contains(lines[len(lines)-1], "not found in directory"):
		r.notFound = true
	case rc == "0" && len(lines) == 0:
		r.blacklisted = true
	case len(lines) > 0 && strings.HasPrefix(lines[len(lines)-1], "install "):
		r.install = strings.TrimSpace(strings.TrimPrefix(lines[len(lines)-1], "install "))
	case len(lines) > 0 && strings.HasPrefix(lines[len(lines)-1], "insmod "):
		r.insmod = true
	}
	return r
}

func sameLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.TrimSpace(a[i]) != strings.TrimSpace(b[i]) {
			return false
		}
	}
	return true
}
