package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/golive-sh/golive/internal/textfmt"
)

// A typo is within this many edits of what was meant: --profle, chek,
// sysctl/net.core.somaxcon. Further than that a suggestion is a guess.
const maxSuggestDistance = 2

// nearest returns the candidates closest to typed (at most
// maxSuggestDistance edits, or those typed is a prefix of), best first.
func nearest(typed string, candidates []string) []string {
	type scored struct {
		s string
		d int
	}
	var hits []scored
	for _, c := range candidates {
		d := textfmt.EditDistance(typed, c)
		if d <= maxSuggestDistance || (len(typed) >= 3 && strings.HasPrefix(c, typed)) {
			hits = append(hits, scored{c, d})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int { return a.d - b.d })
	out := make([]string, 0, len(hits))
	for _, h := range hits {
		if !slices.Contains(out, h.s) {
			out = append(out, h.s)
		}
	}
	return out
}

// didYouMean is the suggestion line appended to an error ("" when
// nothing is near): at most three, as cobra suggests commands.
func didYouMean(prefix string, hits []string) string {
	if len(hits) == 0 {
		return ""
	}
	if len(hits) > 3 {
		hits = hits[:3]
	}
	quoted := make([]string, len(hits))
	for i, h := range hits {
		quoted[i] = prefix + h
	}
	return "; did you mean " + strings.Join(quoted, " or ") + "?"
}

// flagError turns pflag's parse errors into usage errors (exit 2) and
// names the nearest flag of the command for an unknown one: --profle
// becomes "unknown flag: --profle; did you mean --profile?".
func flagError(cmd *cobra.Command, err error) error {
	var ne *pflag.NotExistError
	if errors.As(err, &ne) && ne.GetSpecifiedShortnames() == "" {
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				names = append(names, f.Name)
			}
		})
		cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		if s := didYouMean("--", nearest(ne.GetSpecifiedName(), names)); s != "" {
			err = fmt.Errorf("%w%s", err, s)
		}
	}
	return invalid(err)
}

// suggestSubcommands makes every command that groups others (fleet,
// profiles) name the nearest of them for an unknown one, as cobra does
// only for the root: `golive fleet chek` -> did you mean check?
func suggestSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		suggestSubcommands(sub)
	}
	if !c.HasParent() || !c.HasSubCommands() {
		return
	}
	args := c.Args
	c.Args = func(cmd *cobra.Command, a []string) error {
		if len(a) == 0 {
			if args != nil {
				return args(cmd, a)
			}
			return nil
		}
		var names []string
		for _, s := range cmd.Commands() {
			if s.IsAvailableCommand() {
				names = append(names, s.Name())
			}
		}
		return invalid(fmt.Errorf("unknown command %q for %q%s", a[0], cmd.CommandPath(), didYouMean("", nearest(a[0], names))))
	}
}
