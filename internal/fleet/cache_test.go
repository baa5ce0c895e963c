package fleet

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/sshclient"
	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

// cacheLab is a remoteLab whose fake golive records the mode of the dir it
// runs in and prints a passing report; pad makes the binary that many
// bytes bigger (a comment line).
func cacheLab(t *testing.T, so sshdtest.Options, pad int) (*remoteLab, string) {
	t.Helper()
	l := newRemoteLabWith(t, so)
	rep := filepath.Join(l.dir, "report.json")
	os.WriteFile(rep, hostReport(t, "h", id(1), t0, "", "sysctl/x=pass"), 0o644)
	record := filepath.Join(l.dir, "record")
	l.fake(t, "#"+strings.Repeat("x", pad)+"\nstat -c %a . > "+sshclient.Quote(record)+" && cat "+sshclient.Quote(rep)+"\n")
	return l, record
}

func (l *remoteLab) binarySum(t *testing.T) (string, []byte) {
	t.Helper()
	for _, p := range l.opts.Binaries {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		return hex.EncodeToString(sum[:]), data
	}
	t.Fatal("no binary")
	return "", nil
}

// leftovers lists what is in the host's cache dir besides want.
func leftovers(t *testing.T, dir, want string) []string {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if e.Name() != want {
			out = append(out, e.Name())
		}
	}
	return out
}

// Issue 18 §1: the first run sends the binary (compressed) into the
// host's cache, the second finds it there and sends almost nothing; the
// cache dir is 0700, the file is the binary, no temp file is left; the
// profile's temp dir is 0700 and removed (remoteLab.run checks that).
func TestCacheSendsTheBinaryOnce(t *testing.T) {
	l, record := cacheLab(t, sshdtest.Options{}, 256<<10)
	sum, data := l.binarySum(t)
	first := l.run(t)
	if first.Kind != KindOK || first.Cache != CacheStored {
		t.Fatalf("first run: %s %q cache %q, want ok stored", first.Kind, first.Err, first.Cache)
	}
	dir := filepath.Join(l.server.Cache, "golive")
	cached := filepath.Join(dir, "golive-"+sum)
	got, err := os.ReadFile(cached)
	if err != nil || string(got) != string(data) {
		t.Fatalf("cached file %s: %v (%d bytes, want the binary's %d)", cached, err, len(got), len(data))
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache dir mode %v (%v), want 0700", fi.Mode(), err)
	}
	if left := leftovers(t, dir, "golive-"+sum); len(left) > 0 {
		t.Errorf("left in the cache dir: %v", left)
	}
	if mode, _ := os.ReadFile(record); strings.TrimSpace(string(mode)) != "700" {
		t.Errorf("the temp dir golive ran in has mode %q, want 700", mode)
	}
	second := l.run(t)
	if second.Kind != KindOK || second.Cache != CacheHit {
		t.Fatalf("second run: %s %q cache %q, want ok hit", second.Kind, second.Err, second.Cache)
	}
	t.Logf("bytes sent: first run %d, cached run %d (binary %d)", first.BytesSent, second.BytesSent, len(data))
	if second.BytesSent > 64<<10 || second.BytesSent >= first.BytesSent {
		t.Errorf("cached run sent %d bytes (first %d): the binary was sent again", second.BytesSent, first.BytesSent)
	}
	// Compressed: the padding compresses to almost nothing.
	if first.BytesSent > int64(len(data))/2 {
		t.Errorf("first run sent %d bytes for a %d-byte binary of mostly padding: not compressed", first.BytesSent, len(data))
	}
}

// A cached file whose content is not the binary (corrupted, or planted
// under the right name) is never run: it is replaced.
func TestCacheReplacesAWrongFile(t *testing.T) {
	l, _ := cacheLab(t, sshdtest.Options{}, 0)
	sum, data := l.binarySum(t)
	dir := filepath.Join(l.server.Cache, "golive")
	os.MkdirAll(dir, 0o700)
	cached := filepath.Join(dir, "golive-"+sum)
	marker := filepath.Join(l.dir, "planted-ran")
	for name, content := range map[string]string{
		"planted": "#!/bin/sh\ntouch " + sshclient.Quote(marker) + "\n",
		"cut":     string(data[:len(data)/2]),
	} {
		if err := os.WriteFile(cached, []byte(content), 0o700); err != nil {
			t.Fatal(err)
		}
		res := l.run(t)
		if res.Kind != KindOK || res.Cache != CacheStored {
			t.Errorf("%s: %s %q cache %q, want ok stored", name, res.Kind, res.Err, res.Cache)
		}
		if got, _ := os.ReadFile(cached); string(got) != string(data) {
			t.Errorf("%s: the cached file was not replaced", name)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("%s: the wrong file was run", name)
		}
	}
}

// A cache dir that cannot be made falls back to sending the binary into
// the temp dir, every run; the host is still checked.
func TestCacheUnusableFallsBackToTheTempDir(t *testing.T) {
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	os.WriteFile(notADir, nil, 0o644)
	l, _ := cacheLab(t, sshdtest.Options{Env: []string{"XDG_CACHE_HOME=" + notADir}}, 0)
	for range 2 {
		res := l.run(t)
		if res.Kind != KindOK || res.Cache != CacheTemp {
			t.Errorf("%s %q cache %q, want ok temp", res.Kind, res.Err, res.Cache)
		}
	}
}

// A full disk (here RLIMIT_FSIZE on the host's sshd) fails the upload: the
// host is a remote failure saying so, the partial file is removed, and so
// is the temp dir.
func TestCacheDiskFullFailsTheHost(t *testing.T) {
	l, _ := cacheLab(t, sshdtest.Options{FileSizeLimit: 64 << 10}, 256<<10)
	res := l.run(t)
	if res.Kind != KindRemote || !strings.Contains(res.Err, "cache") {
		t.Fatalf("%s %q, want a remote failure of the cache upload", res.Kind, res.Err)
	}
	if left := leftovers(t, filepath.Join(l.server.Cache, "golive"), ""); len(left) > 0 {
		t.Errorf("left in the cache dir: %v", left)
	}
}

// --no-cache: the binary goes into the temp dir as it is, the cache is
// not touched.
func TestNoCache(t *testing.T) {
	l, _ := cacheLab(t, sshdtest.Options{}, 0)
	l.opts.NoCache = true
	res := l.run(t)
	if res.Kind != KindOK || res.Cache != CacheOff {
		t.Fatalf("%s %q cache %q, want ok off", res.Kind, res.Err, res.Cache)
	}
	if _, err := os.Stat(filepath.Join(l.server.Cache, "golive")); !os.IsNotExist(err) {
		t.Errorf("--no-cache made the cache dir (%v)", err)
	}
}
