package remediate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/testenv"
)

// testInput is a script for a hand-made root that says ID=testos 1.
func testInput(fixes ...Fix) Input {
	return Input{
		Tool: "golive test", Host: "testhost", Distro: "Test OS 1", Root: "/",
		Profile:     "test",
		CheckedAt:   time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
		GeneratedAt: time.Date(2026, 11, 21, 10, 0, 1, 0, time.UTC),
		Guard:       Guard{Distro: "Test OS 1", Rules: []GuardRule{{ID: "testos", VersionID: "1"}, {ID: "testos", VersionID: "1.*"}}},
		Fixes:       fixes,
	}
}

func fix(id string, actions ...Action) Fix {
	return Fix{CheckID: id, Status: "fail", Plan: Plan{Summary: "fix " + id, Actions: actions}}
}

func renderBash(t testing.TB, in Input) string {
	t.Helper()
	var b bytes.Buffer
	if err := Bash(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// newRoot makes a root with an os-release the test input's guard accepts.
func newRoot(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	writeFile(t, root, "usr/lib/os-release", "NAME=\"Test OS\"\nID=testos\nVERSION_ID=\"1.2\"\n")
	if err := os.Mkdir(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../usr/lib/os-release", filepath.Join(root, "etc/os-release")); err != nil {
		t.Fatal(err)
	}
	return root
}

func writeFile(t testing.TB, root, name, content string) {
	t.Helper()
	p := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t testing.TB, root, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

type scriptRun struct {
	code           int
	stdout, stderr string
}

// runScript runs a script with bash under ROOT=root (never without: a
// test must not change this machine), in dir as the working directory,
// with extra environment.
func runScript(t testing.TB, script, root, dir string, env ...string) scriptRun {
	t.Helper()
	if root == "" || !strings.HasPrefix(root, os.TempDir()) {
		t.Fatalf("refusing to run a remediation script outside a temporary root (ROOT=%q)", root)
	}
	path := filepath.Join(t.TempDir(), "fix.sh")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", path)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LC_ALL=C", "ROOT=" + root}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return scriptRun{code, out.String(), errb.String()}
}

// bashSyntax runs bash -n and shellcheck on a script.
func bashSyntax(t testing.TB, script string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fix.sh")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s\n%s", err, out, numbered(script))
	}
	sc := testenv.NeedCommand(t, "shellcheck", "shellcheck")
	if out, err := exec.Command(sc, "-s", "bash", path).CombinedOutput(); err != nil {
		t.Fatalf("shellcheck: %v\n%s", err, out)
	}
}

func numbered(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}

// treeHash is every file, directory and link under root with its mode,
// its content or its target: two equal hashes mean nothing changed.
func treeHash(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		desc := fi.Mode().String()
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + target
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			desc += " " + hex.EncodeToString(sum[:])
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// treeDiff lists what differs between two tree hashes.
func treeDiff(a, b map[string]string) []string {
	var diff []string
	for k, v := range a {
		if b[k] != v {
			diff = append(diff, fmt.Sprintf("%s: %q -> %q", k, v, b[k]))
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			diff = append(diff, fmt.Sprintf("%s: new %q", k, v))
		}
	}
	sort.Strings(diff)
	return diff
}

// runBashSnippet runs a piece of bash (the prelude and a call of one of
// its functions) with ROOT set to an empty temporary directory, and
// returns its standard output.
func runBashSnippet(t testing.TB, script string) string {
	t.Helper()
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "ROOT=" + t.TempDir()}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("bash: %v\n%s", err, errb.String())
	}
	return out.String()
}

// ansibleRun is the outcome of one ansible-playbook run.
type ansibleRun struct {
	code   int
	output string
}

// runPlaybook runs ansible-playbook on this machine (-c local) with
// golive_root set to a temporary root (never without: a test must not
// change this machine), and with every file Ansible writes for itself
// (home, temp dirs, config, byte code) in a temporary directory.
func runPlaybook(t testing.TB, playbook, root string, args ...string) ansibleRun {
	t.Helper()
	bin := testenv.NeedCommand(t, "ansible-playbook", "ansible")
	if root == "" || !strings.HasPrefix(root, os.TempDir()) {
		t.Fatalf("refusing to run a playbook outside a temporary root (golive_root=%q)", root)
	}
	home := t.TempDir()
	pb := filepath.Join(home, "fix.yaml")
	cfg := filepath.Join(home, "ansible.cfg")
	for name, data := range map[string]string{pb: playbook, cfg: ""} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	argv := append([]string{"-i", "localhost,", "-c", "local", "-e", "ansible_become=false", "-e", "golive_root=" + root}, args...)
	cmd := exec.Command(bin, append(argv, pb)...)
	cmd.Dir = home
	cmd.Env = ansibleEnv(home, cfg)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return ansibleRun{code, string(out)}
}

func ansibleEnv(home, cfg string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"), "LC_ALL=C.UTF-8", "HOME=" + home,
		"ANSIBLE_CONFIG=" + cfg, "ANSIBLE_LOCAL_TEMP=" + filepath.Join(home, "tmp"),
		"ANSIBLE_REMOTE_TEMP=" + filepath.Join(home, "tmp"), "ANSIBLE_NOCOLOR=1",
		"ANSIBLE_RETRY_FILES_ENABLED=0", "PYTHONDONTWRITEBYTECODE=1",
	}
}

// playbookSyntax runs ansible-playbook --syntax-check on playbooks, in
// one run: starting Ansible costs more than checking.
func playbookSyntax(t testing.TB, playbooks ...string) {
	t.Helper()
	bin := testenv.NeedCommand(t, "ansible-playbook", "ansible")
	home := t.TempDir()
	cfg := filepath.Join(home, "ansible.cfg")
	if err := os.WriteFile(cfg, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--syntax-check", "-i", "localhost,"}
	for i, p := range playbooks {
		name := filepath.Join(home, fmt.Sprintf("fix%d.yaml", i))
		if err := os.WriteFile(name, []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, name)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = home
	cmd.Env = ansibleEnv(home, cfg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ansible-playbook --syntax-check: %v\n%s", err, out)
	}
}

// recap is the PLAY RECAP counts of one host.
func recap(t testing.TB, output string) map[string]int {
	t.Helper()
	i := strings.LastIndex(output, "PLAY RECAP")
	if i < 0 {
		t.Fatalf("no PLAY RECAP in:\n%s", output)
	}
	out := map[string]int{}
	for _, f := range strings.Fields(output[i:]) {
		k, v, ok := strings.Cut(f, "=")
		if n, err := strconv.Atoi(v); ok && err == nil {
			out[k] = n
		}
	}
	return out
}
