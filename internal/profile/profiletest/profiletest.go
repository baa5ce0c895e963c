// Package profiletest resolves profiles written by tests: every family's
// tests build their checks from a small YAML profile.
package profiletest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

// Resolve writes yaml as golive.yaml in a temp dir and resolves it as a
// standalone profile; a profile error fails the test.
func Resolve(t testing.TB, yaml string) *profile.Profile {
	t.Helper()
	return ResolveNamed(t, "golive.yaml", yaml)
}

// ResolveNamed is Resolve with the file's name, which errors and Where
// strings carry.
func ResolveNamed(t testing.TB, name, yaml string) *profile.Profile {
	t.Helper()
	p, err := ResolveErr(t, name, yaml)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ResolveErr writes yaml as name in a temp dir and returns what resolving
// it gives, for tests of profile errors.
func ResolveErr(t testing.TB, name, yaml string) (*profile.Profile, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return profile.Resolve(profile.Request{Profile: path})
}

// FixtureProfile is the built-in profile each fixture root under
// testdata/roots resolves to.
var FixtureProfile = map[string]string{
	"centos-7": "centos-7", "ubuntu-22.04": "ubuntu-22.04", "rocky-9": "rocky-9", "broken": "linux",
}

// Extending resolves a profile that extends the built-in profile base
// with extra YAML on top.
func Extending(t testing.TB, base, extra string) *profile.Profile {
	t.Helper()
	return Resolve(t, "extends: "+base+"\n"+extra)
}

// Detected resolves the profile golive would pick for h (its os-release
// decides), with config YAML (empty for none) as the service's file.
func Detected(t testing.TB, h *host.Host, config string) *profile.Profile {
	t.Helper()
	rel, _ := h.OSRelease()
	req := profile.Request{OS: rel}
	if config != "" {
		req.Config = filepath.Join(t.TempDir(), "golive.yaml")
		if err := os.WriteFile(req.Config, []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := profile.Resolve(req)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
