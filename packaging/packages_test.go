package packaging_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// The files every package installs, wherever the formats agree.
var commonFiles = []string{
	"usr/bin/golive",
	"usr/share/bash-completion/completions/golive",
	"usr/share/fish/vendor_completions.d/golive.fish",
	"usr/share/doc/golive/README.md",
	"usr/share/doc/golive/LICENSE",
	"usr/share/doc/golive/docs/report.schema.json",
	"usr/share/doc/golive/docs/profile.schema.json",
	"usr/share/man/man5/golive.yaml.5.gz",
	"usr/share/doc/golive/docs/examples/ansible/golive.yml",
	"usr/share/doc/golive/docs/examples/ansible/roles/golive/tasks/main.yml",
	"usr/share/doc/golive/docs/examples/kubernetes/daemonset.yaml",
}

// zsh reads vendor completions from a different directory on each family.
var zshCompletion = map[string]string{
	"deb": "usr/share/zsh/vendor-completions/_golive",
	"rpm": "usr/share/zsh/site-functions/_golive",
}

func TestDebPackages(t *testing.T) {
	dpkgDeb := testenv.NeedCommand(t, "dpkg-deb", "dpkg")
	dir := dist(t)
	for _, a := range arches {
		t.Run(a.deb, func(t *testing.T) {
			deb := filepath.Join(dir, "golive_"+pkgVersion+"_"+a.deb+".deb")
			fields := map[string]string{
				"Package":      "golive",
				"Version":      pkgVersion,
				"Architecture": a.deb,
				"Homepage":     "https://github.com/golive-sh/golive",
				"Section":      "admin",
			}
			for field, want := range fields {
				if got := run(t, dpkgDeb, "--field", deb, field); strings.TrimSpace(got) != want {
					t.Errorf("%s: %q, want %q", field, strings.TrimSpace(got), want)
				}
			}
			info := run(t, dpkgDeb, "--info", deb)
			if !strings.Contains(info, " Maintainer: ") || !strings.Contains(info, " Description: ") {
				t.Errorf("dpkg-deb --info lacks a maintainer or description:\n%s", info)
			}
			if strings.Contains(info, "Depends:") {
				t.Errorf("a static binary's package depends on something:\n%s", info)
			}
			listing := run(t, dpkgDeb, "--contents", deb)
			if !strings.Contains(listing, "-rwxr-xr-x root/root") || !strings.Contains(listing, " ./usr/bin/golive\n") {
				t.Errorf("./usr/bin/golive is not listed as a root-owned 0755 file:\n%s", listing)
			}
			tree := t.TempDir()
			run(t, dpkgDeb, "-x", deb, tree)
			checkTree(t, tree, "deb", a.goarch, listing)
		})
	}
}

func TestRpmPackages(t *testing.T) {
	rpm := testenv.NeedCommand(t, "rpm", "rpm")
	rpm2cpio := testenv.NeedCommand(t, "rpm2cpio", "rpm")
	cpio := testenv.NeedCommand(t, "cpio", "cpio")
	dir := dist(t)
	for _, a := range arches {
		t.Run(a.rpm, func(t *testing.T) {
			pkg := filepath.Join(dir, "golive-"+pkgVersion+"-1."+a.rpm+".rpm")
			// rpm opens a database even to query a file; keep it off this
			// machine's (Debian's rpm would create ~/.rpmdb).
			db := "--dbpath=" + t.TempDir()
			got := run(t, rpm, db, "-qp", "--queryformat", "%{NAME}|%{VERSION}|%{RELEASE}|%{ARCH}|%{LICENSE}|%{URL}|%{BUILDHOST}", pkg)
			// A fixed build host: the builder's name would make rebuilds differ.
			want := "golive|" + pkgVersion + "|1|" + a.rpm + "|Apache-2.0|https://github.com/golive-sh/golive|golive-dist"
			if got != want {
				t.Errorf("rpm -qp: %q, want %q", got, want)
			}
			for _, req := range strings.Split(strings.TrimSpace(run(t, rpm, db, "-qp", "--requires", pkg)), "\n") {
				if req != "" && !strings.HasPrefix(req, "rpmlib(") {
					t.Errorf("a static binary's package requires %q", req)
				}
			}
			listing := run(t, rpm, db, "-qpl", pkg)
			modes := run(t, rpm, db, "-qp", "--queryformat", "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILENAMES}\n]", pkg)
			if !strings.Contains(modes, "-rwxr-xr-x root /usr/bin/golive\n") {
				t.Errorf("/usr/bin/golive is not a root-owned 0755 file:\n%s", modes)
			}
			tree := t.TempDir()
			cmd := exec.Command("sh", "-c", `"$1" "$2" | "$3" -idm --quiet --no-absolute-filenames`, "sh", rpm2cpio, pkg, cpio)
			cmd.Dir = tree
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("rpm2cpio | cpio: %v\n%s", err, out)
			}
			checkTree(t, tree, "rpm", a.goarch, listing)
		})
	}
}

// checkTree checks an extracted package: every file in place and listed by
// the format's own tool, the binary static and stamped, a man page per
// command, completions as the binary writes them, the documentation.
func checkTree(t *testing.T, tree, format, goarch, listing string) {
	t.Helper()
	files := append([]string{zshCompletion[format]}, commonFiles...)
	docs, _ := filepath.Glob("../docs/*.md")
	for _, d := range docs {
		files = append(files, "usr/share/doc/golive/docs/"+filepath.Base(d))
	}
	for _, p := range manPages(t) {
		files = append(files, "usr/share/man/man1/"+p+".gz")
	}
	for _, f := range files {
		st, err := os.Stat(filepath.Join(tree, f))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", f, err)
		}
		if !strings.Contains(listing, "/"+f+"\n") {
			t.Errorf("%s is not in the package's own listing", f)
		}
	}
	if extra := extraManPages(t, tree); len(extra) > 0 {
		t.Errorf("man pages of no command: %v", extra)
	}
	checkManPages(t, tree)

	bin := filepath.Join(tree, "usr/bin/golive")
	if st, err := os.Stat(bin); err == nil && st.Mode().Perm() != 0o755 {
		t.Errorf("usr/bin/golive mode %v, want 0755", st.Mode().Perm())
	}
	for _, a := range arches {
		if a.goarch == goarch {
			checkStaticELF(t, bin, a.machine)
		}
	}
	if goarch != runtime.GOARCH {
		return // cannot run here; its ELF machine was checked
	}
	checkVersion(t, bin)
	completions := map[string]string{
		"bash": "usr/share/bash-completion/completions/golive",
		"zsh":  zshCompletion[format],
		"fish": "usr/share/fish/vendor_completions.d/golive.fish",
	}
	for shell, path := range completions {
		want, err := exec.Command(bin, "completion", shell).Output()
		if err != nil {
			t.Fatalf("golive completion %s: %v", shell, err)
		}
		got, _ := os.ReadFile(filepath.Join(tree, path))
		if string(got) != string(want) || !strings.Contains(string(got), "golive") {
			t.Errorf("%s is not what `golive completion %s` writes", path, shell)
		}
	}
}

// run runs a command and returns its standard output, failing on error.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("%s %v: %v\n%s", name, args, err, ee.Stderr)
		}
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}
