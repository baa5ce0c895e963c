package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// golive.yaml(5) is the profile reference as a man page: every section
// and the limits golive enforces.
func TestProfilePageCarriesTheReference(t *testing.T) {
	dir := t.TempDir()
	if err := writeProfilePage(dir, "v1.2.3", time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "golive.yaml.5"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	for _, want := range []string{`.TH GOLIVE.YAML 5 "Nov 2026" "golive v1.2.3" "golive manual"`, ".SH NAME", "rlimits",
		"etcd.endpoints", "at most 64 entries", "options.timeout", "waivers[].expires", "SEE ALSO"} {
		if !strings.Contains(page, want) {
			t.Errorf("golive.yaml.5 lacks %q", want)
		}
	}
}
