package cli_test

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golive-sh/golive/checks/libc/libctest"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

// Binaries built once for the package: the release build, and one with the
// test-only sleep family (-tags golive_testfamily).
var golive, goliveTest string

func TestMain(m *testing.M) {
	// No test sends a query off loopback: not to this machine's resolver
	// (check on "/") nor to the fixture roots' 10.0.0.x nameservers. A test
	// that wants the network passes --offline=false against its own
	// loopback server.
	os.Setenv("GOLIVE_OFFLINE", "true")
	dir, err := os.MkdirTemp("", "golive-cli-test")
	if err != nil {
		panic(err)
	}
	// Readable by the unprivileged user TestNonRootRun switches to.
	if err := os.Chmod(dir, 0o755); err != nil {
		panic(err)
	}
	golive = filepath.Join(dir, "golive")
	goliveTest = filepath.Join(dir, "golive-testfamily")
	for _, b := range []struct {
		out  string
		tags []string
	}{{golive, nil}, {goliveTest, []string{"-tags", "golive_testfamily"}}} {
		args := append([]string{"build", "-trimpath", "-o", b.out}, b.tags...)
		args = append(args, "github.com/golive-sh/golive/cmd/golive")
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			panic("build golive: " + err.Error() + "\n" + string(out))
		}
	}
	code := m.Run()
	libctest.Cleanup()
	os.RemoveAll(dir)
	os.Exit(code)
}

type run struct {
	code           int
	stdout, stderr string
}

// exe runs a golive binary in dir with a clean GOLIVE_* environment.
func exe(t *testing.T, bin, dir string, env []string, args ...string) run {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GOLIVE_") && !strings.HasPrefix(e, "NO_COLOR=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, "GOLIVE_OFFLINE=true") // see TestMain
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return run{code, out.String(), errb.String()}
}

// workdir holds a root with a known kernel parameter and profiles for it.
func workdir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "root/etc/os-release", "ID=testos\nVERSION_ID=1\nPRETTY_NAME=\"Test OS 1\"\n")
	write(t, dir, "root/etc/machine-id", "0123456789abcdef0123456789abcdef\n")
	write(t, dir, "root/proc/sys/kernel/osrelease", "5.14.0-1.x86_64\n")
	write(t, dir, "root/proc/sys/kernel/hostname", "testhost\n")
	write(t, dir, "root/proc/sys/net/core/somaxconn", "4096\n")
	write(t, dir, "root/etc/sysctl.d/60-app.conf", "net.core.somaxconn = 4096\n")
	write(t, dir, "root/etc/resolv.conf", "nameserver 127.0.0.1\noptions timeout:2\n")
	write(t, dir, "root/etc/nsswitch.conf", "hosts: files dns\n")
	bundle, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata/roots/ubuntu-22.04/etc/ssl/certs/ca-certificates.crt"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "root/etc/ssl/certs/ca-certificates.crt", string(bundle)) // valid until 2045
	write(t, dir, "pass.yaml", "sysctl:\n  net.core.somaxconn: \">= 1024\"\n")
	write(t, dir, "fail.yaml", "sysctl:\n  net.core.somaxconn: \">= 65535\"\n")
	write(t, dir, "warn.yaml", "sysctl:\n  net.core.somaxconn: {expect: \">= 65535\", level: warn}\n")
	write(t, dir, "sleep.yaml", "testsleep:\n  quick: 0s\n  slow: 1h\n")
	return dir
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestExitCodes(t *testing.T) {
	dir := workdir(t)
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"ready", []string{"check", "--root", "root", "--config", "pass.yaml"}, 0, ""},
		{"a failure", []string{"check", "--root", "root", "--config", "fail.yaml"}, 1, ""},
		{"report-only", []string{"check", "--root", "root", "--config", "fail.yaml", "--fail-on", "none"}, 0, ""},
		{"warnings pass by default", []string{"check", "--root", "root", "--config", "warn.yaml", "--only", "sysctl"}, 0, ""},
		{"warnings fail with --fail-on warn", []string{"check", "--root", "root", "--config", "warn.yaml", "--only", "sysctl", "--fail-on", "warn"}, 1, ""},
		{"unknown flag", []string{"check", "--no-such-flag"}, 2, "unknown flag"},
		{"bad format", []string{"check", "--root", "root", "--format", "xml"}, 2, `--format "xml"`},
		{"bad fail-on", []string{"check", "--root", "root", "--fail-on", "sometimes"}, 2, "--fail-on"},
		{"bad timeout", []string{"check", "--root", "root", "--timeout", "soon"}, 2, "--timeout"},
		{"missing root", []string{"check", "--root", "nope"}, 2, "--root"},
		{"missing config", []string{"check", "--root", "root", "--config", "nope.yaml"}, 2, "nope.yaml"},
		{"unknown built-in", []string{"check", "--root", "root", "--profile", "solaris-11"}, 2, `no built-in profile "solaris-11"`},
		{"--only matches nothing", []string{"check", "--root", "root", "--only", "sysctl/typo*"}, 2, "matches no check"},
		{"unknown command", []string{"chek"}, 2, "unknown command"},
		{"explain unknown ID", []string{"explain", "nosuch/check"}, 2, "unknown check"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := exe(t, golive, dir, nil, c.args...)
			if r.code != c.code || !strings.Contains(r.stderr, c.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d with %q\nstdout:\n%s", r.code, r.stderr, c.code, c.stderr, r.stdout)
			}
		})
	}
}

func TestProfileErrorsExit2WithFileAndLine(t *testing.T) {
	dir := workdir(t)
	cases := map[string]struct{ yaml, want string }{
		"yaml syntax":     {"sysctl:\n  a: 1\n  b: c: d\n", "bad.yaml:3: mapping values are not allowed"},
		"bad expectation": {"sysctl:\n  net.core.somaxconn: \">= lots\"\n", "bad.yaml:2: net.core.somaxconn"},
		"unknown section": {"os: {kernel: \">= 1\"}\nsysctll:\n  a: 1\n", "bad.yaml:2: unknown top-level key \"sysctll\": did you mean \"sysctl\"?"},
		"unknown fact":    {"facts:\n  glibcc: \"2.17\"\n", "bad.yaml:2: unknown key \"glibcc\""},
		"extends cycle":   {"extends: bad.yaml\n", "cycle"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			write(t, dir, "bad.yaml", c.yaml)
			r := exe(t, golive, dir, nil, "check", "--root", "root", "--config", "bad.yaml")
			if r.code != 2 || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
				t.Fatalf("exit %d stderr %q stdout %q; want exit 2 naming %q and no report", r.code, r.stderr, r.stdout, c.want)
			}
		})
	}
}

func TestTimeoutExits3WithPartialReport(t *testing.T) {
	dir := workdir(t)
	start := time.Now()
	r := exe(t, goliveTest, dir, nil, "check", "--root", "root", "--config", "sleep.yaml", "--format", "json", "--timeout", "500ms")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3; stderr %s", r.code, r.stderr)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("took %s: the run must end at --timeout", d)
	}
	rep := decode(t, r.stdout)
	if rep.Verdict != "aborted" || !strings.Contains(rep.Aborted, "--timeout") {
		t.Errorf("verdict %q aborted %q", rep.Verdict, rep.Aborted)
	}
	status := map[string]string{}
	for _, c := range rep.Checks {
		status[c.ID] = c.Status
	}
	if status["testsleep/quick"] != "pass" || status["testsleep/slow"] != "error" {
		t.Errorf("partial report statuses %v: the finished check keeps its result, the interrupted one is an error", status)
	}
}

func TestSignalExits3WithPartialReport(t *testing.T) {
	dir := workdir(t)
	// SIGINT must come once golive handles it (its run has started). On a
	// loaded machine (-race, every package's tests at once) the process can
	// take longer than the first wait to get there, and then dies of the
	// signal as any Go program does before it asks for it: the run is
	// repeated with twice the wait rather than failing on the machine's
	// speed. A golive that never handles SIGINT fails every try.
	for wait := 300 * time.Millisecond; ; wait *= 2 {
		cmd := exec.Command(goliveTest, "check", "--root", "root", "--config", "sleep.yaml", "--format", "json", "--check-timeout", "1h")
		cmd.Dir = dir
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(wait) // let it start the checks
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGINT && wait < 5*time.Second {
				t.Logf("golive died of SIGINT sent after %s, before its run started; again after %s", wait, 2*wait)
				continue
			}
		}
		if !errors.As(err, &ee) || ee.ExitCode() != 3 {
			t.Fatalf("wait: %v, want exit 3 (SIGINT sent after %s)", err, wait)
		}
		rep := decode(t, out.String())
		if rep.Verdict != "aborted" || !strings.Contains(rep.Aborted, "interrupt") {
			t.Errorf("verdict %q aborted %q", rep.Verdict, rep.Aborted)
		}
		return
	}
}

func TestBinaryIsStatic(t *testing.T) {
	f, err := elf.Open(golive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("golive has a program interpreter: it would not run on a host with another libc")
		}
	}
	if f.Section(".dynamic") != nil {
		t.Error("golive has a .dynamic section: it links shared libraries")
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := exe(t, golive, t.TempDir(), nil, args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "golive ") || !strings.Contains(r.stdout, runtime.GOARCH) {
			t.Errorf("%v: exit %d %q", args, r.code, r.stdout)
		}
	}
}

func TestEnvironmentAndConfigOptions(t *testing.T) {
	dir := workdir(t)
	// GOLIVE_FORMAT selects JSON.
	r := exe(t, golive, dir, []string{"GOLIVE_FORMAT=json", "GOLIVE_ROOT=root"}, "check", "--config", "pass.yaml")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	decode(t, r.stdout)
	// The config file's options: section is a default; a flag beats it.
	write(t, dir, "opts.yaml", "options:\n  format: json\n  fail_on: none\nsysctl:\n  net.core.somaxconn: \">= 65535\"\n")
	r = exe(t, golive, dir, nil, "check", "--root", "root", "--config", "opts.yaml")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "{") {
		t.Fatalf("config options not applied: exit %d %q", r.code, r.stdout[:min(80, len(r.stdout))])
	}
	r = exe(t, golive, dir, []string{"GOLIVE_FAIL_ON=fail"}, "check", "--root", "root", "--config", "opts.yaml", "--format", "table")
	if r.code != 1 || strings.HasPrefix(r.stdout, "{") {
		t.Fatalf("env and flag must beat the config file: exit %d", r.code)
	}
	// ./golive.yaml is picked up when present.
	write(t, dir, "golive.yaml", "sysctl:\n  net.core.somaxconn: \">= 65535\"\n")
	r = exe(t, golive, dir, nil, "check", "--root", "root", "--only", "sysctl")
	if r.code != 1 {
		t.Fatalf("./golive.yaml not used: exit %d", r.code)
	}
}

func TestOutputFileAndQuiet(t *testing.T) {
	dir := workdir(t)
	r := exe(t, golive, dir, nil, "check", "--root", "root", "--config", "fail.yaml", "--format", "json", "--output", "r.json", "-q")
	if r.code != 1 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("exit %d stdout %q stderr %q: -q with --output prints nothing", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	decode(t, string(data))
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".r.json") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestNoColorOffTerminal(t *testing.T) {
	dir := workdir(t)
	r := exe(t, golive, dir, nil, "check", "--root", "root", "--config", "fail.yaml")
	if strings.Contains(r.stdout, "\x1b[") {
		t.Error("ANSI colour written to a pipe")
	}
	if !strings.Contains(r.stdout, "FAIL") || !strings.Contains(r.stdout, "sysctl/net.core.somaxconn") {
		t.Errorf("table misses the failing check:\n%s", r.stdout)
	}
}

// TestCheckOnThisMachine runs golive as a new user would on the test
// machine: it may pass or fail, but it must not be an invocation error or
// a crash, and the JSON it writes is valid.
func TestCheckOnThisMachine(t *testing.T) {
	r := exe(t, golive, t.TempDir(), nil, "check", "--format", "json")
	if r.code != 0 && r.code != 1 {
		t.Fatalf("exit %d on this machine: %s", r.code, r.stderr)
	}
	if err := reporttest.Validate([]byte(r.stdout)); err != nil {
		t.Fatal(err)
	}
	rep := decode(t, r.stdout)
	if rep.Profile.Fallback && !strings.Contains(r.stderr, "generic") {
		t.Errorf("fell back to the generic profile without saying so: %q", r.stderr)
	}
}

type jsonReport struct {
	Verdict string `json:"verdict"`
	Aborted string `json:"aborted"`
	Profile struct {
		Name     string   `json:"name"`
		Chain    []string `json:"chain"`
		Fallback bool     `json:"fallback"`
	} `json:"profile"`
	Checks []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"checks"`
}

func decode(t *testing.T, s string) jsonReport {
	t.Helper()
	if err := reporttest.Validate([]byte(s)); err != nil {
		t.Fatalf("report does not validate against docs/report.schema.json: %v\n%s", err, s)
	}
	var r jsonReport
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("decode report: %v\n%s", err, s)
	}
	return r
}
