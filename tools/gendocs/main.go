// Command gendocs writes golive's man pages from the cobra command tree:
// golive.1 and one page per subcommand (golive-check.1, golive-profiles-show.1,
// ...), so the pages list exactly the flags the binary has.
//
//	go run ./tools/gendocs -out dist/man -version v1.2.3
//
// The pages' date comes from SOURCE_DATE_EPOCH (make sets it to the
// commit's date) and is printed in UTC, so two builds of one commit write
// the same bytes wherever they run.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/golive-sh/golive/internal/cli"
)

func main() {
	out := flag.String("out", "", "directory to write the pages to (created if missing)")
	version := flag.String("version", "dev", "golive version named in the pages' footer")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gendocs -out DIR [-version VERSION]")
		os.Exit(2)
	}
	date, err := sourceDate(os.Getenv("SOURCE_DATE_EPOCH"))
	if err == nil {
		err = writeManPages(*out, *version, date)
	}
	if err == nil {
		err = writeProfilePage(*out, *version, date)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// sourceDate is SOURCE_DATE_EPOCH as a UTC time, or now when it is unset
// (a developer's `go run`; release builds always set it).
func sourceDate(epoch string) (time.Time, error) {
	if epoch == "" {
		return time.Now().UTC(), nil
	}
	secs, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: not a number of seconds", epoch)
	}
	return time.Unix(secs, 0).UTC(), nil
}

// writeManPages writes one section-1 page per command into dir and removes
// pages of commands that no longer exist, so a package never ships a page
// for a command the binary lacks.
func writeManPages(dir, version string, date time.Time) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	stale, err := filepath.Glob(filepath.Join(dir, "golive*.1"))
	if err != nil {
		return err
	}
	for _, p := range stale {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	root := cli.NewRootCmd(cli.IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard, Getenv: func(string) string { return "" }})
	// cobra adds `golive completion` only when the program runs; add it
	// now so that it, and the shells under it, get pages too.
	root.InitDefaultCompletionCmd()
	// The footer names the version; cobra's own "Auto generated" history
	// section would only repeat the date.
	disableAutoGenTag(root)
	header := &doc.GenManHeader{
		Section: "1",
		Date:    &date,
		Source:  "golive " + version,
		Manual:  "golive manual",
	}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return err
	}
	return addSections(root, dir)
}

func disableAutoGenTag(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		disableAutoGenTag(sub)
	}
}
