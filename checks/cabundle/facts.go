package cabundle

import (
	"fmt"

	"github.com/golive-sh/golive/internal/profile"
)

// Where the distro keeps its CA bundle and how it rebuilds it. Paths and
// the command are written into remediation scripts, so each file's value
// is vetted where it is written.
var (
	bundleFact = profile.DeclareFact(profile.FactSpec[string]{
		Key: "ca_bundle", Family: kind, Doc: "the system CA bundle file", Check: cleanPath,
	})
	anchorDirFact = profile.DeclareFact(profile.FactSpec[string]{
		Key: "ca_anchor_dir", Family: kind, Doc: "where local CAs are dropped", Check: cleanPath,
	})
	updateCommandFact = profile.DeclareFact(profile.FactSpec[[]string]{
		Key: "ca_update_command", Family: kind, Doc: "the command that rebuilds the bundle from the anchors", Check: bareCommand,
	})
)

// distroFacts are the shared facts and cabundle's own.
type distroFacts struct {
	profile.Facts
	// CABundle is the system CA bundle file; CAAnchorDir where local CAs
	// are dropped; CAUpdateCommand rebuilds the bundle from the anchors.
	CABundle        string
	CAAnchorDir     string
	CAUpdateCommand []string
}

func factsOf(p *profile.Profile) distroFacts {
	return distroFacts{Facts: p.Facts, CABundle: bundleFact.Get(p), CAAnchorDir: anchorDirFact.Get(p), CAUpdateCommand: updateCommandFact.Get(p)}
}

func cleanPath(s string) error {
	if s == "" {
		return nil
	}
	if err := profile.CheckPath(s); err != nil {
		return fmt.Errorf("%q: %w", s, err)
	}
	return nil
}

// isCommandName reports whether s is a program name for an argv[0]
// (^[A-Za-z0-9_.+][A-Za-z0-9_.+-]*$): no path tricks, no option. A loop,
// not a regexp: every run checks the distro profile's value.
func isCommandName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '+' || c == '-' && i > 0
		if !ok {
			return false
		}
	}
	return s != ""
}

func bareCommand(argv []string) error {
	if len(argv) > 0 && !isCommandName(argv[0]) {
		return fmt.Errorf("%q: the program must be a bare command name (update-ca-trust, update-ca-certificates)", argv[0])
	}
	return nil
}
