package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/cli"
	"github.com/golive-sh/golive/internal/remediate/remediatetest"
	"github.com/golive-sh/golive/internal/report"
)

// runWithInput runs golive's CLI in this process with stdin and a pinned
// clock.
func runWithInput(t *testing.T, stdin io.Reader, args ...string) run {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Execute(args, cli.IO{
		In: stdin, Out: &out, Err: &errb,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return goldenNow },
	})
	return run{code, out.String(), errb.String()}
}

func fixtureRoot(name string) string { return filepath.Join("..", "..", "testdata", "roots", name) }

// withoutCheckedLine drops the header line that says when the checks ran:
// a live run and a report read later were made at different times.
func withoutCheckedLine(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "# Checked: ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func TestRemediateFromReportMatchesALiveRun(t *testing.T) {
	root := fixtureRoot("rocky-9")
	report := runWithInput(t, nil, "check", "--root", root, "--format", "json")
	if report.code != 1 {
		t.Fatalf("check: exit %d", report.code)
	}
	path := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(path, []byte(report.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"bash", "ansible"} {
		live := runWithInput(t, nil, "remediate", "--root", root, "--format", format)
		fromFile := runWithInput(t, nil, "remediate", "--from", path, "--format", format)
		fromStdin := runWithInput(t, strings.NewReader(report.stdout), "remediate", "--from", "-", "--format", format)
		for _, r := range []run{live, fromFile, fromStdin} {
			if r.code != 0 || !strings.Contains(r.stderr, " automatic action") {
				t.Fatalf("%s: exit %d stderr %q", format, r.code, r.stderr)
			}
		}
		if withoutCheckedLine(live.stdout) != withoutCheckedLine(fromFile.stdout) || fromFile.stdout != fromStdin.stdout {
			t.Errorf("%s: --from gives another result than a live run", format)
		}
		if !strings.Contains(live.stdout, "Rocky Linux 9 (os-release ID rocky VERSION_ID 9*; or ID rhel VERSION_ID 9*; or ID almalinux VERSION_ID 9*; or ID ol VERSION_ID 9*; or ID_LIKE rhel VERSION_ID 9*)") {
			t.Errorf("%s: the guard is not the rocky-9 profile's match rules:\n%s", format, live.stdout[:min(2000, len(live.stdout))])
		}
	}
}

func TestRemediateInvocationErrors(t *testing.T) {
	dir := t.TempDir()
	good := runWithInput(t, nil, "check", "--root", fixtureRoot("centos-7"), "--format", "json").stdout
	files := map[string]string{
		"not-json.json":  "schema: golive/report/v1\n",
		"v2.json":        strings.Replace(good, `"golive/report/v1"`, `"golive/report/v2"`, 1),
		"bad-type.json":  strings.Replace(good, `"type": "sysctl-set"`, `"type": "shell"`, 1),
		"no-checks.json": strings.Replace(good, `"checks": [`, `"chekcs": [`, 1),
		"array.json":     "[]",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name  string
		stdin io.Reader
		args  []string
		want  string
	}{
		{"bad format", nil, []string{"remediate", "--root", fixtureRoot("centos-7"), "--format", "powershell"}, `--format "powershell": use bash or ansible`},
		{"missing report", nil, []string{"remediate", "--from", filepath.Join(dir, "nope.json")}, "nope.json: no such file"},
		{"not JSON", nil, []string{"remediate", "--from", filepath.Join(dir, "not-json.json")}, "not-json.json: not JSON"},
		{"another schema", nil, []string{"remediate", "--from", filepath.Join(dir, "v2.json")}, `v2.json: schema "golive/report/v2"`},
		{"unknown action type", nil, []string{"remediate", "--from", filepath.Join(dir, "bad-type.json")}, `bad-type.json: check sysctl/net.core.netdev_max_backlog: remediation action of unknown type "shell"`},
		{"missing field", nil, []string{"remediate", "--from", filepath.Join(dir, "no-checks.json")}, `no-checks.json: no "checks" list`},
		{"not an object", nil, []string{"remediate", "--from", filepath.Join(dir, "array.json")}, "array.json: not JSON"},
		{"too large", io.LimitReader(repeat(' '), report.MaxReportSize+1), []string{"remediate", "--from", "-"}, "--from standard input: larger than 488 MiB"},
		{"--from with --root", nil, []string{"remediate", "--from", "-", "--root", "/"}, "--from reads a finished report: --root would not apply"},
		{"bad run flag", nil, []string{"remediate", "--root", fixtureRoot("centos-7"), "--timeout", "soon"}, "--timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.stdin
			if in == nil {
				in = strings.NewReader("")
			}
			r := runWithInput(t, in, c.args...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
				t.Errorf("exit %d stderr %q stdout %d bytes; want exit 2 with %q and no output", r.code, r.stderr, len(r.stdout), c.want)
			}
		})
	}
}

type repeat byte

func (b repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

func TestRemediateNothingToFix(t *testing.T) {
	dir := workdir(t)
	for _, format := range []string{"bash", "ansible"} {
		out := filepath.Join(dir, "fix."+format)
		r := exe(t, golive, dir, nil, "remediate", "--root", "root", "--config", "pass.yaml", "--only", "sysctl", "--format", format, "-o", out)
		if r.code != 0 || !strings.Contains(r.stderr, "golive: 0 fixes: 0 automatic actions, 0 manual steps, 0 need a reboot") {
			t.Fatalf("%s: exit %d stderr %q", format, r.code, r.stderr)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if format == "bash" {
			lintScript(t, out)
			copyDir := filepath.Join(t.TempDir(), "root")
			if err := os.CopyFS(copyDir, os.DirFS(filepath.Join(dir, "root"))); err != nil {
				t.Fatal(err)
			}
			before := remediatetest.Tree(t, copyDir)
			a := applyScript(t, out, copyDir)
			if a.code != 0 || !strings.Contains(a.stdout, "nothing to fix") {
				t.Errorf("exit %d stdout %q", a.code, a.stdout)
			}
			if d := remediatetest.TreeDiff(before, remediatetest.Tree(t, copyDir)); len(d) > 0 {
				t.Errorf("changed: %v", d)
			}
		} else if !strings.Contains(string(data), "hosts: \"testhost\"") {
			t.Errorf("not a playbook:\n%s", data)
		}
	}
	// -q: no summary.
	if r := exe(t, golive, dir, nil, "remediate", "--root", "root", "--config", "pass.yaml", "--only", "sysctl", "-q"); r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, "#!/usr/bin/env bash\n") {
		t.Errorf("-q: exit %d stderr %q", r.code, r.stderr)
	}
}

// TestRemediateHostileProfileValue: a value from the service's profile
// with blanks, quotes, $(...), backticks and backslashes reaches the
// sysctl.d file as the literal text, and nothing in it runs.
func TestRemediateHostileProfileValue(t *testing.T) {
	work := t.TempDir()
	marker := filepath.Join(work, "PWNED")
	value := `|/bin/x 'a b' "c" $(touch ` + marker + `) ` + "`touch " + marker + "`" + ` \ \\ ${HOME} {{ x }} %s`
	yamlValue := strings.ReplaceAll(value, `'`, `''`)
	write(t, work, "hostile.yaml", "extends: auto\nsysctl:\n  kernel.core_pattern: '"+yamlValue+"'\n")
	for _, root := range []string{"centos-7", "rocky-9"} {
		copyDir := copyRoot(t, root)
		script := filepath.Join(work, root+".sh")
		r := exe(t, golive, work, nil, "remediate", "-q", "--root", copyDir, "--config", "hostile.yaml", "--only", "sysctl/kernel.core_pattern", "-o", script)
		if r.code != 0 {
			t.Fatalf("remediate: exit %d\n%s", r.code, r.stderr)
		}
		lintScript(t, script)
		for _, env := range [][]string{{"DRY_RUN=1"}, nil, nil} {
			if a := applyScript(t, script, copyDir, env...); a.code != 0 {
				t.Fatalf("%v: exit %d\n%s", env, a.code, a.stderr)
			}
		}
		got, err := os.ReadFile(filepath.Join(copyDir, "etc/sysctl.d/90-golive.conf"))
		if err != nil || string(got) != "kernel.core_pattern = "+value+"\n" {
			t.Errorf("%s: 90-golive.conf = %q (%v), want the literal value %q", root, got, err, value)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatal("a command in the profile value ran")
		}
		after := checksOf(t, copyDir, "--config", filepath.Join(work, "hostile.yaml"), "--only", "sysctl/kernel.core_pattern")
		if p, _ := after["sysctl/kernel.core_pattern"].Details["persisted"].(string); p != value {
			t.Errorf("%s: the check reads the persisted value as %q", root, p)
		}
	}
}

// TestRemediateNewlineValueIsManual: a value that holds a newline cannot
// be one config line; a report carrying one gets a manual step, and the
// file is not touched.
func TestRemediateNewlineValueIsManual(t *testing.T) {
	root := copyRoot(t, "ubuntu-22.04")
	rep := runWithInput(t, nil, "check", "--root", root, "--format", "json", "--only", "sysctl")
	var doc map[string]any
	if err := json.Unmarshal([]byte(rep.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	injected := 0
	for _, c := range doc["checks"].([]any) {
		c := c.(map[string]any)
		if plan, ok := c["remediation"].(map[string]any); ok {
			for _, a := range plan["actions"].([]any) {
				if a := a.(map[string]any); a["type"] == "sysctl-set" {
					a["value"] = "1\nkernel.panic = 1"
					injected++
				}
			}
		}
	}
	if injected == 0 {
		t.Fatal("no sysctl-set action to inject into")
	}
	data, _ := json.Marshal(doc)
	work := t.TempDir()
	script := filepath.Join(work, "fix.sh")
	r := runWithInput(t, bytes.NewReader(data), "remediate", "--from", "-", "-o", script)
	if r.code != 0 || !strings.Contains(r.stderr, fmt.Sprintf(" %d manual steps", injected)) {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	lintScript(t, script)
	text, _ := os.ReadFile(script)
	if strings.Count(string(text), "# MANUAL: cannot apply automatically (a newline or control character cannot be part of one config line)") != injected {
		t.Errorf("want %d manual comments:\n%s", injected, text)
	}
	before := remediatetest.Tree(t, root)
	if a := applyScript(t, script, root); a.code != 0 || !strings.Contains(a.stdout, "to do by hand") {
		t.Fatalf("exit %d\n%s", a.code, a.stdout)
	}
	if d := remediatetest.TreeDiff(before, remediatetest.Tree(t, root)); len(d) > 0 {
		t.Errorf("a manual step changed files: %v", d)
	}
}

// TestRemediateAbortedRun: when --timeout ends the run, the fixes of the
// checks that finished are still written, and the exit code says 3.
func TestRemediateAbortedRun(t *testing.T) {
	dir := workdir(t)
	r := exe(t, goliveTest, dir, nil, "remediate", "--root", "root", "--config", "sleep.yaml", "--timeout", "500ms")
	if r.code != 3 || !strings.HasPrefix(r.stdout, "#!/usr/bin/env bash\n") || !strings.Contains(r.stdout, "\ngolive_finish\n") {
		t.Fatalf("exit %d stderr %q stdout %q", r.code, r.stderr, r.stdout[:min(200, len(r.stdout))])
	}
}
