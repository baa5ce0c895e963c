package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/golive-sh/golive/internal/cli"
)

// commandPages names the page every user-visible command must have,
// walking the same tree the binary runs.
func commandPages(t *testing.T) []string {
	t.Helper()
	root := cli.NewRootCmd(cli.IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
	root.InitDefaultCompletionCmd()
	var pages []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		pages = append(pages, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				walk(sub)
			}
		}
	}
	walk(root)
	return pages
}

func TestEveryCommandHasAPage(t *testing.T) {
	dir := t.TempDir()
	if err := writeManPages(dir, "v1.2.3", time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	pages := commandPages(t)
	for _, must := range []string{"golive.1", "golive-check.1", "golive-version.1", "golive-completion-bash.1"} {
		if !slices.Contains(pages, must) {
			t.Errorf("the command tree has no %s: the walk above is wrong", must)
		}
	}
	for _, p := range pages {
		data, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Errorf("no page for a command: %v", err)
			continue
		}
		title := strings.ToUpper(strings.TrimSuffix(p, ".1"))
		th := `.TH "` + title + `" "1" "Nov 2026" "golive v1.2.3" "golive manual"`
		if !bytes.Contains(data, []byte(th+"\n")) {
			t.Errorf("%s: want header %s, got:\n%s", p, th, firstLines(data, 3))
		}
		if bytes.Contains(data, []byte("Auto generated")) {
			t.Errorf("%s carries cobra's generated-on history", p)
		}
	}
	check, _ := os.ReadFile(filepath.Join(dir, "golive-check.1"))
	for _, flag := range []string{"--root", "--offline", "--fail-on"} {
		if !bytes.Contains(check, []byte(`\fB`+flag)) {
			t.Errorf("golive-check.1 does not document %s", flag)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(pages) {
		t.Errorf("%d files for %d commands", len(entries), len(pages))
	}
}

// Release builds must be reproducible: the same commit and date give the
// same bytes, and a page of a removed command does not linger.
func TestPagesAreReproducibleAndStalePagesGo(t *testing.T) {
	date := time.Unix(1763683200, 0).UTC()
	a, b := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(b, "golive-removed.1"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{a, b} {
		if err := writeManPages(dir, "v1.2.3", date); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(b, "golive-removed.1")); !os.IsNotExist(err) {
		t.Error("the page of a command that no longer exists was kept")
	}
	for _, p := range commandPages(t) {
		pa, _ := os.ReadFile(filepath.Join(a, p))
		pb, _ := os.ReadFile(filepath.Join(b, p))
		if !bytes.Equal(pa, pb) || len(pa) == 0 {
			t.Errorf("%s differs between two builds of the same version and date", p)
		}
	}
}

func TestSourceDate(t *testing.T) {
	got, err := sourceDate("1763683200")
	if err != nil || got != time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC) {
		t.Errorf("sourceDate: %v, %v", got, err)
	}
	if _, err := sourceDate("yesterday"); err == nil {
		t.Error("a SOURCE_DATE_EPOCH that is not a number was accepted")
	}
}

func firstLines(data []byte, n int) string {
	lines := strings.SplitN(string(data), "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
