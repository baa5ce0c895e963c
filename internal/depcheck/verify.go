package depcheck

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Reasons a TLS step failed, as details.tls_reason (and cabundle's
// chain_reason) name them. The Client ones are the server's verdict on our
// client certificate, sent as a TLS alert.
const (
	ReasonUnknownAuthority       = "unknown_authority"
	ReasonExpired                = "expired"
	ReasonNotYetValid            = "not_yet_valid"
	ReasonNameMismatch           = "name_mismatch"
	ReasonNotCA                  = "not_ca"
	ReasonUsage                  = "incompatible_usage"
	ReasonInvalid                = "invalid"
	ReasonBadCertificate         = "bad_certificate"
	ReasonClientUnknownAuthority = "client_unknown_authority"
	ReasonClientExpired          = "client_expired"
	ReasonClientCertRequired     = "client_certificate_required"
	ReasonHandshake              = "handshake"
)

// VerifyProblem says why x509 verification failed, in the words an SRE
// staring at "x509: certificate signed by unknown authority" needs: which
// certificate, which issuer, and which roots were searched.
type VerifyProblem struct {
	Reason string
	Msg    string
	// Orphan is the certificate whose issuer is missing, for
	// unknown_authority (a self-signed root when the peer sent one).
	Orphan *x509.Certificate
}

// DescribeVerify explains a verification error found at now against the
// roots described by roots.
func DescribeVerify(err error, now time.Time, roots string) VerifyProblem {
	var ua x509.UnknownAuthorityError
	var inv x509.CertificateInvalidError
	var host x509.HostnameError
	switch {
	case errors.As(err, &ua) && ua.Cert != nil:
		c := ua.Cert
		msg := fmt.Sprintf("x509: certificate signed by unknown authority: %s is issued by %s, which is not among %s",
			CertName(c.Subject), CertName(c.Issuer), roots)
		if len(c.AuthorityKeyId) > 0 {
			msg += " (the issuer's key ID is " + hex.EncodeToString(c.AuthorityKeyId) + ")"
		}
		if IsSelfSigned(c) {
			msg = fmt.Sprintf("x509: certificate signed by unknown authority: the chain ends at the self-signed %s, which is not among %s (fingerprint %s)",
				CertName(c.Subject), roots, Fingerprint(c))
		}
		return VerifyProblem{Reason: ReasonUnknownAuthority, Msg: msg, Orphan: c}
	case errors.As(err, &inv) && inv.Cert != nil:
		c := inv.Cert
		switch inv.Reason {
		case x509.Expired:
			if now.Before(c.NotBefore) {
				return VerifyProblem{Reason: ReasonNotYetValid, Msg: fmt.Sprintf("%s is not valid before %s (check the clock)", CertName(c.Subject), c.NotBefore.UTC().Format(time.RFC3339))}
			}
			return VerifyProblem{Reason: ReasonExpired, Msg: fmt.Sprintf("%s expired on %s", CertName(c.Subject), c.NotAfter.UTC().Format(time.RFC3339))}
		case x509.NotAuthorizedToSign:
			return VerifyProblem{Reason: ReasonNotCA, Msg: fmt.Sprintf("%s signed another certificate but is not a CA", CertName(c.Subject))}
		case x509.IncompatibleUsage:
			return VerifyProblem{Reason: ReasonUsage, Msg: fmt.Sprintf("%s is not allowed for this use (extended key usage): %v", CertName(c.Subject), err)}
		}
		return VerifyProblem{Reason: ReasonInvalid, Msg: err.Error()}
	case errors.As(err, &host) && host.Certificate != nil:
		valid := CertSANs(host.Certificate)
		if len(valid) == 0 {
			return VerifyProblem{Reason: ReasonNameMismatch, Msg: fmt.Sprintf("the certificate has no subject alternative names, so it is valid for no name (not %s; Go ignores the CN)", host.Host)}
		}
		return VerifyProblem{Reason: ReasonNameMismatch, Msg: fmt.Sprintf("the certificate is valid for %s, not %s", strings.Join(valid, ", "), host.Host)}
	}
	return VerifyProblem{Reason: ReasonInvalid, Msg: err.Error()}
}

// IsSelfSigned reports whether c signed itself.
func IsSelfSigned(c *x509.Certificate) bool {
	return string(c.RawSubject) == string(c.RawIssuer) && c.CheckSignatureFrom(c) == nil
}

// CertName is how a certificate is named to a person: its subject CN with
// the organisation, or the whole subject when it has no CN.
func CertName(n pkix.Name) string {
	var org string
	if len(n.Organization) > 0 {
		org = n.Organization[0]
	}
	switch {
	case n.CommonName != "" && org != "" && org != n.CommonName:
		return n.CommonName + " (" + org + ")"
	case n.CommonName != "":
		return n.CommonName
	case org != "":
		return org
	case n.String() != "":
		return n.String()
	}
	return "(empty subject)"
}

// CertSANs lists the subject alternative names: DNS names, IPs, emails,
// URIs.
func CertSANs(c *x509.Certificate) []string {
	out := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	out = append(out, c.EmailAddresses...)
	for _, u := range c.URIs {
		out = append(out, u.String())
	}
	return out
}

// Fingerprint is "sha256:<hex>" of the DER certificate.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}
