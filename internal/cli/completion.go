package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/fleet"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/sshclient"
)

// Shell completion (golive completion bash|zsh|fish) asks the binary
// itself through cobra's hidden __complete command; these functions answer
// from what golive knows: the checks of the profile the command line
// resolves, the built-in profiles, the formats, the ssh hosts.

// formatValues are each command's --format values.
func formatValues(cmd *cobra.Command) []string {
	switch cmd.CommandPath() {
	case "golive check":
		return ReportFormats()
	case "golive list":
		return []string{"table", "json"}
	case "golive remediate":
		return []string{"bash", "ansible"}
	case "golive fleet check", "golive fleet report":
		return fleet.FormatNames()
	}
	return nil
}

// registerCompletions attaches the completion functions to every command
// of the tree that has the flag or argument they complete.
func registerCompletions(c *cobra.Command) {
	for _, sub := range c.Commands() {
		registerCompletions(sub)
	}
	flag := func(name string, f cobra.CompletionFunc) {
		if c.Flags().Lookup(name) != nil {
			_ = c.RegisterFlagCompletionFunc(name, f) // only fails for a flag already registered
		}
	}
	flag("only", completeSelection)
	flag("skip", completeSelection)
	flag("profile", completeProfile)
	flag("fail-on", cobra.FixedCompletions([]string{"fail\tfail or error fails the gate", "warn\talso warn", "none\treport only"}, cobra.ShellCompDirectiveNoFileComp))
	if values := formatValues(c); values != nil {
		flag("format", cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
	switch c.CommandPath() {
	case "golive explain":
		c.ValidArgsFunction = completeExplain
	case "golive profiles show":
		c.ValidArgsFunction = func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return completeProfile(nil, nil, toComplete)
		}
	case "golive fleet check":
		c.ValidArgsFunction = completeFleetHosts
	}
}

// plannedFor prepares the plan the command line so far describes, with no
// selection: what --only and --skip choose from, and what explain knows.
func plannedFor(cmd *cobra.Command) (*host.Host, *engine.Plan, bool) {
	v := newSettings(cmd.Flags())
	var t target
	h, _, p, err := t.load(v)
	if err != nil {
		cobra.CompDebugln("golive: "+err.Error(), false)
		return nil, nil, false
	}
	plan, err := engine.Prepare(p, h, engine.Selection{})
	if err != nil {
		cobra.CompDebugln("golive: "+err.Error(), false)
		return nil, nil, false
	}
	return h, plan, true
}

// completeSelection completes --only and --skip with the categories and
// check IDs of the resolved profile (honouring --profile, --config, --root
// and --binary already typed), one comma-separated item at a time.
func completeSelection(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	_, plan, ok := plannedFor(cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	done, cur := "", toComplete
	if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
		done, cur = toComplete[:i+1], toComplete[i+1:]
	}
	var out, categories []string
	for _, c := range plan.Checks {
		m := c.Meta()
		if !slices.Contains(categories, m.Category) {
			categories = append(categories, m.Category)
			if strings.HasPrefix(m.Category, cur) {
				out = append(out, done+m.Category+"\tcategory: every "+m.Category+" check")
			}
		}
		if strings.HasPrefix(m.ID, cur) {
			out = append(out, done+m.ID+"\t"+m.Title)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeExplain completes explain's ID with this host's checks and those
// only a built-in profile plans here.
func completeExplain(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	h, plan, ok := plannedFor(cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ids := plan.IDs()
	if builtins, err := builtinPlans(h); err == nil {
		ids = knownIDs(plan, builtins)
	}
	var out []string
	for _, id := range ids {
		if strings.HasPrefix(id, toComplete) {
			out = append(out, id)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeProfile completes a profile: auto, the built-in names, and YAML
// files and directories under what was typed.
func completeProfile(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, name := range append([]string{profile.Auto}, profile.Builtins()...) {
		if strings.HasPrefix(name, toComplete) {
			out = append(out, name)
		}
	}
	directive := cobra.ShellCompDirectiveNoFileComp
	matches, _ := filepath.Glob(toComplete + "*")
	for _, m := range matches {
		fi, err := os.Stat(m)
		switch {
		case err != nil:
		case strings.HasPrefix(filepath.Base(m), ".") && !strings.HasPrefix(filepath.Base(toComplete+"x"), "."):
			// Hidden entries only when asked for, as shells do.
		case fi.IsDir():
			out = append(out, m+"/")
			directive |= cobra.ShellCompDirectiveNoSpace // a directory is a step, not an answer
		case strings.HasSuffix(m, ".yaml") || strings.HasSuffix(m, ".yml"):
			out = append(out, m)
		}
	}
	return out, directive
}

// completeFleetHosts completes fleet check's hosts from the ssh_config's
// Host names (patterns left out) and the known_hosts names (hashed
// entries cannot be read back, and are left out), as ssh's own completion
// does.
func completeFleetHosts(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	flags := cmd.Flags()
	var names []string
	configPath, _ := flags.GetString("ssh-config")
	if configPath == "" && homeDir() != "" {
		configPath = filepath.Join(homeDir(), ".ssh", "config")
	}
	if configPath != sshConfigNone {
		if c, err := sshclient.ParseConfig(configPath, homeDir()); err == nil {
			names = append(names, c.Hosts()...)
		}
	}
	known, _ := flags.GetString("known-hosts")
	if known == "" && homeDir() != "" {
		known = filepath.Join(homeDir(), ".ssh", "known_hosts")
	}
	if data, err := os.ReadFile(known); err == nil {
		names = append(names, sshclient.KnownHostNames(data)...)
	}
	user, host := splitUser(toComplete)
	named := make([]string, len(args))
	for i, a := range args {
		_, named[i] = splitUser(a)
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, host) && !slices.Contains(out, user+n) && !slices.Contains(named, n) {
			out = append(out, user+n)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// splitUser splits "user@host" into "user@" and "host".
func splitUser(s string) (string, string) {
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		return s[:i+1], s[i+1:]
	}
	return "", s
}
