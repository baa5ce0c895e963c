package file

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/secontext"
	"github.com/golive-sh/golive/internal/testenv"
)

func setLabel(t *testing.T, root, name, label string) {
	t.Helper()
	err := unix.Lsetxattr(filepath.Join(root, name), secontext.Xattr, []byte(label+"\x00"), 0)
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) || errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EINVAL) {
		testenv.Missing(t, fmt.Sprintf("the file system refuses %s (%v): label tests need root and a file system with extended attributes", secontext.Xattr, err))
	} else if err != nil {
		t.Fatal(err)
	}
}

// file/selinux: the label's type or the whole context, of the file the
// path leads to; a fix that makes the type the policy's rule.
func TestSELinuxAspect(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/app/conf": "x\n", "etc/app/link": "->conf", "etc/app/bare": "y\n",
	})
	setLabel(t, h.Root(), "etc/app/conf", "system_u:object_r:etc_t:s0")
	got := runYAML(t, h, "extends: none\nfile:\n"+
		"  /etc/app/conf: {selinux: etc_t}\n"+
		"  /etc/app/link: {selinux: \"system_u:object_r:etc_t:s0\"}\n"+
		"  /etc/app/bare: {selinux: etc_t}\n"+
		"  /etc/app/wrong: {exists: true}\n")
	if r := got["file/selinux:/etc/app/conf"]; r.Status != engine.Pass || r.Observed != "etc_t" {
		t.Errorf("conf: %+v", r)
	}
	if r := got["file/selinux:/etc/app/link"]; r.Status != engine.Pass {
		t.Errorf("a symlink is judged by the file it leads to: %+v", r)
	}
	r := got["file/selinux:/etc/app/bare"]
	if r.Status != engine.Fail || r.Observed != "unlabeled" || r.Remediation == nil ||
		strings.Join(r.Remediation.Actions[0].Argv, " ") != "semanage fcontext -a -t etc_t /etc/app/bare" {
		t.Errorf("bare: %+v %+v", r, r.Remediation)
	}
	setLabel(t, h.Root(), "etc/app/bare", "unconfined_u:object_r:user_home_t:s0")
	got = runYAML(t, h, "extends: none\nfile:\n  /etc/app/bare: {selinux: etc_t}\n")
	if r := got["file/selinux:/etc/app/bare"]; r.Status != engine.Fail || !strings.Contains(r.Message, "has type user_home_t (unconfined_u:object_r:user_home_t:s0), not etc_t") {
		t.Errorf("relabel: %+v", r)
	}
	for _, bad := range []string{"etc t", "a:b", "system_u:object_r:"} {
		p, err := profiletest.ResolveErr(t, "p.yaml", "extends: none\nfile:\n  /x: {selinux: \""+bad+"\"}\n")
		if err == nil {
			_, err = build(p.Section(kind), p)
		}
		if err == nil || !strings.Contains(err.Error(), "file./x.selinux") || !strings.Contains(err.Error(), "p.yaml:3") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// The label golive reads agrees with libselinux's getfilecon (python3-
// selinux), which follows symlinks the same way, on generated trees of
// labeled files and relative symlink chains.
func TestSELinuxLabelAgreesWithLibselinux(t *testing.T) {
	py := "/usr/bin/python3" // Debian's, where python3-selinux is installed
	if err := exec.Command(py, "-c", "import selinux").Run(); err != nil {
		testenv.Missing(t, "python3 cannot import selinux: install the Debian package python3-selinux")
	}
	r := rand.New(rand.NewPCG(23, 12))
	types := []string{"etc_t", "bin_t", "var_lib_t", "httpd_sys_content_t", "usr_t"}
	for i := range 20 {
		files := map[string]string{}
		for j := range 4 {
			files[fmt.Sprintf("d/f%d", j)] = "x\n"
		}
		for j := range 3 {
			files[fmt.Sprintf("d/l%d", j)] = fmt.Sprintf("->%s", []string{"f0", "f1", "f2", "f3", "l0", "l1"}[r.IntN(4+j)])
		}
		h := hosttest.Root(t, files)
		for j := range 4 {
			if r.IntN(5) > 0 {
				setLabel(t, h.Root(), fmt.Sprintf("d/f%d", j), "system_u:object_r:"+types[r.IntN(len(types))]+":s0")
			}
		}
		for j := range 3 {
			name := fmt.Sprintf("/d/l%d", j)
			got := runYAML(t, h, "extends: none\nfile:\n  "+name+": {selinux: etc_t}\n")["file/selinux:"+name]
			out, err := exec.Command(py, "-c", "import selinux,sys\ntry:\n print(selinux.getfilecon(sys.argv[1])[1])\nexcept OSError:\n print('unlabeled')",
				filepath.Join(h.Root(), name)).Output()
			if err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSpace(string(out))
			observed := got.Details["label"]
			if got.Observed == "unlabeled" {
				observed = "unlabeled"
			}
			if fmt.Sprint(observed) != want {
				t.Errorf("case %d %s: golive %v (%s), getfilecon %q", i, name, observed, got.Message, want)
			}
		}
	}
}
