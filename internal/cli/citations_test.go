package cli_test

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/golive-sh/golive/internal/cli"
	"github.com/golive-sh/golive/internal/profile"
)

// seedCitation is a citation of golive's internal field notes, which are
// not shipped: "seed 000", "003_2c6fb213591457c8.txt".
var seedCitation = regexp.MustCompile(`(?i)\bseeds?\b|\b00\d_[0-9a-f]{16}\.txt`)

// What explain says about every check a built-in profile plans (the demo
// service adds the unit's systemd, rlimit and cgroup checks), and the fixes
// remediate would write into /etc, cite only what a user has: the source
// itself or docs/; a drop-in written into /etc names golive and its check.
func TestUserVisibleTextCitesNoSeed(t *testing.T) {
	demo, err := filepath.Abs("../../testdata/golive-demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	explained := 0
	for _, root := range []string{"centos-7", "rocky-9", "ubuntu-22.04"} {
		rootDir := fixtureRoot(root)
		ids := reportIDs(t, mustRun(t, "list", "--root", rootDir, "--config", demo, "--format", "json"))
		for _, id := range ids {
			code, out, errb := runInProcess(t, "explain", id, "--root", rootDir, "--config", demo)
			if code != 0 {
				t.Fatalf("explain %s: exit %d %s", id, code, errb)
			}
			if m := seedCitation.FindString(out); m != "" {
				t.Errorf("explain %s (%s) cites %q:\n%s", id, root, m, out)
			}
			explained++
		}
		script := runWithInput(t, nil, "remediate", "--root", rootDir, "--config", demo, "--offline", "-q").stdout
		if m := seedCitation.FindString(script); m != "" {
			t.Errorf("remediate on %s cites %q", root, m)
		}
		for _, l := range strings.Split(script, "\n") {
			if strings.Contains(l, "# Written by golive") && !strings.Contains(l, "for check") {
				t.Errorf("a drop-in comment on %s names no check: %s", root, l)
			}
		}
	}
	if explained < 50 {
		t.Errorf("only %d checks explained: the test tests little", explained)
	}
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errb := runInProcess(t, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d %s", args, code, errb)
	}
	return out
}

// What `golive profiles show NAME` prints for every built-in profile: the
// merged YAML with its comments, each of which names where a value comes
// from; that must be a document the user has.
func TestProfilesShowCitesNoSeed(t *testing.T) {
	names := profile.Builtins()
	if len(names) < 10 {
		t.Fatalf("only %d built-in profiles: %v", len(names), names)
	}
	for _, name := range names {
		out := mustRun(t, "profiles", "show", name)
		for i, l := range strings.Split(out, "\n") {
			if m := seedCitation.FindString(l); m != "" {
				t.Errorf("profiles show %s, line %d cites %q: %s", name, i+1, m, strings.TrimSpace(l))
			}
		}
	}
}

// seedFile is a citation of a seed by number or file name, for pages that
// also speak of the seeds of random test data (docs/truth.md).
var seedFile = regexp.MustCompile(`(?i)\bseeds? 00\d\b|shared/seeds|\b00\d_[0-9a-f]{16}\.txt`)

// The documentation golive ships or publishes cites no seed: README.md,
// docs/*.md (docs/checks.md holds the families' doc.md files; docs/profile-
// reference.md becomes golive.yaml(5)) and the text of every command, from
// which the section-1 man pages are made.
func TestShippedDocsCiteNoSeed(t *testing.T) {
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, "../../README.md")
	if len(pages) < 5 {
		t.Fatalf("only %d pages: %v", len(pages), pages)
	}
	for _, p := range pages {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		re := seedCitation
		if b := filepath.Base(p); b == "truth.md" || b == "ARCHITECTURE.md" {
			re = seedFile // they describe seeded random test inputs
		}
		for i, l := range strings.Split(string(data), "\n") {
			if m := re.FindString(l); m != "" {
				t.Errorf("%s:%d cites %q: %s", p, i+1, m, l)
			}
		}
	}
	commands := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		commands++
		text := []string{c.Short, c.Long, c.Example}
		c.Flags().VisitAll(func(f *pflag.Flag) { text = append(text, f.Usage) })
		for _, s := range text {
			if m := seedCitation.FindString(s); m != "" {
				t.Errorf("%s cites %q: %s", c.CommandPath(), m, s)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cli.NewRootCmd(cli.IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}))
	if commands < 10 {
		t.Errorf("only %d commands: the test tests little", commands)
	}
}
