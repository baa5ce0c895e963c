// Package remediatetest holds what tests of generated fixes share: a
// fingerprint of a whole file tree (to prove a second run changes
// nothing) and running a playbook against a temporary root with Ansible
// kept away from the machine's own files.
package remediatetest

import (
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

	"github.com/golive-sh/golive/internal/testenv"
)

// Tree is every file, directory and link under root with its mode and its
// content's hash or its target: equal trees mean nothing changed.
func Tree(t testing.TB, root string) map[string]string {
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

// TreeDiff lists, sorted, what differs between two trees.
func TreeDiff(a, b map[string]string) []string {
	var diff []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			diff = append(diff, fmt.Sprintf("%s: removed (was %q)", k, v))
		} else if w != v {
			diff = append(diff, fmt.Sprintf("%s: %q -> %q", k, v, w))
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

// AnsibleEnv is the environment of an ansible-playbook run that writes
// nothing outside home: its config, temp dirs and caches all live there.
func AnsibleEnv(home string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"), "LC_ALL=C.UTF-8", "HOME=" + home,
		"ANSIBLE_CONFIG=" + filepath.Join(home, "ansible.cfg"),
		"ANSIBLE_LOCAL_TEMP=" + filepath.Join(home, "tmp"), "ANSIBLE_REMOTE_TEMP=" + filepath.Join(home, "tmp"),
		"ANSIBLE_NOCOLOR=1", "ANSIBLE_RETRY_FILES_ENABLED=0", "PYTHONDONTWRITEBYTECODE=1",
	}
}

// AnsibleHome is a temporary home with an empty ansible.cfg, so neither
// the machine's nor the user's Ansible configuration applies.
func AnsibleHome(t testing.TB) string {
	t.Helper()
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "ansible.cfg"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return home
}

// RunPlaybook runs the playbook at path on this machine with golive_root
// set to root, which must be a temporary copy: a test never lets a
// playbook change the machine. It returns the exit code and the output.
func RunPlaybook(t testing.TB, path, root string, args ...string) (int, string) {
	t.Helper()
	bin := testenv.NeedCommand(t, "ansible-playbook", "ansible")
	if root == "" || !strings.HasPrefix(root, os.TempDir()) {
		t.Fatalf("refusing to run a playbook outside a temporary root (golive_root=%q)", root)
	}
	home := AnsibleHome(t)
	argv := append([]string{"-i", "localhost,", "-c", "local", "-e", "ansible_become=false", "-e", "golive_root=" + root}, args...)
	cmd := exec.Command(bin, append(argv, path)...)
	cmd.Dir = home
	cmd.Env = AnsibleEnv(home)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out)
}

// Recap is the PLAY RECAP counts (ok, changed, failed, ...) of a run.
func Recap(t testing.TB, output string) map[string]int {
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
