package cli_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// complete asks golive for completions as the shell scripts do, through
// cobra's hidden __complete command, and returns the candidates (without
// descriptions) and the directive line.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	code, out, errb := runInProcess(t, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %v: exit %d %s", args, code, errb)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var got []string
	for _, l := range lines[:len(lines)-1] {
		v, _, _ := strings.Cut(l, "\t")
		got = append(got, v)
	}
	return got, lines[len(lines)-1]
}

func wantAll(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: %q missing from %q", what, w, got)
		}
	}
}

func wantNone(t *testing.T, what string, got []string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if slices.Contains(got, w) {
			t.Errorf("%s: %q should not be offered: %q", what, w, got)
		}
	}
}

// --only and --skip complete the categories and IDs of the profile the
// command line resolves: the root's distro, --profile, --config.
func TestCompleteSelectionFromTheResolvedProfile(t *testing.T) {
	rocky, centos := "../../testdata/roots/rocky-9", "../../testdata/roots/centos-7"
	for _, cmd := range []string{"check", "list", "remediate", "explain"} {
		got, dir := complete(t, cmd, "--root", rocky, "--only", "sys")
		wantAll(t, cmd+" --only sys", got, "sysctl", "sysctl/net.core.somaxconn", "sysctl/fs.nr_open")
		wantNone(t, cmd+" --only sys", got, "os/eol", "selinux/mode")
		if dir != ":4" { // no file names
			t.Errorf("%s --only: directive %s", cmd, dir)
		}
	}
	got, _ := complete(t, "check", "--root", rocky, "--skip", "")
	wantAll(t, "--skip on rocky-9", got, "os", "os/eol", "selinux/mode", "dns/nameserver:10.0.0.2")
	// The resolved profile decides: --profile FILE adds a key.
	base := writeConfig(t, "extends: linux\nsysctl:\n  vm.max_map_count: \">= 262144\"\n")
	got, _ = complete(t, "check", "--root", rocky, "--only", "sysctl/vm.")
	wantNone(t, "without --profile", got, "sysctl/vm.max_map_count")
	got, _ = complete(t, "check", "--root", rocky, "--profile", base, "--only", "sysctl/vm.")
	wantAll(t, "--profile FILE", got, "sysctl/vm.max_map_count")
	// centos-7 plans tcp_tw_reuse as == 1, and has no selinux label check
	// unless a config names a path.
	cfg := writeConfig(t, "extends: auto\nselinux:\n  paths:\n    /opt/app: bin_t\n")
	got, _ = complete(t, "check", "--root", centos, "--config", cfg, "--only", "selinux/")
	wantAll(t, "--config", got, "selinux/mode", "selinux/label:/opt/app")
	// One comma-separated item at a time.
	got, _ = complete(t, "check", "--root", rocky, "--only", "os,sysctl/net.core.so")
	if !slices.Equal(got, []string{"os,sysctl/net.core.somaxconn"}) {
		t.Errorf("comma list: %q", got)
	}
	// A profile that does not load offers nothing (and no files).
	got, dir := complete(t, "check", "--root", rocky, "--config", "/nonexistent.yaml", "--only", "")
	if len(got) != 0 || dir != ":4" {
		t.Errorf("broken config: %q %s", got, dir)
	}
}

func TestCompleteProfilesFormatsAndFailOn(t *testing.T) {
	got, _ := complete(t, "check", "--profile", "")
	wantAll(t, "--profile", got, "auto", "linux", "rocky-9", "centos-7", "ubuntu-22.04")
	got, _ = complete(t, "check", "--profile", "ub")
	wantAll(t, "--profile ub", got, "ubuntu-20.04", "ubuntu-22.04", "ubuntu-24.04")
	wantNone(t, "--profile ub", got, "rocky-9")
	// Files: YAML files and directories under what was typed.
	dir := t.TempDir()
	for _, f := range []string{"base.yaml", "other.yml", "notes.txt", "sub/x.yaml"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte("extends: linux\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, _ = complete(t, "list", "--profile", dir+"/")
	wantAll(t, "--profile DIR/", got, dir+"/base.yaml", dir+"/other.yml", dir+"/sub/")
	wantNone(t, "--profile DIR/", got, dir+"/notes.txt")
	got, _ = complete(t, "profiles", "show", "rock")
	wantAll(t, "profiles show", got, "rocky-9")
	got, _ = complete(t, "profiles", "show", dir+"/b")
	wantAll(t, "profiles show FILE", got, dir+"/base.yaml")

	for cmd, want := range map[string][]string{
		"check":     {"table", "json", "junit", "markdown", "prom"},
		"list":      {"table", "json"},
		"remediate": {"bash", "ansible"},
	} {
		got, _ := complete(t, cmd, "--format", "")
		if !slices.Equal(sorted(got), sorted(want)) {
			t.Errorf("%s --format: %q, want %q", cmd, got, want)
		}
	}
	got, _ = complete(t, "fleet", "check", "--format", "")
	wantAll(t, "fleet check --format", got, "table", "json")
	for _, cmd := range [][]string{{"check"}, {"fleet", "check"}, {"fleet", "report"}} {
		got, _ := complete(t, append(cmd, "--fail-on", "")...)
		if !slices.Equal(got, []string{"fail", "warn", "none"}) {
			t.Errorf("%v --fail-on: %q", cmd, got)
		}
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestCompleteExplainIDs(t *testing.T) {
	got, _ := complete(t, "explain", "--root", "../../testdata/roots/rocky-9", "sysctl/net.ipv4.tcp_")
	wantAll(t, "explain", got, "sysctl/net.ipv4.tcp_tw_reuse", "sysctl/net.ipv4.tcp_max_syn_backlog")
	wantNone(t, "explain", got, "sysctl/net.core.somaxconn")
	got, _ = complete(t, "explain", "--root", "../../testdata/roots/rocky-9", "dns/name")
	wantAll(t, "explain dns/", got, "dns/nameserver:10.0.0.2", "dns/nameserver:10.0.0.3")
	// One ID only.
	if got, _ = complete(t, "explain", "os/eol", ""); len(got) != 0 {
		t.Errorf("a second argument is offered %q", got)
	}
}

// fleet check's hosts come from ~/.ssh/config's Host names (not its
// patterns) and known_hosts (not its hashed entries).
func TestCompleteFleetHosts(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	write(t, home, ".ssh/config", `Host db1 db2
  HostName 10.0.0.1
Host *.internal !bastion web?
  User ops
Host bastion
  Port 2222
Include extra.conf
`)
	write(t, home, ".ssh/extra.conf", "Host cache1\n  HostName 10.0.0.9\n")
	write(t, home, ".ssh/known_hosts", `db1,10.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHashedNot
|1|Zm9vYmFyYmF6cXV4|YmFyYmF6cXV4Zm9v ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHashed
[jump.example.com]:2200 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPort
@cert-authority *.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICA
# a comment
`)
	got, _ := complete(t, "fleet", "check", "")
	want := []string{"db1", "db2", "bastion", "cache1", "10.0.0.1", "jump.example.com:2200"}
	if !slices.Equal(got, want) {
		t.Errorf("fleet check hosts: %q, want %q", got, want)
	}
	got, _ = complete(t, "fleet", "check", "db1", "root@d")
	if !slices.Equal(got, []string{"root@db2"}) {
		t.Errorf("user@ and an already named host: %q", got)
	}
	got, _ = complete(t, "fleet", "check", "--ssh-config", "none", "--known-hosts", filepath.Join(home, "nothing"), "")
	if len(got) != 0 {
		t.Errorf("--ssh-config none and no known_hosts: %q", got)
	}
}
