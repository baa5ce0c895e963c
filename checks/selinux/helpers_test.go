package selinux

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/engine/enginetest"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
)

// testProfile resolves a profile file written to a temp dir; it may extend
// a built-in one to get its facts.
func testProfile(t *testing.T, yaml string) *profile.Profile {
	t.Helper()
	return profiletest.ResolveNamed(t, "p.yaml", yaml)
}

func plan(t *testing.T, p *profile.Profile) []engine.Check {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}

// run runs checks on h and keys the results by ID.
func run(t *testing.T, h *host.Host, checks []engine.Check) map[string]engine.Result {
	t.Helper()
	return enginetest.ResultsByID(t, h, checks)
}

func runProfile(t *testing.T, h *host.Host, yaml string) map[string]engine.Result {
	t.Helper()
	return run(t, h, plan(t, testProfile(t, yaml)))
}

// want asserts a status and words of the message.
func want(t *testing.T, r engine.Result, status engine.Status, words ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: %s %q (observed %q), want %s", r.ID, r.Status, r.Message, r.Observed, status)
		return
	}
	for _, w := range words {
		if !strings.Contains(r.Message, w) {
			t.Errorf("%s: message %q lacks %q", r.ID, r.Message, w)
		}
	}
}

// steps renders a plan's actions one per string: "command: semanage
// fcontext -a ...", "file-line: /etc/selinux/config SELINUX=enforcing",
// "drop-in: /.autorelabel", "manual".
func steps(p *remediate.Plan) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, a := range p.Actions {
		switch a.Kind {
		case remediate.Command:
			out = append(out, "command: "+strings.Join(a.Argv, " "))
		case remediate.FileLine:
			out = append(out, "file-line: "+a.Path+" "+a.Line)
		case remediate.DropIn:
			out = append(out, "drop-in: "+a.Path)
		default:
			out = append(out, string(a.Kind))
		}
	}
	return out
}

// setLabel writes security.selinux on a file of a test root (without
// following a last symlink), or skips the test when the file system or the
// kernel refuses: not root, no extended attributes, or an SELinux kernel
// that rejects a context its policy does not know.
func setLabel(t *testing.T, h *host.Host, name, label string) {
	t.Helper()
	err := unix.Lsetxattr(filepath.Join(h.Root(), name), labelXattr, []byte(label+"\x00"), 0)
	switch {
	case err == nil:
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES), errors.Is(err, unix.ENOTSUP), errors.Is(err, unix.EINVAL):
		t.Skipf("the file system refuses to store %s on %s (%v): label tests need root and a file system with extended attributes (ext4, xfs, tmpfs)", labelXattr, name, err)
	default:
		t.Fatal(err)
	}
}

// copyTree copies a fixture root (files and symlinks) into a new temp dir
// so a test can add files and labels to it; the fixture is never touched.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, 0o644)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// permissionDenied plays a non-root run: reading name answers EACCES.
func permissionDenied(name string) reader {
	return func(h *host.Host, p string, limit int64) ([]byte, error) {
		if p == name {
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
		}
		return h.ReadFileLimit(p, limit)
	}
}
