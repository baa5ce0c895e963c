// Package hosttest builds small root filesystems for tests of check
// families: a map of path to content becomes a temp root and a Host on it.
package hosttest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

// Root writes files under a new temp dir and returns a Host rooted there.
// Paths are relative to the root; a content of "->target" makes a symlink.
func Root(t testing.TB, files map[string]string, opts ...host.Option) *host.Host {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h, err := host.New(root, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Fixture returns a Host on testdata/roots/<name>, found from the test's
// package directory by walking up to the module root.
func Fixture(t testing.TB, name string, opts ...host.Option) *host.Host {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	h, err := host.New(filepath.Join(dir, "testdata", "roots", name), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
