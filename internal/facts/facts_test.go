package facts

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

func TestOSReleaseIsReadOncePerRun(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/os-release"), []byte("ID=rocky\nVERSION_ID=\"9.4\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log host.ReadLog
	h, err := host.New(root, host.WithReadLog(&log))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		rel, err := OSRelease(h)
		if err != nil || rel.ID != "rocky" || rel.VersionID != "9.4" {
			t.Fatalf("OSRelease = %+v, %v", rel, err)
		}
	}
	if n := log.Counts()["/etc/os-release"]; n != 1 {
		t.Fatalf("/etc/os-release read %d times, want 1", n)
	}
}

type ownKey struct{}

func TestMemoKeysDoNotCollide(t *testing.T) {
	h, err := host.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a := Memo(h, ownKey{}, func(*host.Host) int { return 1 })
	b := Memo(h, osReleaseKey{}, func(*host.Host) string { return "x" })
	if a != 1 || b != "x" {
		t.Fatalf("Memo = %v, %v", a, b)
	}
	if again := Memo(h, ownKey{}, func(*host.Host) int { return 2 }); again != 1 {
		t.Fatalf("second Memo of a key = %d, want the first value 1", again)
	}
}
