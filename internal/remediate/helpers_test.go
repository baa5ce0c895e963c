package remediate

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/remediate/remediatetest"
	"github.com/golive-sh/golive/internal/testenv"
)

// testInput is a script for a hand-made root that says ID=testos 1.
func testInput(fixes ...Fix) Input {
	return Input{
		Tool: "golive test", Host: "testhost", Distro: "Test OS 1", Root: "/",
		Profile:     "test",
		Hosts:       "localhost", // the playbook tests' inventory (remediatetest.RunPlaybook)
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

// runPlaybook runs a generated playbook with golive_root set to root (a
// temporary copy).
func runPlaybook(t testing.TB, playbook, root string, args ...string) ansibleRun {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fix.yaml")
	if err := os.WriteFile(path, []byte(playbook), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := remediatetest.RunPlaybook(t, path, root, args...)
	return ansibleRun{code, out}
}

// playbookSyntax runs ansible-playbook --syntax-check on playbooks, in
// one run: starting Ansible costs more than checking.
func playbookSyntax(t testing.TB, playbooks ...string) {
	t.Helper()
	bin := testenv.NeedCommand(t, "ansible-playbook", "ansible")
	home := remediatetest.AnsibleHome(t)
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
	cmd.Env = remediatetest.AnsibleEnv(home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ansible-playbook --syntax-check: %v\n%s", err, out)
	}
}
