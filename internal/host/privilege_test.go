package host_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

// TestNeedsRootOnlyForPermissionErrorsAsNonRoot pins which failures are
// "needs root": a permission error (EACCES, EPERM, however wrapped) and only
// while golive is not root.
func TestNeedsRootOnlyForPermissionErrorsAsNonRoot(t *testing.T) {
	denied := &fs.PathError{Op: "open", Path: "/etc/shadow", Err: syscall.EACCES}
	for _, tt := range []struct {
		name string
		euid int
		err  error
		want bool
	}{
		{"EACCES as non-root", 1000, denied, true},
		{"EPERM as non-root", 1000, &fs.PathError{Op: "open", Path: "/proc/1/environ", Err: syscall.EPERM}, true},
		{"wrapped as non-root", 1000, fmt.Errorf("read mount table: %w", denied), true},
		{"fs.ErrPermission as non-root", 1000, fs.ErrPermission, true},
		{"EACCES as root", 0, denied, false},
		{"missing as non-root", 1000, &fs.PathError{Op: "open", Path: "/x", Err: syscall.ENOENT}, false},
		{"other error as non-root", 1000, errors.New("permission denied"), false},
		{"no error as non-root", 1000, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := hosttest.Root(t, nil, host.WithEUID(tt.euid))
			if got := h.NeedsRoot(tt.err); got != tt.want {
				t.Errorf("NeedsRoot(%v) with euid %d = %v, want %v", tt.err, tt.euid, got, tt.want)
			}
		})
	}
}

const nonRootEnv = "GOLIVE_HOST_NONROOT_ROOT"

// TestNeedsRootOfARealRead: a file only root may read, read by nobody
// through the host, is "needs root" and skips with the standard message.
// As root, the test binary runs itself as nobody.
func TestNeedsRootOfARealRead(t *testing.T) {
	if root := os.Getenv(nonRootEnv); root != "" {
		readAsNonRoot(t, root)
		return
	}
	root := filepath.Join(t.TempDir(), "root")
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/shadow"), []byte("root:*:20000::::::\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		readAsNonRoot(t, root)
		return
	}
	hosttest.RerunAsNobody(t, []string{nonRootEnv + "=" + root}, root)
}

func readAsNonRoot(t *testing.T, root string) {
	if os.Geteuid() == 0 {
		t.Fatal("meant to run unprivileged")
	}
	h, err := host.New(root)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.ReadFile("/etc/shadow")
	if !h.NeedsRoot(err) {
		t.Fatalf("NeedsRoot(%v) = false for a root-only file read as uid %d", err, os.Geteuid())
	}
	res := engine.SkipNeedsRoot(engine.Result{Observed: "kept"}, err)
	if want := "needs root: open /etc/shadow: permission denied"; res.Status != engine.Skip || res.Message != want || res.Observed != "kept" {
		t.Errorf("SkipNeedsRoot = %s %q (observed %q), want skip %q keeping what the check knew", res.Status, res.Message, res.Observed, want)
	}
}
