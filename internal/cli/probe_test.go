package cli_test

import (
	"os"
	"strings"
	"testing"
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
