package depcheck

import (
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// classifyStatus names the cause of a gRPC status error (etcd's client
// returns them). gRPC flattens the transport's error into the status text
// and drops the chain, so the cause is found in that text: each fragment
// below is the Go standard library's own wording of one failure.
func classifyStatus(st *status.Status) Failure {
	msg := st.Message()
	switch st.Code() {
	case codes.Unauthenticated, codes.PermissionDenied:
		return Failure{Cause: CauseAuth, Message: "credentials rejected: " + msg}
	}
	if isAuthError(st.Err()) {
		return Failure{Cause: CauseAuth, Message: "credentials rejected: " + msg}
	}
	if f, ok := classifyText(msg); ok {
		return f
	}
	switch st.Code() {
	case codes.DeadlineExceeded:
		f := timeout()
		f.Message += ": " + msg
		return f
	case codes.Canceled:
		// A cancelled call is not a peer that failed to answer; with the
		// check's context alive, it was the client's own doing.
		return Failure{Cause: CauseNetwork, Message: "the call was cancelled before the server answered: " + msg}
	}
	return Failure{Cause: CauseNetwork, Message: msg}
}

// textCauses are the transport failures gRPC reports as text, most
// specific first.
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

func classifyText(msg string) (Failure, bool) {
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
