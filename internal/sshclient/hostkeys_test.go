package sshclient

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

var loopback = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2222}

func TestHostKeys(t *testing.T) {
	dir := t.TempDir()
	known := sshdtest.NewKey(t, dir, "known").Public
	other := sshdtest.NewKey(t, dir, "other").Public
	file := filepath.Join(dir, "known_hosts")
	content := "# comment\n" + knownhosts.Line([]string{"127.0.0.1:2222"}, known) + "\n" + knownhosts.Line([]string{"db1"}, known) + "\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := NewHostKeys(file, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Callback("127.0.0.1:2222", loopback, known); err != nil {
		t.Errorf("known key refused: %v", err)
	}
	if err := k.Callback("db1:22", loopback, known); err != nil {
		t.Errorf("known key on port 22 (plain host form) refused: %v", err)
	}

	err = k.Callback("127.0.0.1:2222", loopback, other)
	var he *HostKeyError
	if !errors.As(err, &he) || !he.Changed {
		t.Fatalf("changed key: %v, want a changed-key refusal", err)
	}
	for _, want := range []string{file + ":2", ssh.FingerprintSHA256(other), ssh.FingerprintSHA256(known), "[127.0.0.1]:2222"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), string(ssh.MarshalAuthorizedKey(other))[:40]) {
		t.Error("the refusal prints the key itself, not its fingerprint")
	}

	err = k.Callback("127.0.0.1:2223", loopback, other)
	if !errors.As(err, &he) || he.Changed || !strings.Contains(err.Error(), "--accept-new-host-keys") {
		t.Errorf("unknown host: %v, want an unknown-host refusal naming --accept-new-host-keys", err)
	}
	if data, _ := os.ReadFile(file); string(data) != content {
		t.Error("known_hosts changed without accept-new")
	}
	if algos := k.Algorithms("127.0.0.1:2222"); len(algos) < 2 || algos[0] != ssh.KeyAlgoED25519 {
		t.Errorf("algorithms for a known Ed25519 host: %v, want Ed25519 first, then the others", algos)
	}
	if algos := k.Algorithms("127.0.0.1:9"); algos != nil {
		t.Errorf("algorithms for an unknown host: %v, want the default (nil)", algos)
	}
}

// accept-new records unknown hosts, refuses changed ones, and parallel
// acceptances each append one whole line.
func TestHostKeysAcceptNew(t *testing.T) {
	dir := t.TempDir()
	known := sshdtest.NewKey(t, dir, "known").Public
	file := filepath.Join(dir, "ssh", "known_hosts") // neither dir nor file exists yet
	k, err := NewHostKeys(file, true)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	keys := make([]ssh.PublicKey, n)
	for i := range keys {
		keys[i] = sshdtest.NewKey(t, dir, fmt.Sprint("k", i)).Public
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := k.Callback(fmt.Sprintf("10.0.0.%d:22", i), loopback, keys[i]); err != nil {
				t.Errorf("accept-new refused an unknown host: %v", err)
			}
		}()
	}
	wg.Wait()
	// Within the run, the accepted key is the key: a different one is refused.
	if err := k.Callback("10.0.0.1:22", loopback, known); err == nil {
		t.Error("a second, different key for a just-accepted host was accepted")
	}
	// A fresh load of the file knows every host.
	again, err := NewHostKeys(file, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := again.Callback(fmt.Sprintf("10.0.0.%d:22", i), loopback, keys[i]); err != nil {
			t.Errorf("host %d not recorded: %v", i, err)
		}
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("known_hosts mode %v, want 0600", fi.Mode().Perm())
	}
	if len(k.Accepted()) != n {
		t.Errorf("Accepted() lists %d hosts, want %d", len(k.Accepted()), n)
	}
}

func TestHostKeysAcceptNewNeverOverridesAChangedKey(t *testing.T) {
	dir := t.TempDir()
	known := sshdtest.NewKey(t, dir, "known").Public
	other := sshdtest.NewKey(t, dir, "other").Public
	file := filepath.Join(dir, "known_hosts")
	// No trailing newline: the appended line must not be glued to it.
	os.WriteFile(file, []byte(knownhosts.Line([]string{"db1"}, known)), 0o600)
	k, _ := NewHostKeys(file, true)
	var he *HostKeyError
	if err := k.Callback("db1:22", loopback, other); !errors.As(err, &he) || !he.Changed {
		t.Errorf("accept-new took a changed key: %v", err)
	}
	if err := k.Callback("db2:22", loopback, other); err != nil {
		t.Fatal(err)
	}
	again, err := NewHostKeys(file, false)
	if err != nil {
		t.Fatalf("known_hosts unreadable after an append: %v", err)
	}
	if again.Callback("db1:22", loopback, known) != nil || again.Callback("db2:22", loopback, other) != nil {
		t.Error("append broke an existing line or lost the new one")
	}
}
