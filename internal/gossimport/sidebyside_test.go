package gossimport

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/testenv"
)

// moduleRoot is the directory of go.mod above the test.
func moduleRoot(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// gossResult is one line of goss validate -f json's results.
type gossResult struct {
	ResourceType string `json:"resource-type"`
	ResourceID   string `json:"resource-id"`
	Property     string `json:"property"`
	Successful   bool   `json:"successful"`
	Skipped      bool   `json:"skipped"`
}

// runGoss validates gossfile with the real goss v0.4.9 in a private mount
// namespace where the fixture root's account files are bound over
// /etc/passwd and /etc/group and its files under /srv/golive-fixture, so
// that goss sees the state golive reads under --root. It returns each
// resource's verdict (every property successful).
func runGoss(t *testing.T, goss, root, gossfile string) map[string]bool {
	t.Helper()
	script := fmt.Sprintf(`set -e
mount --bind %[1]s/etc/passwd /etc/passwd
mount --bind %[1]s/etc/group /etc/group
mkdir -p /srv
mount -t tmpfs none /srv
mkdir -p /srv/golive-fixture
mount --bind %[1]s/srv/golive-fixture /srv/golive-fixture
# Debian's rpm keeps its database in /root/.rpmdb (rpm --eval %%_dbpath).
mount -t tmpfs none /root
mkdir /root/.rpmdb
mount --bind %[1]s/var/lib/rpm /root/.rpmdb
exec %[2]s --package rpm -g %[3]s validate -f json`, root, goss, gossfile)
	out, err := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script).Output()
	var ee *exec.ExitError
	if err != nil && !(errorsAs(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("goss: %v\n%s", err, out)
	}
	var doc struct {
		Results []gossResult `json:"results"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("goss output: %v\n%s", err, out)
	}
	verdict := map[string]bool{}
	for _, r := range doc.Results {
		k := r.ResourceType + " " + r.ResourceID
		if _, ok := verdict[k]; !ok {
			verdict[k] = true
		}
		verdict[k] = verdict[k] && (r.Successful || r.Skipped)
	}
	return verdict
}

func errorsAs(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}

// golive runs the imported profile on the root and gives each goss
// resource's verdict: every check of its path or name passes.
func golive(t *testing.T, root string, imported []byte) map[string]bool {
	t.Helper()
	h, err := host.New(root)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "golive.yaml")
	if err := os.WriteFile(p, imported, 0o644); err != nil {
		t.Fatal(err)
	}
	os, _ := h.OSRelease()
	prof, err := profile.Resolve(profile.Request{Config: p, OS: os})
	if err != nil {
		t.Fatal(err)
	}
	checks, err := engine.Build(prof)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{Offline: true})
	verdict := map[string]bool{}
	for _, r := range out.Results {
		id, _ := engine.ParseID(r.ID)
		var k string
		switch id.Category {
		case "file":
			k = "File " + id.Target
		case "user":
			k = "User " + id.Target
		case "group":
			k = "Group " + id.Target
		case "package":
			k = "Package " + id.Target
		default:
			continue
		}
		if _, ok := verdict[k]; !ok {
			verdict[k] = true
		}
		verdict[k] = verdict[k] && r.Status == engine.Pass
	}
	return verdict
}

// TestSideBySideWithGoss: for file, user, group and package — the
// resources whose answer is in files both tools read (goss asks rpm, which
// reads the root's database bound over its own) — golive's verdicts on a
// fixture root,
// from the gossfile it imported, equal the real goss's on the same files.
// Generated gossfiles mix true and false expectations.
func TestSideBySideWithGoss(t *testing.T) {
	testenv.NeedNamespaces(t)
	goss := filepath.Join(moduleRoot(t), ".tools", "goss")
	if _, err := os.Stat(goss); err != nil {
		testenv.Missing(t, "goss v0.4.9 is not in .tools: run make goss (make test does)")
	}
	root := filepath.Join(t.TempDir(), "root")
	if out, err := exec.Command("cp", "-a", filepath.Join(moduleRoot(t), "testdata/roots/rocky-9"), root).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	// Files with known modes, owners and contents, at the same path for both.
	fix := filepath.Join(root, "srv/golive-fixture")
	for _, f := range []struct {
		name, content string
		mode          os.FileMode
	}{{"app.conf", "listen: 8080\nlog_level: info\n", 0o640}, {"secret.key", "k\n", 0o600}, {"run.sh", "#!/bin/sh\n", 0o755}} {
		p := filepath.Join(fix, f.name)
		_ = os.MkdirAll(fix, 0o755)
		if err := os.WriteFile(p, []byte(f.content), f.mode); err != nil {
			t.Fatal(err)
		}
		_ = os.Chmod(p, f.mode)
	}
	_ = os.Chown(filepath.Join(fix, "secret.key"), 0, 2) // daemon's group on rocky-9
	if err := os.Symlink("app.conf", filepath.Join(fix, "current")); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(37, 12))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	var agreed, failing int
	for i := range 25 {
		var b strings.Builder
		b.WriteString("file:\n")
		for _, name := range []string{"app.conf", "secret.key", "run.sh", "current", "missing.txt"} {
			if r.IntN(3) == 0 {
				continue
			}
			fmt.Fprintf(&b, "  /srv/golive-fixture/%s:\n    exists: %s\n", name, pick("true", "true", "false"))
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "    mode: %q\n", pick("0640", "0600", "0755", "0644"))
			}
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "    owner: %s\n", pick("root", "daemon"))
			}
			if r.IntN(3) == 0 {
				fmt.Fprintf(&b, "    group: %s\n", pick("root", "daemon", "bin"))
			}
			if r.IntN(3) == 0 {
				fmt.Fprintf(&b, "    filetype: %s\n", pick("file", "symlink", "directory"))
			}
			if r.IntN(3) == 0 {
				fmt.Fprintf(&b, "    contains: [%q]\n", pick("listen: 8080", "log_level: debug", "/^log_level: (info|warn)$/"))
			}
		}
		b.WriteString("user:\n")
		for _, u := range []string{"root", "daemon", "nobody", "ghost"} {
			if r.IntN(2) == 0 {
				continue
			}
			fmt.Fprintf(&b, "  %s:\n    exists: %s\n", u, pick("true", "true", "false"))
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "    uid: %s\n", pick("0", "2", "65534"))
			}
			if r.IntN(3) == 0 {
				fmt.Fprintf(&b, "    home: %s\n", pick("/root", "/sbin", "/"))
			}
			if r.IntN(3) == 0 {
				fmt.Fprintf(&b, "    shell: %s\n", pick("/bin/bash", "/sbin/nologin"))
			}
		}
		b.WriteString("group:\n")
		for _, g := range []string{"root", "daemon", "wheel", "ghosts"} {
			if r.IntN(2) == 0 {
				continue
			}
			fmt.Fprintf(&b, "  %s:\n    exists: %s\n", g, pick("true", "true", "false"))
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "    gid: %s\n", pick("0", "2", "10"))
			}
		}
		// Packages of the root's rpm database (rpmdb.sqlite), versions as
		// goss reports them (EPOCH:VERSION-RELEASE, compared as text).
		b.WriteString("package:\n")
		for _, p := range []string{"openssl", "bash", "telnet", "chrony"} {
			if r.IntN(2) == 0 {
				continue
			}
			fmt.Fprintf(&b, "  %s:\n    installed: %s\n", p, pick("true", "true", "false"))
			if r.IntN(2) == 0 && p == "openssl" {
				fmt.Fprintf(&b, "    versions: [%q]\n", pick("1:3.0.7-27.el9", "1:3.0.7-26.el9", "1:3.0.8-1.el9"))
			}
			if r.IntN(2) == 0 && p == "bash" {
				fmt.Fprintf(&b, "    versions: [%q]\n", pick("5.1.8-9.el9", "5.1.8-8.el9"))
			}
		}
		gossfile := filepath.Join(t.TempDir(), "goss.yaml")
		if err := os.WriteFile(gossfile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Load(gossfile, Options{})
		if err != nil {
			t.Fatal(err)
		}
		imp, err := Convert(res)
		if err != nil {
			t.Fatal(err)
		}
		want := runGoss(t, goss, root, gossfile)
		got := golive(t, root, imp.YAML)
		for k, g := range want {
			if k == "File " || strings.HasPrefix(k, "Command") {
				continue
			}
			gv, ok := got[k]
			if !ok {
				t.Errorf("case %d: golive has no verdict for goss's %s\n%s\n%s", i, k, b.String(), imp.YAML)
				continue
			}
			if gv != g {
				t.Errorf("case %d: %s: goss %v, golive %v\n%s\n%s", i, k, g, gv, b.String(), imp.YAML)
				continue
			}
			agreed++
			if !g {
				failing++
			}
		}
	}
	t.Logf("%d resource verdicts agree with goss (%d of them failing)", agreed, failing)
	if failing == 0 || failing == agreed {
		t.Errorf("the generated cases do not discriminate: %d of %d fail", failing, agreed)
	}
}
