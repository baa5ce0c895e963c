package depcheck

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
)

// remoteAlert finds a TLS alert the peer sent. crypto/tls reports one as a
// *net.OpError "remote error" around an unexported alert type whose text is
// the same as tls.AlertError's, so the alert number is found by comparing
// with the library's own texts; QUIC and sent alerts wrap tls.AlertError.
func remoteAlert(err error) (tls.AlertError, bool) {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" && op.Err != nil {
		if a, ok := alertByText(op.Err.Error()); ok {
			return a, true
		}
	}
	var a tls.AlertError
	if errors.As(err, &a) {
		return a, true
	}
	return 0, false
}

func isRemoteAlert(err error) bool {
	_, ok := remoteAlert(err)
	return ok
}

// alertTexts maps "tls: bad certificate" to its alert number.
var alertTexts = sync.OnceValue(func() map[string]tls.AlertError {
	m := make(map[string]tls.AlertError, 256)
	for i := range 256 {
		a := tls.AlertError(i)
		if t := a.Error(); !strings.HasPrefix(t, "tls: alert(") {
			m[t] = a
		}
	}
	return m
})

func alertByText(text string) (tls.AlertError, bool) {
	a, ok := alertTexts()[text]
	return a, ok
}

// alertFailure explains a TLS alert from the server. Go servers (etcd
// among them) send unknown_ca, certificate_expired or bad_certificate when
// our client certificate does not verify, certificate_required when we
// sent none.
func alertFailure(a tls.AlertError) Failure {
	const rejected = "the server rejected our client certificate"
	switch uint8(a) {
	case 48: // unknown_ca
		return Failure{Cause: CauseTLS, TLSReason: ReasonClientUnknownAuthority, Message: rejected + ": it is not signed by a CA the server trusts (TLS alert unknown_ca)"}
	case 45: // certificate_expired
		return Failure{Cause: CauseTLS, TLSReason: ReasonClientExpired, Message: rejected + ": it has expired or is not yet valid (TLS alert certificate_expired)"}
	case 116: // certificate_required
		// Go clients send a certificate only when its issuer is among the
		// CAs the server asks for, so a certificate from the wrong CA
		// ends here too.
		return Failure{Cause: CauseTLS, TLSReason: ReasonClientCertRequired, Message: "the server requires a client certificate and none was sent: set cert_file and key_file, and check that the client certificate is issued by a CA the server accepts (one from another CA is not offered)"}
	case 42, 43, 44, 46: // bad, unsupported, revoked, unknown certificate
		return Failure{Cause: CauseTLS, TLSReason: ReasonBadCertificate, Message: fmt.Sprintf("%s (TLS alert %s)", rejected, alertName(a))}
	}
	return Failure{Cause: CauseTLS, TLSReason: ReasonHandshake, Message: "the server aborted the TLS handshake (TLS alert " + alertName(a) + ")"}
}

// alertName is the alert's name as crypto/tls spells it, with
// underscores: "bad_certificate".
func alertName(a tls.AlertError) string {
	return strings.ReplaceAll(strings.TrimPrefix(a.Error(), "tls: "), " ", "_")
}
