package cli_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// disk/fsync is the one check that writes: it is planned only with
// --probe fsync or options: probe, writes in the named directory only and
// leaves it as it was.
func TestProbeFsyncOnlyWhenAsked(t *testing.T) {
	dir := t.TempDir()
	body := "extends: auto\ndisk:\n  paths:\n    " + dir + ": {fsync: true}\n"
	cfg := writeConfig(t, body)
	ids := func(out string) []string {
		var got []string
		for _, c := range decode(t, out).Checks {
			got = append(got, c.ID+"="+c.Status)
		}
		return got
	}
	_, out, stderr := runInProcess(t, "check", "--offline", "--config", cfg, "--format", "json", "--only", "disk/*:"+dir)
	if got := ids(out); strings.Contains(strings.Join(got, " "), "disk/fsync") {
		t.Errorf("without --probe: %v (%s)", got, stderr)
	}
	if code, _, stderr := runInProcess(t, "check", "--offline", "--probe", "fio"); code != 2 || !strings.Contains(stderr, `--probe "fio"`) {
		t.Errorf("--probe fio: exit %d, %s", code, stderr)
	}
	for _, args := range [][]string{
		{"--probe", "fsync"},
		{"--config", writeConfig(t, body+"options:\n  probe: [fsync]\n")},
	} {
		argv := append([]string{"check", "--offline", "--format", "json", "--only", "disk/fsync:" + dir}, args...)
		if args[0] == "--probe" {
			argv = append(argv, "--config", cfg)
		}
		_, out, stderr := runInProcess(t, argv...)
		got := ids(out)
		if len(got) != 1 || !strings.HasPrefix(got[0], "disk/fsync:"+dir+"=") || strings.HasSuffix(got[0], "=error") || strings.HasSuffix(got[0], "=skip") {
			t.Errorf("%v: %v (%s)", args, got, stderr)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%v left %v in %s", args, entries, dir)
		}
	}
}

// With --probe fsync the traced binary opens for writing and removes
// exactly one thing: the probe's own temp file in the probed directory.
func TestProbeFsyncWritesOnlyItsTempFile(t *testing.T) {
	strace := testenv.NeedCommand(t, "strace", "strace")
	dir := t.TempDir()
	cfg := writeConfig(t, "extends: auto\ndisk:\n  paths:\n    "+dir+": {fsync: true}\n")
	trace := filepath.Join(t.TempDir(), "trace")
	cmd := exec.Command(strace, "-f", "-qq", "-o", trace, "-e", "trace=open,openat,"+modifying,
		golive, "check", "--offline", "--probe", "fsync", "--config", cfg, "--format", "json")
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("strace golive check --probe fsync: %v\n%s", err, out)
	}
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	temp := regexp.MustCompile(regexp.QuoteMeta(`"`+dir+"/.golive-fsync-") + `[0-9a-f]{16}\.tmp"`)
	writes := 0
	for _, line := range strings.Split(string(data), "\n") {
		if openForWriting.MatchString(line) || containsSyscall(line, modifying) {
			if !temp.MatchString(line) {
				t.Errorf("golive check --probe fsync changed something else: %s", line)
			}
			writes++
		}
	}
	if writes != 2 { // the O_EXCL create and the unlink
		t.Errorf("%d writing syscalls on the temp file, want 2:\n%s", writes, data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %v", entries)
	}
}
