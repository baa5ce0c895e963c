// Package ansible_test runs the example playbook, golive.yml, with a real
// ansible-playbook against this machine (-c local) and the real golive
// binary. Everything Ansible and golive write goes to the test's temporary
// directories.
package ansible_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/report/reporttest"
	"github.com/golive-sh/golive/internal/testenv"
)

// golive is the binary the playbook copies, built once for the package.
var golive string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "golive-ansible-test")
	if err != nil {
		panic(err)
	}
	golive = filepath.Join(dir, "golive")
	build := exec.Command("go", "build", "-trimpath", "-o", golive, "github.com/golive-sh/golive/cmd/golive")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		panic("build golive: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// play is one ansible-playbook run and what it left behind.
type play struct {
	code    int
	output  string
	reports string // golive_reports_dir
	remote  string // golive_remote_tmp: must be empty after the play
}

// runPlaybook runs golive.yml on localhost with golive_args and a
// configuration, home and temp directories of its own.
func runPlaybook(t *testing.T, args ...string) play {
	t.Helper()
	bin := testenv.NeedCommand(t, "ansible-playbook", "ansible")
	dir := t.TempDir()
	p := play{reports: filepath.Join(dir, "reports"), remote: filepath.Join(dir, "remote")}
	for _, d := range []string{"home", "local-tmp", "remote-tmp", "tmp", "remote"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "ansible.cfg"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	vars, err := json.Marshal(map[string]any{
		"golive_binary":              golive,
		"golive_args":                args,
		"golive_reports_dir":         p.reports,
		"golive_remote_tmp":          p.remote,
		"golive_become":              false,
		"ansible_python_interpreter": "auto_silent",
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-i", "localhost,", "-c", "local", "golive.yml", "-e", string(vars))
	cmd.Env = ansibleEnv(dir)
	out, err := cmd.CombinedOutput()
	p.output = string(out)
	if ee, ok := err.(*exec.ExitError); ok {
		p.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return p
}

// ansibleEnv confines Ansible to dir: its home (~/.ansible), its temp
// directories on both sides and an empty configuration, so that no
// user's or machine's ansible.cfg changes the run. GOLIVE_* settings of
// the caller are dropped: the playbook's arguments alone decide.
func ansibleEnv(dir string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "ANSIBLE_") && !strings.HasPrefix(e, "GOLIVE_") &&
			!strings.HasPrefix(e, "HOME=") && !strings.HasPrefix(e, "TMPDIR=") {
			env = append(env, e)
		}
	}
	return append(env,
		"HOME="+filepath.Join(dir, "home"),
		"TMPDIR="+filepath.Join(dir, "tmp"),
		"ANSIBLE_CONFIG="+filepath.Join(dir, "ansible.cfg"),
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "local-tmp"),
		"ANSIBLE_REMOTE_TEMP="+filepath.Join(dir, "remote-tmp"),
		"ANSIBLE_NOCOLOR=1",
		"ANSIBLE_RETRY_FILES_ENABLED=false",
	)
}

type report struct {
	Verdict string `json:"verdict"`
	Summary struct {
		Fail  int `json:"fail"`
		Error int `json:"error"`
	} `json:"summary"`
	Checks []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"checks"`
}

// fetched is the report the play brought back, validated against the
// published schema.
func (p play) fetched(t *testing.T) report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(p.reports, "localhost.json"))
	if err != nil {
		t.Fatalf("no report fetched: %v\n%s", err, p.output)
	}
	if err := reporttest.Validate(data); err != nil {
		t.Fatalf("fetched report is not a golive/report/v1 report: %v", err)
	}
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// cleanedUp fails unless the play removed its directory from the host.
func (p play) cleanedUp(t *testing.T) {
	t.Helper()
	left, err := os.ReadDir(p.remote)
	if err != nil || len(left) != 0 {
		t.Errorf("the play left %v on the host (%v)\n%s", left, err, p.output)
	}
}

func TestPlaybookSyntax(t *testing.T) {
	bin := testenv.NeedCommand(t, "ansible-playbook", "ansible")
	dir := t.TempDir()
	for _, d := range []string{"home", "local-tmp", "remote-tmp", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, playbook := range []string{"golive.yml", "golive-role.yml"} {
		cmd := exec.Command(bin, "--syntax-check", "-i", "localhost,", playbook)
		cmd.Env = ansibleEnv(dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("syntax check of %s: %v\n%s", playbook, err, out)
		}
	}
}

// A ready host: the play passes and the report comes back. os/kernel
// passes on any kernel a Go 1.26 binary runs on (>= 3.10 in the generic
// profile), so this is a real check of this machine that cannot flake.
func TestPlaybookPassesOnAReadyHost(t *testing.T) {
	p := runPlaybook(t, "--profile", "linux", "--only", "os/kernel", "--offline")
	if p.code != 0 {
		t.Fatalf("ansible-playbook exited %d on a ready host\n%s", p.code, p.output)
	}
	r := p.fetched(t)
	if r.Verdict != "pass" || len(r.Checks) != 1 || r.Checks[0].ID != "os/kernel" {
		t.Errorf("fetched report: verdict %q, checks %v", r.Verdict, r.Checks)
	}
	if !strings.Contains(p.output, "localhost: pass") {
		t.Errorf("no fleet summary line for the host\n%s", p.output)
	}
	p.cleanedUp(t)
}

// A host that is not ready fails the play with the counts and the
// failing checks, and its report is still fetched for the ticket.
func TestPlaybookFailsANotReadyHost(t *testing.T) {
	broken, err := filepath.Abs("../../../testdata/roots/broken")
	if err != nil {
		t.Fatal(err)
	}
	p := runPlaybook(t, "--root", broken, "--offline")
	if p.code == 0 {
		t.Fatalf("the play passed for a host that is not ready\n%s", p.output)
	}
	r := p.fetched(t)
	if r.Verdict != "fail" || r.Summary.Fail == 0 {
		t.Fatalf("fetched report: verdict %q, %d failed", r.Verdict, r.Summary.Fail)
	}
	want := fmt.Sprintf("localhost is not ready: %d failed, %d errors", r.Summary.Fail, r.Summary.Error)
	if !strings.Contains(p.output, want) {
		t.Errorf("the play's failure does not say %q\n%s", want, p.output)
	}
	for _, c := range r.Checks {
		if c.Status == "fail" && !regexp.MustCompile(`\(.*\b`+regexp.QuoteMeta(c.ID)+`\b`).MatchString(p.output) {
			t.Errorf("the failure message does not name the failed check %s", c.ID)
		}
	}
	p.cleanedUp(t)
}

// golive refusing its arguments (exit 2) fails the play at the run, and
// the host is cleaned up all the same.
func TestPlaybookStopsOnAnInvalidInvocation(t *testing.T) {
	p := runPlaybook(t, "--only", "no-such-check/*", "--offline")
	if p.code == 0 || !strings.Contains(p.output, "matches no check") {
		t.Fatalf("exit %d; want the play to fail showing golive's error\n%s", p.code, p.output)
	}
	if _, err := os.Stat(filepath.Join(p.reports, "localhost.json")); !os.IsNotExist(err) {
		t.Errorf("a report was fetched for a run that checked nothing")
	}
	p.cleanedUp(t)
}
