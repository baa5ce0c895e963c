package remediate

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFileModeAppliesUnderRootOnce: a file-mode action changes the file
// inside ROOT (an absolute symlink followed inside it), only what differs,
// and a second run changes nothing; a missing file stops the script.
func TestFileModeAppliesUnderRootOnce(t *testing.T) {
	root := newRoot(t)
	writeFile(t, root, "etc/app/conf", "x\n")
	if err := os.Chmod(filepath.Join(root, "etc/app/conf"), 0o4777); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/app/conf", filepath.Join(root, "etc/app/link")); err != nil {
		t.Fatal(err)
	}
	owner := ""
	if os.Geteuid() == 0 {
		owner = "4242" // chown needs root; it runs first, then chmod
	}
	in := testInput(fix("file/mode:/etc/app/link", SetFileMode("/etc/app/link", "0640", owner, owner)))
	script := renderBash(t, in)
	bashSyntax(t, script)

	dry := runScript(t, script, root, t.TempDir(), "DRY_RUN=1")
	if fi, _ := os.Stat(filepath.Join(root, "etc/app/conf")); dry.code != 0 || fi.Mode()&os.ModePerm != 0o777 {
		t.Fatalf("DRY_RUN: exit %d, mode %v\n%s", dry.code, fi.Mode(), dry.stderr)
	}
	first := runScript(t, script, root, t.TempDir())
	if first.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", first.code, first.stdout, first.stderr)
	}
	fi, err := os.Stat(filepath.Join(root, "etc/app/conf"))
	if err != nil || fi.Mode() != 0o640 {
		t.Fatalf("mode %v (%v), want 0640\n%s", fi.Mode(), err, first.stdout)
	}
	if owner != "" {
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != 4242 || st.Gid != 4242 {
			t.Errorf("owner %d:%d, want 4242:4242", st.Uid, st.Gid)
		}
	}
	second := runScript(t, script, root, t.TempDir())
	if second.code != 0 || !strings.Contains(second.stdout, "done: 0 file(s) changed") {
		t.Errorf("second run: exit %d\n%s", second.code, second.stdout)
	}

	missing := renderBash(t, testInput(fix("file/mode:/etc/none", SetFileMode("/etc/none", "0600", "", ""))))
	if r := runScript(t, missing, root, t.TempDir()); r.code == 0 || !strings.Contains(r.stderr+r.stdout, "does not exist") {
		t.Errorf("missing file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Lstat(filepath.Join(root, "etc/none")); err == nil {
		t.Error("created the missing file")
	}
}

func TestFileModeValidation(t *testing.T) {
	for _, a := range []Action{
		SetFileMode("/etc/x", "", "", ""),
		SetFileMode("/etc/x", "999", "", ""),
		SetFileMode("/etc/x", "0640x", "", ""),
		SetFileMode("/etc/x", "", "root", ""),
		SetFileMode("/etc/x", "", "", "-1"),
		SetFileMode("/etc/x", "", "4294967295", ""),
		SetFileMode("etc/x", "0640", "", ""),
		SetFileMode("/etc/../x", "0640", "", ""),
	} {
		if checkAction(a, false) == nil {
			t.Errorf("%+v accepted", a)
		}
	}
	if err := checkAction(SetFileMode("/etc/x", "4755", "0", "10"), false); err != nil {
		t.Error(err)
	}
	if err := VetReportAction("file/mode:/etc/x", "file", SetFileMode("/etc/x", "0640", "", "")); err != nil {
		t.Error(err)
	}
	if err := VetReportAction("sysctl/x", "sysctl", SetFileMode("/etc/x", "0640", "", "")); err == nil {
		t.Error("a sysctl check may not change file modes")
	}
}
