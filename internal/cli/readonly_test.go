package cli_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// Syscalls that change a filesystem. open/openat are judged by their flags.
const modifying = "creat,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat,rmdir," +
	"chmod,fchmod,fchmodat,chown,fchown,fchownat,lchown,truncate,ftruncate,symlink,symlinkat," +
	"link,linkat,setxattr,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr,mknod,mknodat,utimensat,mount,umount2"

var openForWriting = regexp.MustCompile(`open(at)?\(.*(O_WRONLY|O_RDWR|O_CREAT|O_TRUNC)`)

// TestCheckNeverWritesToTheHost traces a whole `golive check` — on this
// machine and on a fixture root, with the demo service's profile — and fails on any syscall that could change
// a file. It proves DESIGN.md's promise for the real binary, not for a
// particular code path.
func TestCheckNeverWritesToTheHost(t *testing.T) {
	strace := testenv.NeedCommand(t, "strace", "strace")
	roots := []string{"/", filepath.Join(repoRoot(t), "testdata/roots/rocky-9")}
	for _, root := range roots {
		t.Run(root, func(t *testing.T) {
			trace := filepath.Join(t.TempDir(), "trace")
			cmd := exec.Command(strace, "-f", "-qq", "-o", trace,
				"-e", "trace=open,openat,"+modifying,
				golive, "check", "--root", root, "--format", "json", "--offline",
				// The demo service's profile adds the families the built-in
				// profiles leave out (file, user, group, package).
				"--config", filepath.Join(repoRoot(t), "testdata/golive-demo.yaml"))
			cmd.Dir = t.TempDir()
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
				t.Fatalf("strace golive check: %v\n%s", err, out)
			}
			data, err := os.ReadFile(trace)
			if err != nil {
				t.Fatal(err)
			}
			opens := 0
			for _, line := range strings.Split(string(data), "\n") {
				if strings.Contains(line, "open") {
					opens++
				}
				if openForWriting.MatchString(line) || containsSyscall(line, modifying) {
					t.Errorf("golive check changed the filesystem: %s", line)
				}
			}
			if opens == 0 {
				t.Fatalf("trace saw no open at all; strace did not trace golive:\n%s", data)
			}
		})
	}
}

func containsSyscall(line, list string) bool {
	// strace lines look like "1234 unlinkat(AT_FDCWD, ...) = 0".
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return false
	}
	name, _, _ := strings.Cut(fields[1], "(")
	for _, s := range strings.Split(list, ",") {
		if name == s {
			return true
		}
	}
	return false
}

// repoRoot is the module root (tests run in internal/cli).
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "..", "..")
}
