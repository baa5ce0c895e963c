package cabundle

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/host"
)

// goCertFiles and goCertDirs are where a Go program on Linux looks for
// trusted roots (depcheck keeps the list, from crypto/x509 root_linux.go): the
// first file it can read, then every file of every directory. SSL_CERT_FILE
// replaces the file list with one file and SSL_CERT_DIR (colon-separated)
// the directory list (root_unix.go, loadSystemRoots).
var (
	goCertFiles = depcheck.GoCertFiles
	goCertDirs  = depcheck.GoCertDirs
)

// The environment variables Go (and OpenSSL) read.
const (
	envCertFile = "SSL_CERT_FILE"
	envCertDir  = "SSL_CERT_DIR"
)

// maxDirFiles bounds the files read from one certificate directory
// (Ubuntu's /etc/ssl/certs holds about 300 entries).
const maxDirFiles = 4096

// goRoots are the roots a Go program on the host trusts, loaded from the
// root exactly as crypto/x509 loads them on Linux.
type goRoots struct {
	// certFile and certDir are SSL_CERT_FILE and SSL_CERT_DIR as set in
	// the program's environment ("" when unset).
	certFile, certDir string
	// file is the file Go reads ("" when none could be read); Files are
	// the candidates in order.
	file  string
	files []string
	// dirs are the directories read.
	dirs []string
	// fileCerts counts the distinct certificates taken from File; Certs are all the
	// certificates taken, without duplicates, in load order.
	fileCerts int
	certs     []*cert
	pool      *x509.CertPool
	// problems are files Go could not read (it skips them too).
	problems []string
}

// loadGoRoots loads the roots a Go program with the given SSL_CERT_FILE
// and SSL_CERT_DIR values ("" for unset) would load on h, reading files
// with read, which may cache. The pool is built certificate by certificate
// from parseBundle's Go-usable ones, which is what
// CertPool.AppendCertsFromPEM takes from the same bytes.
func loadGoRoots(h *host.Host, read func(string) (*bundle, error), certFile, certDir string) *goRoots {
	r := &goRoots{certFile: certFile, certDir: certDir, files: goCertFiles, dirs: goCertDirs, pool: x509.NewCertPool()}
	if certFile != "" {
		r.files = []string{certFile}
	}
	if certDir != "" {
		r.dirs = strings.Split(certDir, ":")
	}
	seen := map[[32]byte]bool{}
	for _, f := range r.files {
		b, err := readGo(read, f)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				r.problems = append(r.problems, err.Error())
			}
			continue
		}
		r.file = f
		r.add(b, seen)
		r.fileCerts = b.goDistinct()
		break
	}
	for _, d := range r.dirs {
		r.readDir(h, read, d, seen)
	}
	return r
}

// readGo reads a file as Go would; Go accepts only absolute names here in
// effect (relative ones resolve against the service's working directory,
// which golive does not know).
func readGo(read func(string) (*bundle, error), p string) (*bundle, error) {
	if !path.IsAbs(p) {
		return nil, fmt.Errorf("%s: relative path (resolved against the service's working directory)", p)
	}
	return read(p)
}

func (r *goRoots) add(b *bundle, seen map[[32]byte]bool) {
	for _, c := range b.certs {
		if !c.goUsable {
			continue
		}
		if !seen[c.sha256] {
			seen[c.sha256] = true
			r.certs = append(r.certs, c)
			r.pool.AddCert(c.Certificate)
		}
	}
}

// readDir reads every entry of dir except symlinks to a name in the same
// directory (Go's readUniqueDirectoryEntries: Ubuntu's <hash>.0 links).
func (r *goRoots) readDir(h *host.Host, read func(string) (*bundle, error), dir string, seen map[[32]byte]bool) {
	if !path.IsAbs(dir) {
		return
	}
	entries, err := h.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			r.problems = append(r.problems, err.Error())
		}
		return
	}
	if len(entries) > maxDirFiles {
		r.problems = append(r.problems, fmt.Sprintf("%s: %d entries, only the first %d read", dir, len(entries), maxDirFiles))
		entries = entries[:maxDirFiles]
	}
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		if e.Type()&fs.ModeSymlink != 0 {
			if t, err := h.Readlink(p); err == nil && !strings.Contains(t, "/") {
				continue
			}
		}
		b, err := read(p)
		if err != nil {
			continue // Go skips what it cannot read, silently
		}
		r.add(b, seen)
	}
}

// describe says in one line where the roots came from.
func (r *goRoots) describe() string {
	var s string
	switch {
	case r.file != "" && r.certFile != "":
		s = fmt.Sprintf("%s (SSL_CERT_FILE)", r.file)
	case r.file != "":
		s = r.file
	case r.certFile != "":
		s = fmt.Sprintf("no file (SSL_CERT_FILE=%s cannot be read)", r.certFile)
	default:
		s = "no file (none of Go's candidates exists)"
	}
	dirs := strings.Join(r.dirs, ", ")
	if r.certDir != "" {
		dirs += " (SSL_CERT_DIR)"
	}
	return fmt.Sprintf("%s plus the files in %s: %d certificates", s, dirs, len(r.certs))
}
