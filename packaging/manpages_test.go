package packaging_test

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/golive-sh/golive/internal/cli"
)

// manPages names the page of every command a user can run, walking the
// command tree of this build: golive.1, golive-check.1, ...
func manPages(t *testing.T) []string {
	t.Helper()
	root := cli.NewRootCmd(cli.IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
	root.InitDefaultCompletionCmd() // cobra adds it when the program runs
	var pages []string
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		pages = append(pages, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				walk(sub)
			}
		}
	}
	walk(root)
	if !slices.Contains(pages, "golive-check.1") || !slices.Contains(pages, "golive-completion-bash.1") {
		t.Fatalf("the command tree walk found only %v", pages)
	}
	return pages
}

// extraManPages are installed pages that no command has.
func extraManPages(t *testing.T, tree string) []string {
	t.Helper()
	installed, err := filepath.Glob(filepath.Join(tree, "usr/share/man/man1/*"))
	if err != nil {
		t.Fatal(err)
	}
	want := manPages(t)
	var extra []string
	for _, p := range installed {
		if !slices.Contains(want, strings.TrimSuffix(filepath.Base(p), ".gz")) {
			extra = append(extra, filepath.Base(p))
		}
	}
	return extra
}

// A page is gzip without a name or time in its header (so the package is
// reproducible) and has the header golive's pages carry.
func checkManPages(t *testing.T, tree string) {
	t.Helper()
	for _, p := range manPages(t) {
		f, err := os.Open(filepath.Join(tree, "usr/share/man/man1", p+".gz"))
		if err != nil {
			continue // reported as missing by the caller
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			t.Errorf("%s.gz: %v", p, err)
			continue
		}
		if zr.Name != "" || !zr.ModTime.IsZero() {
			t.Errorf("%s.gz carries the name %q and time %v of the build", p, zr.Name, zr.ModTime)
		}
		page, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Errorf("%s.gz: %v", p, err)
			continue
		}
		title := regexp.QuoteMeta(strings.ToUpper(strings.TrimSuffix(p, ".1")))
		th := regexp.MustCompile(`(?m)^\.TH "` + title + `" "1" "[A-Z][a-z]{2} [0-9]{4}" "golive ` + regexp.QuoteMeta(version) + `" "golive manual"$`)
		if !th.Match(page) {
			t.Errorf("%s: no .TH header for section 1 and golive %s:\n%.200s", p, version, page)
		}
	}
}
