package sshclient

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
	"golang.org/x/sys/unix"
)

// HostKeys verifies host keys against a known_hosts file, the way OpenSSH
// does with StrictHostKeyChecking=yes, or =accept-new when AcceptNew is
// set. There is deliberately no way to skip verification.
type HostKeys struct {
	file      string
	acceptNew bool
	db        ssh.HostKeyCallback

	mu       sync.Mutex
	accepted map[string]ssh.PublicKey // by knownhosts.Normalize(address)
}

// HostKeyError is a refused host key: unknown, changed or revoked.
type HostKeyError struct {
	Addr    string // as known_hosts writes it: host or [host]:port
	Changed bool
	Msg     string
}

func (e *HostKeyError) Error() string { return e.Msg }

// NewHostKeys loads file. A missing file is an empty one: every host is
// then unknown, and accept-new creates the file.
func NewHostKeys(file string, acceptNew bool) (*HostKeys, error) {
	var files []string
	if _, err := os.Stat(file); err == nil {
		files = append(files, file)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("known hosts: %w", err)
	}
	db, err := knownhosts.New(files...)
	if err != nil {
		return nil, fmt.Errorf("known hosts %s: %w", file, err)
	}
	return &HostKeys{file: file, acceptNew: acceptNew, db: db, accepted: map[string]ssh.PublicKey{}}, nil
}

// Callback verifies the key a server presents for address (host:port).
func (k *HostKeys) Callback(address string, remote net.Addr, key ssh.PublicKey) error {
	norm := knownhosts.Normalize(address)
	k.mu.Lock()
	prev, ok := k.accepted[norm]
	k.mu.Unlock()
	if ok {
		if string(prev.Marshal()) == string(key.Marshal()) {
			return nil
		}
		return &HostKeyError{Addr: norm, Changed: true, Msg: fmt.Sprintf(
			"host key for %s CHANGED during this run: it now presents %s %s, was %s",
			norm, key.Type(), ssh.FingerprintSHA256(key), ssh.FingerprintSHA256(prev))}
	}
	err := k.db(address, remote, key)
	var ke *knownhosts.KeyError
	var re *knownhosts.RevokedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &re):
		return &HostKeyError{Addr: norm, Changed: true, Msg: fmt.Sprintf(
			"host key for %s (%s %s) is revoked in %s:%d", norm, key.Type(), ssh.FingerprintSHA256(key), re.Revoked.Filename, re.Revoked.Line)}
	case errors.As(err, &ke) && len(ke.Want) > 0:
		w := ke.Want[0]
		return &HostKeyError{Addr: norm, Changed: true, Msg: fmt.Sprintf(
			"host key for %s has CHANGED: it presents %s %s, but %s:%d records %s %s. "+
				"This may be a man-in-the-middle attack; if the host was reinstalled, remove the old key "+
				"(ssh-keygen -R '%s' -f %s) and connect again",
			norm, key.Type(), ssh.FingerprintSHA256(key), w.Filename, w.Line, w.Key.Type(), ssh.FingerprintSHA256(w.Key), norm, k.file)}
	case errors.As(err, &ke):
		if !k.acceptNew {
			return &HostKeyError{Addr: norm, Msg: fmt.Sprintf(
				"host %s is not in %s (it presents %s %s): verify the fingerprint and add it "+
					"(ssh-keyscan, or one interactive ssh login), or pass --accept-new-host-keys to trust keys of hosts not yet known",
				norm, k.file, key.Type(), ssh.FingerprintSHA256(key))}
		}
		return k.accept(norm, key)
	default:
		return fmt.Errorf("known hosts: %w", err)
	}
}

// accept records an unknown host's key: in memory for the rest of this run
// (the cleanup connection sees the same key) and appended to the file
// under an exclusive lock, since parallel connections and other golive
// processes may append at the same time.
func (k *HostKeys) accept(norm string, key ssh.PublicKey) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if prev, ok := k.accepted[norm]; ok && string(prev.Marshal()) != string(key.Marshal()) {
		return &HostKeyError{Addr: norm, Changed: true, Msg: fmt.Sprintf("host %s presented two different keys during this run", norm)}
	}
	if err := os.MkdirAll(filepath.Dir(k.file), 0o700); err != nil {
		return fmt.Errorf("known hosts: %w", err)
	}
	f, err := os.OpenFile(k.file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("known hosts: %w", err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", k.file, err)
	}
	// A file that does not end in a newline would glue our line to its last.
	prefix := ""
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		last := make([]byte, 1)
		if r, err := os.Open(k.file); err == nil {
			if _, err := r.ReadAt(last, fi.Size()-1); err == nil && last[0] != '\n' {
				prefix = "\n"
			}
			r.Close()
		}
	}
	if _, err := f.WriteString(prefix + knownhosts.Line([]string{norm}, key) + "\n"); err != nil {
		return fmt.Errorf("known hosts: %w", err)
	}
	k.accepted[norm] = key
	return nil
}

// Accepted lists the hosts whose keys this run added to the file.
func (k *HostKeys) Accepted() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]string, 0, len(k.accepted))
	for a := range k.accepted {
		out = append(out, a)
	}
	return out
}

// Algorithms are the host key algorithms to offer for address: first
// those of the keys known_hosts records for it, so a server with several
// host keys presents the one we know (x/crypto's default order would ask
// for ECDSA first and report a known Ed25519 host as changed), then the
// other supported ones, so a host that has only a key of another type is
// refused as a host key mismatch rather than failing to negotiate. Nil for
// an unknown host: the default list.
func (k *HostKeys) Algorithms(address string) []string {
	probe := probeKey{}
	err := k.db(address, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, probe)
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) || len(ke.Want) == 0 {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(algos ...string) {
		for _, a := range algos {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	for _, w := range ke.Want {
		add(algorithmsFor(w.Key.Type())...)
	}
	add(ssh.SupportedAlgorithms().HostKeys...)
	return out
}

func algorithmsFor(keyType string) []string {
	switch keyType {
	case ssh.KeyAlgoRSA:
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	case ssh.CertAlgoRSAv01:
		return []string{ssh.CertAlgoRSASHA512v01, ssh.CertAlgoRSASHA256v01, ssh.CertAlgoRSAv01}
	}
	return []string{keyType}
}

// probeKey is a key no known_hosts line can hold, used to learn which keys
// are recorded for an address.
type probeKey struct{}

func (probeKey) Type() string                        { return "golive-probe" }
func (probeKey) Marshal() []byte                     { return []byte("golive-probe") }
func (probeKey) Verify([]byte, *ssh.Signature) error { return errors.New("probe key") }
