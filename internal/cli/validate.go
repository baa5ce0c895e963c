package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// validateOptions are validate's: the file, and what resolves its
// extends: auto (the root's distro, or --profile).
type validateOptions struct {
	target
}

func newValidateCmd(io IO) *cobra.Command {
	opts := &validateOptions{}
	var v *settings
	cmd := &cobra.Command{
		Use:   "validate [FILE]",
		Short: "Check a profile file (and what it extends) without running a check",
		Long: `validate reads a profile the way check does — strict YAML, every section,
rule, expectation, waiver and option, through every file it extends — and
plans its checks on this host (or --root) as list does, without running one.
It exits 0 when the profile is sound and 2 with FILE:LINE when it is not.
Without FILE it validates what check would use: ./golive.yaml when it
exists, else the --profile.`,
		Example: `  golive validate golive.yaml
  golive validate --root /mnt/image golive.yaml   # extends: auto resolved for the image`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				v.override("config", args[0])
			}
			return runValidate(v, opts, io)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Profile, "profile", profile.Auto, "what extends: auto stands for (auto: the detected distro), or the profile to validate without FILE")
	f.StringVar(&opts.Root, "root", "/", "resolve extends: auto and plan for the root filesystem mounted at DIR")
	v = newSettings(f)
	return cmd
}

func runValidate(v *settings, o *validateOptions, io IO) error {
	h, _, p, err := o.target.load(v)
	if err != nil {
		return err
	}
	sel := engine.Selection{Only: splitList(p.Options.Only), Skip: splitList(p.Options.Skip)}
	plan, err := engine.Prepare(p, h, sel)
	if err != nil {
		return invalid(err)
	}
	for _, c := range plan.Checks {
		// The waiver warnings check would report: a waiver that matches
		// no check is a typo to fix, not a reason to refuse the file.
		if m := c.Meta(); m.Category == engine.WaiverCategory {
			fmt.Fprintf(io.Err, "golive: warning: %s: the waiver for %q matches no check of this profile\n", m.Where, strings.TrimPrefix(m.ID, engine.WaiverCategory+"/"))
		}
	}
	warnUnplanned(io, p)
	file := o.Config
	if file == "" {
		file = "profile " + p.Name
	}
	extends := "nothing"
	if len(p.Chain) > 1 {
		extends = strings.Join(p.Chain[:len(p.Chain)-1], " -> ")
	}
	planned := fmt.Sprintf("%d checks", len(plan.Checks))
	if len(plan.Checks) == 1 {
		planned = "1 check"
	}
	fmt.Fprintf(io.Out, "ok: %s (extends %s, %s planned)\n", file, extends, planned)
	return nil
}

// warnUnplanned warns about the parts of the user's files that are sound
// but plan no check on this profile (rlimits.unit with no service.unit):
// a rule that can never run is a typo or a forgotten line. The built-in
// profiles' parts are not warned about: they set defaults for the unit and
// user a service profile names later.
func warnUnplanned(io IO, p *profile.Profile) {
	for _, err := range engine.Unplanned(p) {
		var pe *profile.Error
		if errors.As(err, &pe) && pe.Builtin() {
			continue
		}
		fmt.Fprintf(io.Err, "golive: warning: %v\n", err)
	}
}
