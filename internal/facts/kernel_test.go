package facts

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

// rootWith makes a root holding files (path relative to the root -> text)
// and a host on it that logs its reads.
func rootWith(t *testing.T, files map[string]string) (*host.Host, *host.ReadLog) {
	t.Helper()
	root := t.TempDir()
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	log := &host.ReadLog{}
	h, err := host.New(root, host.WithReadLog(log))
	if err != nil {
		t.Fatal(err)
	}
	return h, log
}

// concurrently calls f from 16 goroutines, as the checks of a run do.
func concurrently(f func()) {
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	wg.Wait()
}

func wantReadOnce(t *testing.T, log *host.ReadLog, names ...string) {
	t.Helper()
	c := log.Counts()
	for _, n := range names {
		if c[n] != 1 {
			t.Errorf("%s read %d times, want 1", n, c[n])
		}
	}
}

func TestIdentityAndKernelFactsReadOncePerRun(t *testing.T) {
	h, log := rootWith(t, map[string]string{
		"proc/sys/kernel/hostname":  "db1\n",
		"proc/sys/kernel/osrelease": "5.14.0-427.el9.x86_64\n",
		"proc/sys/kernel/arch":      "x86_64\n",
		"etc/os-release":            "ID=rocky\nVERSION_ID=9.4\n",
		"etc/machine-id":            "0123456789abcdef0123456789abcdef\n",
	})
	concurrently(func() {
		if rel, err := KernelRelease(h); rel != "5.14.0-427.el9.x86_64" || err != nil {
			t.Errorf("KernelRelease = %q, %v", rel, err)
		}
		if a, err := Arch(h); a != "x86_64" || err != nil {
			t.Errorf("Arch = %q, %v", a, err)
		}
		if n, err := Hostname(h); n != "db1" || err != nil {
			t.Errorf("Hostname = %q, %v", n, err)
		}
		id := Identity(h)
		if id.Hostname != "db1" || id.Kernel != "5.14.0-427.el9.x86_64" || id.Arch != "x86_64" || id.OS.ID != "rocky" || len(id.Problems) != 0 {
			t.Errorf("Identity = %+v", id)
		}
	})
	wantReadOnce(t, log, "/proc/sys/kernel/hostname", "/proc/sys/kernel/osrelease", "/proc/sys/kernel/arch", "/etc/os-release")
	// Identity's hostname and machine-id are the host's own readers'.
	if got, want := Identity(h), h.Identity(); got.Hostname != want.Hostname || got.MachineID != want.MachineID || got.Kernel != want.Kernel || got.Arch != want.Arch || got.OS.ID != want.OS.ID {
		t.Errorf("facts.Identity %+v, host.Identity %+v", got, want)
	}
}

// An error is a fact too: a missing file is tried once per run, and
// Identity names it as host.Identity does.
func TestKernelFactErrorsAreMemoised(t *testing.T) {
	h, log := rootWith(t, map[string]string{"etc/hostname": "img\n"})
	for range 3 {
		if _, err := KernelRelease(h); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("KernelRelease err = %v", err)
		}
	}
	wantReadOnce(t, log, "/proc/sys/kernel/osrelease")
	id := Identity(h)
	if id.Hostname != "img" || id.Kernel != "" || len(id.Problems) != len(h.Identity().Problems) {
		t.Errorf("Identity = %+v", id)
	}
}
