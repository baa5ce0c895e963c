package remediate

import (
	"errors"
	"fmt"
	"strings"
)

// CheckHostPattern accepts the play's hosts: pattern. A playbook written
// from one host's report must not run on a whole inventory, so there is
// no default. Ansible templates hosts:, so Jinja2's delimiters are
// refused (a hostname read from a report is outside text), as are blanks
// and control characters, which no inventory name has.
func CheckHostPattern(p string) error {
	if p == "" {
		return errors.New("no hosts pattern: the playbook would not know which inventory hosts to change")
	}
	if strings.ContainsAny(p, "{}%#\"'\\ \t") || strings.IndexFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return fmt.Errorf("hosts pattern %q: use an inventory host name or an Ansible pattern, without blanks, quotes or {{ }}", p)
	}
	return nil
}
