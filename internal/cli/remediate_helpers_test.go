package cli_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/testenv"
)

// copyRoot copies a fixture root into a temporary directory with cp -a,
// which keeps its symlinks (etc/os-release, lib -> usr/lib) as they are.
func copyRoot(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	src := filepath.Join(repoRoot(t), "testdata", "roots", name)
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp -a %s: %v\n%s", src, err, out)
	}
	return dst
}

// treeHash is every file, directory and link under root with its mode and
// its content or target: equal hashes mean nothing changed.
func treeHash(t *testing.T, root string) map[string]string {
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

// lintScript runs bash -n and shellcheck (as bash, every check on) on a
// generated script.
func lintScript(t *testing.T, path string) {
	t.Helper()
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Fatalf("bash -n %s: %v\n%s", path, err, out)
	}
	sc := testenv.NeedCommand(t, "shellcheck", "shellcheck")
	if out, err := exec.Command(sc, "-s", "bash", path).CombinedOutput(); err != nil {
		t.Fatalf("shellcheck %s: %v\n%s", path, err, out)
	}
}

// applyScript runs a generated script with ROOT set to a temporary copy
// of a root; never without ROOT: a test must not change this machine.
func applyScript(t *testing.T, script, root string, env ...string) run {
	t.Helper()
	if !strings.HasPrefix(root, os.TempDir()) {
		t.Fatalf("refusing to apply a remediation outside a temporary root (ROOT=%q)", root)
	}
	work := t.TempDir()
	cmd := exec.Command("bash", script)
	cmd.Dir = work
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + work, "LC_ALL=C", "ROOT=" + root}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return run{code, out.String(), errb.String()}
}

// applyPlaybook runs a generated playbook on this machine with
// golive_root set to a temporary copy of a root, and with everything
// Ansible writes for itself kept in a temporary directory.
func applyPlaybook(t *testing.T, playbook, root string, args ...string) (int, string) {
	t.Helper()
	bin := testenv.NeedCommand(t, "ansible-playbook", "ansible")
	if !strings.HasPrefix(root, os.TempDir()) {
		t.Fatalf("refusing to apply a playbook outside a temporary root (golive_root=%q)", root)
	}
	home := t.TempDir()
	cfg := filepath.Join(home, "ansible.cfg")
	if err := os.WriteFile(cfg, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	argv := append([]string{"-i", "localhost,", "-c", "local", "-e", "ansible_become=false", "-e", "golive_root=" + root}, args...)
	cmd := exec.Command(bin, append(argv, playbook)...)
	cmd.Dir = home
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "LC_ALL=C.UTF-8", "HOME=" + home, "ANSIBLE_CONFIG=" + cfg,
		"ANSIBLE_LOCAL_TEMP=" + filepath.Join(home, "tmp"), "ANSIBLE_REMOTE_TEMP=" + filepath.Join(home, "tmp"),
		"ANSIBLE_NOCOLOR=1", "ANSIBLE_RETRY_FILES_ENABLED=0", "PYTHONDONTWRITEBYTECODE=1",
	}
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out)
}

// changedTasks is the changed= count of a playbook run's recap.
func changedTasks(t *testing.T, output string) int {
	t.Helper()
	i := strings.LastIndex(output, "PLAY RECAP")
	if i < 0 {
		t.Fatalf("no PLAY RECAP in:\n%s", output)
	}
	for _, f := range strings.Fields(output[i:]) {
		if v, ok := strings.CutPrefix(f, "changed="); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no changed= in the recap:\n%s", output[i:])
	return 0
}

// checkResult is what the closed loop reads of a check in a JSON report.
type checkResult struct {
	ID          string          `json:"id"`
	Status      string          `json:"status"`
	Expected    string          `json:"expected"`
	Message     string          `json:"message"`
	Details     map[string]any  `json:"details"`
	Remediation *remediate.Plan `json:"remediation"`
}

// checksOf runs golive check on a root and returns its results by ID.
func checksOf(t *testing.T, root string, args ...string) map[string]checkResult {
	t.Helper()
	r := exe(t, golive, t.TempDir(), nil, append([]string{"check", "--root", root, "--format", "json"}, args...)...)
	if r.code != 0 && r.code != 1 {
		t.Fatalf("check --root %s: exit %d\n%s", root, r.code, r.stderr)
	}
	var rep struct {
		Checks []checkResult `json:"checks"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	out := map[string]checkResult{}
	for _, c := range rep.Checks {
		out[c.ID] = c
	}
	return out
}
