package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every page has EXIT STATUS before SEE ALSO; the commands that read
// GOLIVE_* and ./golive.yaml say so in ENVIRONMENT and FILES.
func TestPagesHaveExitStatusEnvironmentAndFiles(t *testing.T) {
	dir := t.TempDir()
	if err := writeManPages(dir, "v1.2.3", time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	for _, page := range commandPages(t) {
		text := read(page)
		i, j := strings.Index(text, ".SH EXIT STATUS"), strings.Index(text, ".SH SEE ALSO")
		if i < 0 || (j >= 0 && j < i) {
			t.Errorf("%s: no EXIT STATUS before SEE ALSO", page)
		}
	}
	check := read("golive-check.1")
	for _, want := range []string{".SH ENVIRONMENT", `\fBGOLIVE_ONLY\fP`, `\fBGOLIVE_FAIL_ON\fP`, `\fBNO_COLOR\fP`,
		".SH FILES", `\fI./golive.yaml\fP`, `\fB3\fP`} {
		if !strings.Contains(check, want) {
			t.Errorf("golive-check.1 misses %s", want)
		}
	}
	// remediate's own flags are read from the command line only.
	rem := read("golive-remediate.1")
	if !strings.Contains(rem, `\fBGOLIVE_OFFLINE\fP`) || strings.Contains(rem, `\fBGOLIVE_FORMAT\fP`) {
		t.Errorf("golive-remediate.1 ENVIRONMENT is wrong")
	}
	if v := read("golive-version.1"); strings.Contains(v, ".SH ENVIRONMENT") || strings.Contains(v, ".SH FILES") {
		t.Errorf("golive-version.1 has an ENVIRONMENT or FILES section")
	}
}
