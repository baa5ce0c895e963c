package kubernetes_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/golive-sh/golive/internal/cli"
	"github.com/golive-sh/golive/internal/testenv"
)

// goliveCommand is the golive invocation in the container's loop, as
// words. The manifest keeps it literal (no variables) so it can be run here.
func goliveCommand(t *testing.T, script string) []string {
	t.Helper()
	line := regexp.MustCompile(`(?m)^\s*(/usr/bin/golive check .*)$`).FindStringSubmatch(script)
	if line == nil {
		t.Fatalf("no `/usr/bin/golive check ...` line in the container's script:\n%s", script)
	}
	if strings.ContainsAny(line[1], `$"'\`) {
		t.Fatalf("the golive line uses shell expansion or quoting; keep it literal: %s", line[1])
	}
	return strings.Fields(line[1])
}

// The loop is POSIX sh as busybox runs it, and shellcheck-clean.
func TestScriptIsCleanShell(t *testing.T) {
	ds, _ := manifest(t)
	s := script(t, golive(t, ds))
	shellcheck := testenv.NeedCommand(t, "shellcheck", "shellcheck")
	cmd := exec.Command(shellcheck, "--shell=sh", "-")
	cmd.Stdin = strings.NewReader(s)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
	if !strings.Contains(s, "trap ") {
		t.Error("no trap: sh as PID 1 ignores TERM and every pod deletion waits for the grace period")
	}
}

// The container's golive command line, run here by the real binary against
// a fixture root with the ConfigMap's profile: every flag exists, the
// profile is valid, and the output is a textfile node_exporter can parse.
func TestCommandRunsAgainstAFixtureRoot(t *testing.T) {
	ds, cm := manifest(t)
	args := goliveCommand(t, script(t, golive(t, ds)))
	profile := cm.Data["golive.yaml"]
	if profile == "" {
		t.Fatal("the golive-config ConfigMap has no golive.yaml")
	}
	if !slices.Contains(cli.ReportFormats(), "prom") {
		t.Fatal("this build has no --format prom: the DaemonSet's command cannot work")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "golive")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "github.com/golive-sh/golive/cmd/golive")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build golive: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "golive.yaml"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../../../testdata/roots/rocky-9")
	if err != nil {
		t.Fatal(err)
	}
	here := map[string]string{
		"/usr/bin/golive":         bin,
		"/host":                   root,
		"/etc/golive/golive.yaml": filepath.Join(dir, "golive.yaml"),
		"/textfile/golive.prom":   filepath.Join(dir, "golive.prom"),
	}
	for i, a := range args {
		if p, ok := here[a]; ok {
			args[i] = p
		}
	}
	// The fixture's nameservers are not ours to query.
	cmd := exec.Command(args[0], append(args[1:], "--offline")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	f, err := os.Open(filepath.Join(dir, "golive.prom"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(f)
	if err != nil {
		t.Fatalf("golive.prom is not the Prometheus text format: %v", err)
	}
	if len(families) == 0 {
		t.Error("golive.prom holds no metric")
	}
}
