package cabundle

import (
	"crypto/x509"

	"github.com/golive-sh/golive/internal/depcheck"
)

// Reasons a chain does not verify, as details.tls_reason / chain_reason
// name them: depcheck's, shared with the dependency families.
const (
	reasonUnknownAuthority = depcheck.ReasonUnknownAuthority
	reasonExpired          = depcheck.ReasonExpired
	reasonNotYetValid      = depcheck.ReasonNotYetValid
	reasonNameMismatch     = depcheck.ReasonNameMismatch
)

// chainNames lists the subjects of a verified chain, leaf first.
func chainNames(chain []*x509.Certificate) []string {
	out := make([]string, 0, len(chain))
	for _, c := range chain {
		out = append(out, name(c.Subject))
	}
	return out
}
