package packaging_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// hostArch is this machine's entry in arches: only its packages can be
// installed and their binary run here.
func hostArch(t *testing.T) (deb, rpm string) {
	t.Helper()
	for _, a := range arches {
		if a.goarch == runtime.GOARCH {
			return a.deb, a.rpm
		}
	}
	t.Skipf("make dist builds no package for %s", runtime.GOARCH)
	return "", ""
}

// The .deb installs with dpkg itself — into an empty root of the test's
// own, never this machine's — runs, and removes without leaving a file.
func TestDebInstallsAndRemovesCleanly(t *testing.T) {
	dpkg := testenv.NeedCommand(t, "dpkg", "dpkg")
	debArch, _ := hostArch(t)
	deb := filepath.Join(dist(t), "golive_"+pkgVersion+"_"+debArch+".deb")
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/updates", "var/lib/dpkg/info"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// --root keeps dpkg's files and database under root; --log keeps it
	// out of /var/log/dpkg.log.
	dpkgIn := func(args ...string) string {
		return run(t, dpkg, append([]string{"--root=" + root, "--force-not-root", "--force-script-chrootless", "--log=/dev/null"}, args...)...)
	}
	dpkgIn("--install", deb)
	if status := dpkgIn("--status", "golive"); !strings.Contains(status, "Status: install ok installed") {
		t.Fatalf("dpkg --status after install:\n%s", status)
	}
	checkVersion(t, filepath.Join(root, "usr/bin/golive"))
	dpkgIn("--purge", "golive")
	if left := filesUnder(t, root, "var/lib/dpkg"); len(left) > 0 {
		t.Errorf("files left after dpkg --purge: %v", left)
	}
}

// The .rpm installs with rpm itself into an empty root, runs, and erases
// without leaving a file. rpm --root chroots, which needs root.
func TestRpmInstallsAndRemovesCleanly(t *testing.T) {
	rpm := testenv.NeedCommand(t, "rpm", "rpm")
	_, rpmArch := hostArch(t)
	if os.Geteuid() != 0 {
		t.Skip("rpm --root chroots into the test's root: run as root (CI does)")
	}
	pkg := filepath.Join(dist(t), "golive-"+pkgVersion+"-1."+rpmArch+".rpm")
	root := t.TempDir()
	rpmIn := func(args ...string) string {
		return run(t, rpm, append([]string{"--root=" + root, "--dbpath=/var/lib/rpm"}, args...)...)
	}
	rpmIn("--initdb")
	rpmIn("--install", pkg)
	if got := rpmIn("--query", "golive"); strings.TrimSpace(got) != "golive-"+pkgVersion+"-1."+rpmArch {
		t.Fatalf("rpm --query after install: %q", got)
	}
	checkVersion(t, filepath.Join(root, "usr/bin/golive"))
	rpmIn("--erase", "golive")
	if left := filesUnder(t, root, "var/lib/rpm"); len(left) > 0 {
		t.Errorf("files left after rpm --erase: %v", left)
	}
}

// filesUnder lists the regular files under root, but for the package
// manager's own database in db.
func filesUnder(t *testing.T, root, db string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == db && d.IsDir() {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
