package depcheck

import "strings"

// textCauses are the transport failures a client that flattens errors
// (gRPC) reports as text, most specific first.
var textCauses = []struct {
	fragment string
	f        Failure
}{
	{"x509: certificate signed by unknown authority", Failure{Cause: CauseTLS, TLSReason: ReasonUnknownAuthority}},
	{"x509: certificate has expired or is not yet valid: current time", Failure{Cause: CauseTLS, TLSReason: ReasonExpired}},
	{"x509: certificate is valid for", Failure{Cause: CauseTLS, TLSReason: ReasonNameMismatch}},
	{"x509: certificate is not valid for any names", Failure{Cause: CauseTLS, TLSReason: ReasonNameMismatch}},
	{"x509: cannot validate certificate for", Failure{Cause: CauseTLS, TLSReason: ReasonNameMismatch}},
	{"first record does not look like a TLS handshake", Failure{Cause: CauseProtocol}},
	{"no such host", Failure{Cause: CauseDNS}},
	{"connection refused", Failure{Cause: CauseRefused}},
	{"no route to host", Failure{Cause: CauseUnreachable}},
	{"network is unreachable", Failure{Cause: CauseUnreachable}},
	{"i/o timeout", Failure{Cause: CauseTimeout}},
}

// ClassifyText names the cause of a failure known only by its text: gRPC
// flattens the transport's error into its status message and drops the
// chain. Each fragment is the Go standard library's own wording of one
// failure.
func ClassifyText(msg string) (Failure, bool) {
	if i := strings.LastIndex(msg, "remote error: tls: "); i >= 0 {
		name := msg[i+len("remote error: "):]
		name = strings.TrimRight(name, "\"") // gRPC quotes the inner error
		if a, ok := alertByText(name); ok {
			return alertFailure(a), true
		}
	}
	for _, tc := range textCauses {
		if strings.Contains(msg, tc.fragment) {
			f := tc.f
			f.Message = msg
			if f.TLSReason == ReasonExpired && strings.Contains(msg, " is before ") {
				f.TLSReason = ReasonNotYetValid
			}
			return f, true
		}
	}
	return Failure{}, false
}
