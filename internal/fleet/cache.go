package fleet

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
)

// How a host got its golive binary (HostResult.Cache).
const (
	CacheHit    = "hit"    // the host's cache had this exact binary
	CacheStored = "stored" // it was sent and stored in the host's cache
	CacheTemp   = "temp"   // the cache was unusable: sent into the temp dir
	CacheOff    = "off"    // --no-cache: sent, uncompressed, into the temp dir
)

// Exit codes of the remote cache commands; golive check exits 0-3, sudo 1,
// a shell 126/127, so these mean only what they say here.
const (
	exitCacheMiss     = 97 // the cached file is missing or its hash is wrong
	exitCacheUnusable = 96 // no cache dir can be made or written, or no sha256sum/gzip
)

// cacheDir is the host's per-user cache of golive binaries, as a shell
// word for double quotes: the XDG base directory of the login user.
const cacheDir = `${XDG_CACHE_HOME:-$HOME/.cache}/golive`

// binary is a golive executable to send: its SHA-256 (the cache key and
// what the host verifies) and, made once when a host first lacks it, its
// gzip stream.
type binary struct {
	path string
	sum  string // lower-case hex

	gzOnce sync.Once
	gz     []byte
	gzErr  error
}

var (
	binariesMu sync.Mutex
	binaries   = map[string]*binary{} // by path and size/mtime: once per process
)

// loadBinary hashes the file at path, once per process and version of the
// file.
func loadBinary(path string) (*binary, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%s\x00%d\x00%d", path, fi.Size(), fi.ModTime().UnixNano())
	binariesMu.Lock()
	defer binariesMu.Unlock()
	if b := binaries[key]; b != nil {
		return b, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	b := &binary{path: path, sum: hex.EncodeToString(h.Sum(nil))}
	binaries[key] = b
	return b, nil
}

// compressed is the binary as a gzip stream, made on first use: a run
// whose hosts all have it never compresses.
func (b *binary) compressed() ([]byte, error) {
	b.gzOnce.Do(func() {
		data, err := os.ReadFile(b.path)
		if err != nil {
			b.gzErr = err
			return
		}
		var buf bytes.Buffer
		buf.Grow(len(data) / 2)
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(data); err != nil {
			b.gzErr = err
			return
		}
		if b.gzErr = zw.Close(); b.gzErr == nil {
			b.gz = buf.Bytes()
		}
	})
	return b.gz, b.gzErr
}

// cachedExec is the shell prelude that sets f to the cached binary and
// runs what follows it only when the file's content hashes to sum; else
// the command exits exitCacheMiss. The name alone is never trusted: the
// hash is checked on every run, right before exec.
func (b *binary) cachedExec(then string) string {
	return `c="` + cacheDir + `"; f="$c/golive-` + b.sum + `"; ` +
		`if [ -O "$c" ] && [ -f "$f" ] && s=$(sha256sum < "$f" 2>/dev/null) && [ "${s%% *}" = ` + b.sum + ` ]; then ` + then + `; fi; exit ` + fmt.Sprint(exitCacheMiss)
}

// storeCommand reads the gzip stream on stdin into the cache: decompressed
// under a temp name in the cache dir (mode 0700), verified, then renamed,
// so no other run ever sees a partial or wrong file. It exits
// exitCacheUnusable, before reading anything, when the cache cannot be
// used at all (not writable, not the user's, no sha256sum or gzip), and 1
// when writing failed (a full disk), removing its temp file.
func (b *binary) storeCommand() string {
	return `umask 077; c="` + cacheDir + `"; ` +
		`command -v sha256sum >/dev/null 2>&1 && command -v gzip >/dev/null 2>&1 || exit ` + fmt.Sprint(exitCacheUnusable) + `; ` +
		`mkdir -p "$c" 2>/dev/null && chmod 0700 "$c" 2>/dev/null && [ -O "$c" ] && t=$(mktemp "$c/.golive-` + b.sum + `.XXXXXXXX" 2>/dev/null) || exit ` + fmt.Sprint(exitCacheUnusable) + `; ` +
		`if gzip -dc > "$t" && s=$(sha256sum < "$t") && [ "${s%% *}" = ` + b.sum + ` ] && chmod 0700 "$t" && mv -f "$t" "$c/golive-` + b.sum + `"; then exit 0; fi; ` +
		`rm -f "$t"; echo "could not write $t (disk full?)" >&2; exit 1`
}
