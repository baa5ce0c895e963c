package disk

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

func listing(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		fi, _ := e.Info()
		names = append(names, e.Name()+" "+fi.Mode().String())
	}
	return names
}

// The probe measures in a temp file it creates and removes: the directory
// lists the same before and after, also when the run is cancelled mid-probe.
func TestFsyncProbeLeavesNothingBehind(t *testing.T) {
	h, _ := host.New("/")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "data"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := listing(t, dir)
	c := &fsyncCheck{rule: rule{Path: dir, Store: storeEtcd}, set: defaults()}
	res := c.Run(context.Background(), h)
	if res.Status == engine.Error || res.Status == engine.Skip || !strings.Contains(res.Observed, "p99") {
		t.Fatalf("probe: %s %s %s", res.Status, res.Observed, res.Message)
	}
	if w := res.Details["writes"].(int); w < 1 || w > probeWrites {
		t.Errorf("%d writes", w)
	}
	if got := listing(t, dir); !slices.Equal(got, before) {
		t.Errorf("listing after the probe %v, before %v", got, before)
	}
	// Cancelled after a few writes.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(5 * time.Millisecond); cancel() }()
	lat, err := h.FsyncProbe(ctx, dir, 1_000_000, probeBlock, time.Minute)
	if err == nil {
		t.Errorf("a cancelled probe returned no error after %d writes", len(lat))
	}
	if got := listing(t, dir); !slices.Equal(got, before) {
		t.Errorf("listing after a cancelled probe %v, before %v", got, before)
	}
	// Cancelled before it starts, through the check.
	done, stop := context.WithCancel(context.Background())
	stop()
	if res := c.Run(done, h); res.Status != engine.Error || !strings.Contains(res.Message, "removed") {
		t.Errorf("cancelled check: %s %s", res.Status, res.Message)
	}
	if got := listing(t, dir); !slices.Equal(got, before) {
		t.Errorf("listing after a cancelled check %v, before %v", got, before)
	}
	// Writes at most a few MiB.
	if probeWrites*probeBlock > 4<<20 {
		t.Errorf("the probe may write %d bytes", probeWrites*probeBlock)
	}
}

// On a tmpfs (no device to wait for) the probe passes, in a mount
// namespace of the test's own.
func TestFsyncProbeOnTmpfs(t *testing.T) {
	testenv.NeedNamespaces(t)
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ns := testenv.Namespace{Tmpfs: []string{dir}}
	cmd := ns.Command(self, "-test.run=^TestFsyncProbeInsideTmpfs$")
	cmd.Env = append(os.Environ(), "GOLIVE_DISK_FSYNC_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("%v: %s", err, out)
	}
	if got := listing(t, dir); len(got) != 0 {
		t.Errorf("the tmpdir under the namespace's tmpfs holds %v", got)
	}
}

// TestFsyncProbeInsideTmpfs runs inside TestFsyncProbeOnTmpfs's namespace.
func TestFsyncProbeInsideTmpfs(t *testing.T) {
	dir := os.Getenv("GOLIVE_DISK_FSYNC_DIR")
	if dir == "" {
		t.Skip("run by TestFsyncProbeOnTmpfs inside its mount namespace")
	}
	h, _ := host.New("/")
	res := (&fsyncCheck{rule: rule{Path: dir, Store: storeEtcd}, set: defaults()}).Run(context.Background(), h)
	if res.Status != engine.Pass {
		t.Fatalf("tmpfs: %s %s %s", res.Status, res.Observed, res.Message)
	}
	if got := listing(t, dir); len(got) != 0 {
		t.Errorf("left %v", got)
	}
}

// Under --root the probe never writes.
func TestFsyncProbeSkipsUnderRoot(t *testing.T) {
	dir := t.TempDir()
	h, _ := host.New(dir)
	res := (&fsyncCheck{rule: rule{Path: "/", Store: storeEtcd}, set: defaults()}).Run(context.Background(), h)
	if res.Status != engine.Skip {
		t.Errorf("%s %s", res.Status, res.Message)
	}
	if _, err := h.FsyncProbe(context.Background(), dir, 10, 10, time.Second); err == nil {
		t.Error("probe ran under --root")
	}
	if got := listing(t, dir); len(got) != 0 {
		t.Errorf("left %v", got)
	}
}
