package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
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
