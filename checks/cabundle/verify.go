package cabundle

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Reasons a chain does not verify, as details.tls_reason / chain_reason
// name them.
const (
	reasonUnknownAuthority = "unknown_authority"
	reasonExpired          = "expired"
	reasonNotYetValid      = "not_yet_valid"
	reasonNameMismatch     = "name_mismatch"
	reasonNotCA            = "not_ca"
	reasonUsage            = "incompatible_usage"
	reasonInvalid          = "invalid"
)

// verifyProblem says why x509 verification failed, in the words an SRE
// staring at "x509: certificate signed by unknown authority" needs: which
// certificate, which issuer, and which roots were searched.
type verifyProblem struct {
	Reason string
	Msg    string
	// Orphan is the certificate whose issuer is missing, for
	// unknown_authority (a self-signed root when the peer sent one).
	Orphan *x509.Certificate
}

func describeVerify(err error, now time.Time, roots string) verifyProblem {
	var ua x509.UnknownAuthorityError
	var inv x509.CertificateInvalidError
	var host x509.HostnameError
	switch {
	case errors.As(err, &ua) && ua.Cert != nil:
		c := ua.Cert
		msg := fmt.Sprintf("x509: certificate signed by unknown authority: %s is issued by %s, which is not among %s",
			Name(c.Subject), Name(c.Issuer), roots)
		if id := hexID(c.AuthorityKeyId); id != "" {
			msg += " (the issuer's key ID is " + id + ")"
		}
		if isSelfSigned(c) {
			msg = fmt.Sprintf("x509: certificate signed by unknown authority: the chain ends at the self-signed %s, which is not among %s (fingerprint %s)",
				Name(c.Subject), roots, fingerprint(c))
		}
		return verifyProblem{Reason: reasonUnknownAuthority, Msg: msg, Orphan: c}
	case errors.As(err, &inv) && inv.Cert != nil:
		c := inv.Cert
		switch inv.Reason {
		case x509.Expired:
			if now.Before(c.NotBefore) {
				return verifyProblem{Reason: reasonNotYetValid, Msg: fmt.Sprintf("%s is not valid before %s (check the clock)", Name(c.Subject), c.NotBefore.UTC().Format(time.RFC3339))}
			}
			return verifyProblem{Reason: reasonExpired, Msg: fmt.Sprintf("%s expired on %s", Name(c.Subject), c.NotAfter.UTC().Format(time.RFC3339))}
		case x509.NotAuthorizedToSign:
			return verifyProblem{Reason: reasonNotCA, Msg: fmt.Sprintf("%s signed another certificate but is not a CA", Name(c.Subject))}
		case x509.IncompatibleUsage:
			return verifyProblem{Reason: reasonUsage, Msg: fmt.Sprintf("%s is not allowed for this use (extended key usage): %v", Name(c.Subject), err)}
		}
		return verifyProblem{Reason: reasonInvalid, Msg: err.Error()}
	case errors.As(err, &host) && host.Certificate != nil:
		valid := SANs(host.Certificate)
		if len(valid) == 0 {
			return verifyProblem{Reason: reasonNameMismatch, Msg: fmt.Sprintf("the certificate has no subject alternative names, so it is valid for no name (not %s; Go ignores the CN)", host.Host)}
		}
		return verifyProblem{Reason: reasonNameMismatch, Msg: fmt.Sprintf("the certificate is valid for %s, not %s", strings.Join(valid, ", "), host.Host)}
	}
	return verifyProblem{Reason: reasonInvalid, Msg: err.Error()}
}

func isSelfSigned(c *x509.Certificate) bool {
	return string(c.RawSubject) == string(c.RawIssuer) && c.CheckSignatureFrom(c) == nil
}

// chainNames lists the subjects of a verified chain, leaf first.
func chainNames(chain []*x509.Certificate) []string {
	out := make([]string, 0, len(chain))
	for _, c := range chain {
		out = append(out, Name(c.Subject))
	}
	return out
}
