package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/textfmt"
)

type listOptions struct {
	target
	selection
	Format  string
	Offline bool
}

func newListCmd(io IO) *cobra.Command {
	opts := &listOptions{}
	var v *settings
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the checks the resolved profile would run",
		Long: `list prints the checks golive check would run with the same flags: the
profile's checks as planned on this host (or --root), a waiver/PATTERN
warning for every waiver that matches no check, then --only and --skip.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runList(v, opts, io)
		},
	}
	opts.target.bind(cmd.Flags())
	opts.selection.bind(cmd.Flags(), "list")
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "table", "table or json")
	cmd.Flags().BoolVar(&opts.Offline, "offline", false, "mark the network checks, which check --offline would skip")
	v = newSettings(cmd.Flags())
	return cmd
}

type listedCheck struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Title    string `json:"title"`
	Expected string `json:"expected"`
	Level    string `json:"level"`
	Severity string `json:"severity"`
	Network  bool   `json:"network"`
	Source   string `json:"source,omitempty"`
	// Offline is set on a network check under --offline: check plans it
	// and reports it as skip.
	Offline bool `json:"offline,omitempty"`
}

func runList(v *settings, o *listOptions, io IO) error {
	_, p, plan, err := prepare(v, &o.target, &o.selection, "offline")
	if err != nil {
		return err
	}
	o.Offline = v.boolean("offline")
	if v.err != nil {
		return v.err
	}
	rows := make([]listedCheck, 0, len(plan.Checks))
	for _, c := range plan.Checks {
		m := c.Meta()
		rows = append(rows, listedCheck{ID: m.ID, Category: m.Category, Title: m.Title, Expected: m.Expected,
			Level: m.Level, Severity: m.Severity, Network: m.Network, Source: m.Where, Offline: m.Network && o.Offline})
	}
	switch v.str("format") {
	case "json":
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"profile": p.Name, "chain": p.Chain, "checks": rows})
	case "table":
	default:
		return invalid(fmt.Errorf("--format %q: use table or json", v.str("format")))
	}
	fmt.Fprintf(io.Out, "profile %s (%s): %s\n\n", p.Name, strings.Join(p.Chain, " -> "), textfmt.Count(len(rows), "check", "checks"))
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEXPECTED\tLEVEL\tSEVERITY")
	for _, r := range rows {
		level := r.Level
		switch {
		case r.Offline:
			level += " (network: skipped, --offline)"
		case r.Network:
			level += " (network)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, orDash(r.Expected), orDash(level), r.Severity)
	}
	return tw.Flush()
}

// prepare loads the target and plans it as check would, for list and
// explain: the same profile, host and selection (with the config file's
// options: only and skip, and the other options named by also) give the
// same checks.
func prepare(v *settings, t *target, sel *selection, also ...string) (*host.Host, *profile.Profile, *engine.Plan, error) {
	h, _, p, err := t.load(v)
	if err != nil {
		return nil, nil, nil, err
	}
	mergeConfigOptions(v, p.Options, append([]string{"only", "skip"}, also...)...)
	sel.settle(v)
	if v.err != nil {
		return nil, nil, nil, v.err
	}
	plan, err := engine.Prepare(p, h, sel.engine())
	if err != nil {
		return nil, nil, nil, invalid(err)
	}
	observe(plan)
	return h, p, plan, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type explainOptions struct {
	target
	selection
}

func newExplainCmd(io IO) *cobra.Command {
	opts := &explainOptions{}
	var v *settings
	cmd := &cobra.Command{
		Use:   "explain ID",
		Short: "Explain a check: what it reads, why it matters, what each profile expects, how to fix it",
		Long: `explain describes a check and what each profile expects of it. Every
profile is planned on this host (or --root) as golive check would plan it,
so a check that exists only for this host (dns/nameserver:IP, from its
resolv.conf) is found. The row "this host" is the plan golive check would
run here with the same flags (--profile, --config, --only, --skip,
--no-waivers); the built-in rows use no selection. An ID no profile plans
is still explained by the family that would build it.`,
		Example: `  golive explain sysctl/net.core.somaxconn
  golive explain os/eol
  golive explain dns/nameserver:10.0.0.2 --root /mnt/image`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runExplain(v, opts, args[0], io)
		},
	}
	opts.target.bind(cmd.Flags())
	opts.selection.bind(cmd.Flags(), "plan")
	v = newSettings(cmd.Flags())
	return cmd
}

// profileExpectation is one profile's view of a check.
type profileExpectation struct {
	profile string
	meta    engine.Meta
	found   bool
}

func runExplain(v *settings, o *explainOptions, id string, io IO) error {
	h, p, plan, err := prepare(v, &o.target, &o.selection)
	if err != nil {
		return err
	}
	builtins, err := builtinPlans(h)
	if err != nil {
		return err
	}
	if strings.Contains(id, "*") {
		return explainGlob(io, id, plan, builtins)
	}
	var rows []profileExpectation
	var meta engine.Meta
	found := false
	for _, bp := range builtins {
		row := profileExpectation{profile: bp.name}
		if m, ok := planned(bp.plan, id); ok {
			row.meta, row.found = m, true
			if !found {
				meta, found = m, true
			}
		}
		rows = append(rows, row)
	}
	// The plan golive check would run here.
	_, here := planned(plan, id)
	if len(p.Chain) > 0 {
		if m, ok := planned(plan, id); ok {
			rows = append(rows, profileExpectation{profile: "this host: " + strings.Join(p.Chain, " -> "), meta: m, found: true})
			meta, found = m, true
		}
	}
	known := knownIDs(plan, builtins)
	if !found {
		m, ok := engine.Explain(id)
		if !ok {
			return invalid(fmt.Errorf("unknown check %q%s (golive list shows the checks of a profile)", id, didYouMean("", nearest(id, known))))
		}
		meta = m
	}
	w := io.Out
	fmt.Fprintf(w, "%s — %s\n\n", meta.ID, meta.Title)
	if !here {
		fmt.Fprintln(w, notPlannedNote(id, p, plan))
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Category: %s   Severity: %s\n\n", meta.Category, meta.Severity)
	if len(meta.Reads) > 0 {
		fmt.Fprintln(w, "Reads:")
		for _, r := range meta.Reads {
			fmt.Fprintf(w, "  - %s\n", r)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Why it matters:\n  %s\n\n", meta.Why)
	fmt.Fprintln(w, "Expected, per profile:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		if !r.found {
			fmt.Fprintf(tw, "  %s\tnot checked\t\t\n", r.profile)
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t(level %s)\t%s\n", r.profile, orDash(r.meta.Expected), r.meta.Level, r.meta.Where)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nHow it is fixed:\n  %s\n", meta.Fix)
	return nil
}

func planned(plan *engine.Plan, id string) (engine.Meta, bool) {
	for _, c := range plan.Checks {
		if c.ID() == id {
			return c.Meta(), true
		}
	}
	return engine.Meta{}, false
}

type profilesOptions struct {
	target
}

func newProfilesCmd(io IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profiles",
		Short: "List the built-in profiles",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runProfiles(io)
		},
	}
	opts := &profilesOptions{}
	var v *settings
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Print a profile merged with everything it extends (NAME: a built-in, a file, or auto)",
		Example: `  golive profiles show rocky-9
  golive profiles show auto --config golive.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runProfilesShow(v, opts, args[0], io)
		},
	}
	show.Flags().StringVarP(&opts.Config, "config", "c", "", "layer this service profile on top")
	show.Flags().StringVar(&opts.Root, "root", "/", "detect the distro of this root (for auto)")
	v = newSettings(show.Flags())
	cmd.AddCommand(show)
	return cmd
}

func runProfiles(io IO) error {
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDESCRIPTION\tEXTENDS")
	for _, name := range profile.Builtins() {
		p, err := profile.Resolve(profile.Request{Profile: name})
		if err != nil {
			return fmt.Errorf("built-in profile %s: %w", name, err)
		}
		ext := "-"
		if len(p.Chain) > 1 {
			ext = strings.Join(p.Chain[:len(p.Chain)-1], " -> ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, p.Description, ext)
	}
	return tw.Flush()
}

func runProfilesShow(v *settings, o *profilesOptions, name string, io IO) error {
	o.Config = v.str("config") // no default ./golive.yaml here: show what was asked
	o.Root = v.str("root")
	_, _, p, err := (&target{Profile: name, Config: o.Config, Root: o.Root}).loadExplicit()
	if err != nil {
		return err
	}
	// The families validate their sections as check does, before anything
	// is printed: a profile with an inline password (a profile error) must
	// not have that password echoed back by show.
	if _, err := engine.Build(p); err != nil {
		return invalid(err)
	}
	out, err := p.YAML()
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Out, "# golive profile %s: %s\n", p.Name, strings.Join(p.Chain, " -> "))
	_, err = io.Out.Write(out)
	return err
}
