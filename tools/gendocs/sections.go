package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/golive-sh/golive/internal/cli"
)

// cobra's man pages have NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXAMPLE and
// SEE ALSO; a user of a CLI of this kind also looks for EXIT STATUS,
// ENVIRONMENT and FILES (man-pages(7)). addSections inserts them, in that
// order, before SEE ALSO of every page.
func addSections(root *cobra.Command, dir string) error {
	var err error
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if err != nil || !c.IsAvailableCommand() && c != root {
			return
		}
		page := filepath.Join(dir, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
		data, rerr := os.ReadFile(page)
		if rerr != nil {
			err = rerr
			return
		}
		extra := exitStatus(c) + environment(c) + files(c)
		text := string(data)
		if i := strings.Index(text, ".SH SEE ALSO"); i >= 0 {
			text = text[:i] + extra + text[i:]
		} else {
			text += extra
		}
		err = os.WriteFile(page, []byte(text), 0o644)
	}
	walk(root)
	return err
}

func item(tag, text string) string { return ".TP\n" + tag + "\n" + text + "\n" }

// exitStatus is DESIGN.md's exit codes, for the commands that judge
// hosts; the others only tell success from a usage error.
func exitStatus(c *cobra.Command) string {
	s := ".SH EXIT STATUS\n"
	switch c.CommandPath() {
	case "golive", "golive check", "golive remediate":
		s += item(`\fB0\fP`, "Ready: nothing failed (with \\fB--fail-on\\fP, nothing at that level).")
		s += item(`\fB1\fP`, "Not ready: a check failed or could not decide (error).")
		if c.CommandPath() == "golive remediate" {
			s = ".SH EXIT STATUS\n" + item(`\fB0\fP`, "The script or playbook was written.")
		}
		s += item(`\fB2\fP`, "Invalid invocation, configuration or profile; nothing was checked.")
		s += item(`\fB3\fP`, "Aborted by \\fB--timeout\\fP or a signal; the partial report is still written.")
	case "golive fleet", "golive fleet check", "golive fleet report":
		s += item(`\fB0\fP`, "Every host is ready.")
		s += item(`\fB1\fP`, "A host is not ready or could not be checked (even with \\fB--fail-on none\\fP).")
		s += item(`\fB2\fP`, "Invalid invocation.")
		s += item(`\fB3\fP`, "Interrupted.")
	default:
		s += item(`\fB0\fP`, "Success.")
		s += item(`\fB2\fP`, "Invalid invocation, configuration or profile (an unknown check, flag or command names the nearest).")
	}
	return s
}

// commandLineOnly are the flags of commands that bind GOLIVE_* which are
// read from the command line only (remediate's own: GOLIVE_FORMAT is
// check's report format, not remediate's).
var commandLineOnly = map[string]bool{"from": true, "format": true, "output": true, "quiet": true, "level": true, "hosts": true}

// environment names the GOLIVE_* variable of every flag the command reads
// through its settings (internal/cli/settings.go), and NO_COLOR where there is colour.
func environment(c *cobra.Command) string {
	var vars []string
	switch path := c.CommandPath(); path {
	case "golive check", "golive list", "golive explain", "golive profiles show", "golive remediate":
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.Name == "help" || path == "golive remediate" && commandLineOnly[f.Name] {
				return
			}
			vars = append(vars, item(`\fB`+envName(f.Name)+`\fP`, fmt.Sprintf("Sets \\fB--%s\\fP when the command line does not.", f.Name)))
		})
	}
	sort.Strings(vars)
	if c.Flags().Lookup("no-color") != nil {
		vars = append(vars, item(`\fBNO_COLOR\fP`, "When set and not empty, no colour, as \\fB--no-color\\fP (https://no-color.org)."))
	}
	if len(vars) == 0 {
		return ""
	}
	intro := "Precedence: the command line, then the environment, then the options: section of the profile file, then the default.\n"
	return ".SH ENVIRONMENT\n" + intro + strings.Join(vars, "")
}

func envName(flag string) string {
	return "GOLIVE_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// files names ./golive.yaml for the commands that read it by default.
func files(c *cobra.Command) string {
	if c.Flags().Lookup("config") == nil {
		return ""
	}
	s := ".SH FILES\n"
	s += item(`\fI./`+cli.DefaultConfig+`\fP`, "The service's profile, read when it exists and \\fB--config\\fP is not given: its requirements on top of the distro profile, waivers, and an options: section of flag defaults.")
	return s
}
