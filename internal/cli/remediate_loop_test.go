package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/expect"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/remediate/remediatetest"
)

// loopService is a service file on top of each root's built-in profile:
// its unit, limits and SELinux rules make the families propose drop-ins
// and config lines, besides the built-in profiles' sysctl fixes.
const loopService = `extends: auto
service: {unit: golive-demo, user: golive-demo}
selinux: {mode: enforcing}
cgroup:
  unit:
    memory.max: "<= 2147483648"
rlimits:
  unit: {nofile: ">= 1048576"}
  login: {nofile: ">= 65536"}
`

// fileBased is a plan a script completes on an image: it only writes
// files, and reloads systemd (which on an image has nothing to reload: a
// boot reads the unit files).
func fileBased(p *remediate.Plan) bool {
	for _, a := range p.Actions {
		switch {
		case a.Kind == remediate.FileLine, a.Kind == remediate.DropIn:
		case a.Kind == remediate.Command && strings.Join(a.Argv, " ") == "systemctl daemon-reload":
		default:
			return false
		}
	}
	return true
}

func runtimeOnly(p *remediate.Plan) bool {
	for _, a := range p.Actions {
		if a.Kind != remediate.Command {
			return false
		}
	}
	return true
}

func hasKind(p *remediate.Plan, k remediate.Kind) bool {
	for _, a := range p.Actions {
		if a.Kind == k {
			return true
		}
	}
	return false
}

// TestRemediateClosedLoop is issue 7's acceptance: on a copy of each
// fixture root, `golive remediate --root COPY` writes a script that is
// shellcheck-clean; DRY_RUN=1 changes nothing; applied with ROOT=COPY it
// makes every check whose fix is file-based pass and persists every sysctl
// value so that it satisfies the rule (the running value is the fixture's
// proc/sys, which only a booted system can change: those checks now ask for
// runtime commands only); and a second run leaves every file byte-identical.
func TestRemediateClosedLoop(t *testing.T) {
	for _, root := range []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"} {
		for _, withService := range []bool{false, true} {
			name := root
			if withService {
				name += "+service"
			}
			t.Run(name, func(t *testing.T) {
				work := t.TempDir()
				var args []string
				if withService {
					write(t, work, "service.yaml", loopService)
					args = []string{"--config", filepath.Join(work, "service.yaml")}
				}
				copyDir := copyRoot(t, root)
				closedLoop(t, copyDir, work, args)
			})
		}
	}
}

func closedLoop(t *testing.T, root, work string, args []string) {
	script := filepath.Join(work, "fix.sh")
	r := exe(t, golive, work, nil, append([]string{"remediate", "--root", root, "-o", script}, args...)...)
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, " automatic action") {
		t.Fatalf("remediate: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if fi, err := os.Stat(script); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("script %v mode %v, want 0755", err, fi.Mode())
	}
	lintScript(t, script)
	before := checksOf(t, root, args...)

	pristine := remediatetest.Tree(t, root)
	if r := applyScript(t, script, root, "DRY_RUN=1"); r.code != 0 {
		t.Fatalf("DRY_RUN: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if d := remediatetest.TreeDiff(pristine, remediatetest.Tree(t, root)); len(d) > 0 {
		t.Fatalf("DRY_RUN=1 changed files:\n%s", strings.Join(d, "\n"))
	}

	if r := applyScript(t, script, root); r.code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	after := checksOf(t, root, args...)
	fileFixes, sysctlFixes := assertFixed(t, root, before, after)
	t.Logf("%d file-based fixes, %d sysctl-set actions judged", fileFixes, sysctlFixes)
	if sysctlFixes == 0 {
		t.Error("no sysctl-set fix on this root: the loop proves nothing about them")
	}
	if len(args) > 0 && fileFixes == 0 {
		t.Error("no file-based fix with the service file: the loop proves nothing about them")
	}

	applied := remediatetest.Tree(t, root)
	if r := applyScript(t, script, root); r.code != 0 {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}
	if d := remediatetest.TreeDiff(applied, remediatetest.Tree(t, root)); len(d) > 0 {
		t.Errorf("a second run changed files:\n%s", strings.Join(d, "\n"))
	}
}

// assertFixed compares a root's checks before and after remediation and
// counts the file-based and the sysctl-set fixes it judged.
func assertFixed(t *testing.T, root string, before, after map[string]checkResult) (fileFixes, sysctlFixes int) {
	t.Helper()
	conf, _ := os.ReadFile(filepath.Join(root, remediate.SysctlDropIn))
	for id, c := range before {
		if (c.Status != "fail" && c.Status != "warn") || c.Remediation == nil || len(c.Remediation.Actions) == 0 {
			continue
		}
		now := after[id]
		if fileBased(c.Remediation) {
			fileFixes++
			if now.Status != "pass" {
				t.Errorf("%s (file-based fix %q): %s after the fix: %s", id, c.Remediation.Summary, now.Status, now.Message)
			}
		}
		for _, a := range c.Remediation.Actions {
			if a.Kind != remediate.SysctlSet {
				continue
			}
			sysctlFixes++
			if !strings.Contains(string(conf), "\n"+a.Key+" = "+a.Value+"\n") && !strings.HasPrefix(string(conf), a.Key+" = "+a.Value+"\n") {
				t.Errorf("%s: %s does not hold %q:\n%s", id, remediate.SysctlDropIn, a.Key+" = "+a.Value, conf)
			}
		}
		if !strings.HasPrefix(id, "sysctl/") || !hasKind(c.Remediation, remediate.SysctlSet) {
			continue
		}
		// The boot value now satisfies the rule; what is left, if
		// anything, is for the running kernel.
		if now.Status == "pass" {
			continue
		}
		persisted, _ := now.Details["persisted"].(string)
		file, _ := now.Details["persisted_file"].(string)
		e, err := expect.Parse(now.Expected)
		if err != nil {
			t.Fatalf("%s: expectation %q: %v", id, now.Expected, err)
		}
		if ok, err := e.Eval(persisted); !ok || err != nil || !strings.HasPrefix(file, remediate.SysctlDropIn+":") {
			t.Errorf("%s: persisted %q in %q after the fix, want a value satisfying %q in %s", id, persisted, file, now.Expected, remediate.SysctlDropIn)
		}
		if now.Remediation == nil || !runtimeOnly(now.Remediation) {
			t.Errorf("%s: still needs %+v after the fix, want runtime commands only", id, now.Remediation)
		}
	}
	return fileFixes, sysctlFixes
}

// TestRemediateGoldenImage: on an image (no proc/sys: checks judge the
// value a boot applies), the sysctl checks the script fixes pass.
func TestRemediateGoldenImage(t *testing.T) {
	for _, root := range []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"} {
		t.Run(root, func(t *testing.T) {
			image := copyRoot(t, root)
			if err := os.RemoveAll(filepath.Join(image, "proc", "sys")); err != nil {
				t.Fatal(err)
			}
			work := t.TempDir()
			script := filepath.Join(work, "fix.sh")
			if r := exe(t, golive, work, nil, "remediate", "--root", image, "-o", script, "-q"); r.code != 0 || r.stderr != "" {
				t.Fatalf("remediate: exit %d stderr %q", r.code, r.stderr)
			}
			lintScript(t, script)
			before := checksOf(t, image)
			if r := applyScript(t, script, image); r.code != 0 {
				t.Fatalf("apply: exit %d\n%s", r.code, r.stderr)
			}
			after := checksOf(t, image)
			fixed := 0
			for id, c := range before {
				if !strings.HasPrefix(id, "sysctl/") || c.Remediation == nil || !hasKind(c.Remediation, remediate.SysctlSet) {
					continue
				}
				fixed++
				if after[id].Status != "pass" {
					t.Errorf("%s: %s after the fix: %s", id, after[id].Status, after[id].Message)
				}
			}
			if fixed == 0 {
				t.Error("no sysctl-set fix on this image")
			}
			applied := remediatetest.Tree(t, image)
			if r := applyScript(t, script, image); r.code != 0 {
				t.Fatalf("second run: exit %d", r.code)
			}
			if d := remediatetest.TreeDiff(applied, remediatetest.Tree(t, image)); len(d) > 0 {
				t.Errorf("a second run changed files:\n%s", strings.Join(d, "\n"))
			}
		})
	}
}

// TestRemediateAnsibleClosedLoop applies the playbook to one copy of each
// root and the script to another: the playbook passes --syntax-check,
// leaves the same files as the script (backups aside), makes the same
// checks pass, and a second run reports no change.
func TestRemediateAnsibleClosedLoop(t *testing.T) {
	for _, root := range []string{"centos-7", "ubuntu-22.04", "rocky-9"} {
		t.Run(root, func(t *testing.T) {
			work := t.TempDir()
			write(t, work, "service.yaml", loopService)
			args := []string{"--config", filepath.Join(work, "service.yaml")}
			byPlaybook, byScript := copyRoot(t, root), copyRoot(t, root)
			playbook, script := filepath.Join(work, "fix.yaml"), filepath.Join(work, "fix.sh")
			for _, out := range []struct{ format, file string }{{"ansible", playbook}, {"bash", script}} {
				argv := append([]string{"remediate", "-q", "--root", byPlaybook, "--format", out.format, "-o", out.file}, args...)
				if out.format == "ansible" {
					argv = append(argv, "--hosts", "localhost") // the inventory of remediatetest.RunPlaybook
				}
				r := exe(t, golive, work, nil, argv...)
				if r.code != 0 {
					t.Fatalf("remediate --format %s: exit %d\n%s", out.format, r.code, r.stderr)
				}
			}
			if fi, err := os.Stat(playbook); err != nil || fi.Mode().Perm() != 0o644 {
				t.Fatalf("playbook %v mode %v, want 0644", err, fi.Mode())
			}
			if code, out := remediatetest.RunPlaybook(t, playbook, byPlaybook, "--syntax-check"); code != 0 {
				t.Fatalf("--syntax-check: exit %d\n%s", code, out)
			}
			before := checksOf(t, byPlaybook, args...)
			if code, out := remediatetest.RunPlaybook(t, playbook, byPlaybook); code != 0 {
				t.Fatalf("playbook: exit %d\n%s", code, out)
			}
			if r := applyScript(t, script, byScript); r.code != 0 {
				t.Fatalf("script: exit %d\n%s", r.code, r.stderr)
			}
			withoutBackups := func(h map[string]string) map[string]string {
				for k := range h {
					if strings.HasSuffix(k, ".golive.bak") || strings.HasSuffix(k, "~") {
						delete(h, k)
					}
				}
				return h
			}
			if d := remediatetest.TreeDiff(withoutBackups(remediatetest.Tree(t, byScript)), withoutBackups(remediatetest.Tree(t, byPlaybook))); len(d) > 0 {
				t.Errorf("the playbook and the script left different files:\n%s", strings.Join(d, "\n"))
			}
			fileFixes, _ := assertFixed(t, byPlaybook, before, checksOf(t, byPlaybook, args...))
			if fileFixes == 0 {
				t.Error("no file-based fix: the loop proves nothing")
			}

			applied := remediatetest.Tree(t, byPlaybook)
			code, out := remediatetest.RunPlaybook(t, playbook, byPlaybook)
			if code != 0 || remediatetest.Recap(t, out)["changed"] != 0 {
				t.Errorf("second run: exit %d, %d tasks changed\n%s", code, remediatetest.Recap(t, out)["changed"], out)
			}
			if d := remediatetest.TreeDiff(applied, remediatetest.Tree(t, byPlaybook)); len(d) > 0 {
				t.Errorf("a second run changed files:\n%s", strings.Join(d, "\n"))
			}
		})
	}
}
