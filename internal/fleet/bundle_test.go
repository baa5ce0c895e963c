package fleet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBundleResolvesOnTheHost lays the bundle out as the host gets it and
// resolves it there: every extended file was copied and every extends
// points at its copy, so the chain is the same as locally.
func TestBundleResolvesOnTheHost(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "team/base profile.yaml", "extends: auto   # the detected distro\nsysctl:\n  net.core.somaxconn: \">= 1024\"\n")
	writeFile(t, local, "team/strict.yaml", "# stricter\nextends: \"base profile.yaml\"\nsysctl:\n  vm.swappiness: \"<= 10\"\n")
	cfg := writeFile(t, local, "svc/golive.yaml", "extends: ../team/strict.yaml\nsysctl:\n  net.core.somaxconn: \">= 4096\"\n")
	prof := writeFile(t, local, "base.yaml", "extends: rocky-9\n")

	b, err := NewBundle(prof, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Files) != 4 {
		t.Fatalf("%d files bundled, want 4: %+v", len(b.Files), b.Files)
	}
	remote := t.TempDir()
	for _, f := range b.Files {
		writeFile(t, remote, f.Remote, string(f.Data))
	}
	rocky := host.OSRelease{ID: "rocky", VersionID: "9.3"}
	want, err := profile.Resolve(profile.Request{Profile: prof, Config: cfg, OS: rocky})
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(remote) // the remote golive runs in its temp dir
	got, err := profile.Resolve(profile.Request{Profile: b.Profile, Config: b.Config, OS: rocky})
	if err != nil {
		t.Fatalf("the bundle does not resolve on the host: %v", err)
	}
	if strings.Join(got.Chain, ",") != strings.Join(want.Chain, ",") {
		t.Errorf("chain on the host %v, locally %v", got.Chain, want.Chain)
	}
	wy, _ := want.YAML()
	gy, _ := got.YAML()
	if string(wy) != string(gy) {
		t.Errorf("merged profile differs on the host:\n%s\nlocally:\n%s", gy, wy)
	}
	// Only the extends line changes, so the host's file:line messages
	// point into the user's file.
	for _, f := range b.Files {
		orig, _ := os.ReadFile(f.Local)
		if strings.Count(string(orig), "\n") != strings.Count(string(f.Data), "\n") {
			t.Errorf("%s: line count changed in the copy:\n%s", f.Local, f.Data)
		}
	}
}

func TestBundleBuiltinsAndNothing(t *testing.T) {
	b, err := NewBundle("rocky-9", "")
	if err != nil || len(b.Files) != 0 || b.Profile != "rocky-9" || b.Config != "" {
		t.Errorf("built-in profile: %+v %v; want nothing copied", b, err)
	}
}

func TestBundleRefusesAnExtendsItCannotRewrite(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "base.yaml", "sysctl: {}\n")
	cfg := writeFile(t, dir, "flow.yaml", "{extends: base.yaml, sysctl: {}}\n")
	if _, err := NewBundle("auto", cfg); err == nil || !strings.Contains(err.Error(), "own line") {
		t.Errorf("flow-style extends: %v, want a clear refusal", err)
	}
}
