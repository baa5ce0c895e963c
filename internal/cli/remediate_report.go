package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/report"
)

// readReport reads the report of --from ("-" is standard input).
// report.ReadFile bounds its size, checks the schema name, the check IDs
// statuses and action types; the renderers then refuse, as a manual step,
// any action they cannot apply exactly (remediate.checkAction: a path that
// is not clean and absolute, a line that does not set its key, ...).
// Errors exit 2 and name the file.
func readReport(name string, stdin io.Reader) (*report.Report, error) {
	rep, err := report.ReadFile(name, stdin)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return nil, invalid(fmt.Errorf("--from %s: %w", name, pe.Err))
	case err != nil:
		return nil, invalid(fmt.Errorf("--from %w", err)) // it starts with the file's name
	}
	// A report is code: its actions become a script run as root. Each must
	// be one its check's family produces (remediate.VetReportAction).
	for _, c := range rep.Checks {
		if c.Remediation == nil {
			continue
		}
		for i, a := range c.Remediation.Actions {
			if err := remediate.VetReportAction(c.ID, c.Category, a); err != nil {
				return nil, invalid(fmt.Errorf("--from %s: check %s, action %d: %w: golive does not produce this action, so it will not script it", name, c.ID, i+1, err))
			}
		}
	}
	return rep, nil
}
