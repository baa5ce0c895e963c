package sshclient

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

func TestNewAuthErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewAuth(nil, "", dir); err == nil || !strings.Contains(err.Error(), "no ssh key") {
		t.Errorf("no key anywhere: %v", err)
	}
	garbage := filepath.Join(dir, "garbage")
	os.WriteFile(garbage, []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0IG1hdGVyaWFs\n-----END OPENSSH PRIVATE KEY-----\n"), 0o600)
	_, err := NewAuth([]string{garbage}, "", dir)
	if err == nil || strings.Contains(err.Error(), "c2VjcmV0") {
		t.Errorf("garbage key: %v (must fail without quoting the file)", err)
	}

	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(dir, ".ssh", "id_ed25519")
	os.MkdirAll(filepath.Dir(locked), 0o700)
	os.WriteFile(locked, pem.EncodeToMemory(block), 0o600)
	if _, err := NewAuth([]string{locked}, "", dir); err == nil || !strings.Contains(err.Error(), "ssh-add") {
		t.Errorf("explicit passphrase-protected key: %v, want advice to use ssh-agent", err)
	}
	// The same file as a default identity is skipped with a note; with
	// nothing else to offer, that is "no ssh key".
	if _, err := NewAuth(nil, "", dir); err == nil || !strings.Contains(err.Error(), "no ssh key") {
		t.Errorf("only a locked default key: %v", err)
	}
	sshdtest.NewKey(t, filepath.Join(dir, ".ssh"), "id_rsa")
	a, err := NewAuth(nil, "", dir)
	if err != nil || len(a.signers) != 1 || len(a.Notes) != 1 || !strings.Contains(a.Notes[0], "passphrase") {
		t.Errorf("default keys: %v, %d signers, notes %q; want the plain key used and the locked one noted", err, len(a.signers), a.Notes)
	}
}
