package etcd

import (
	"context"
	"errors"
	"testing"

	"github.com/golive-sh/golive/internal/depcheck"
)

// What a gRPC call returns (statuses, etcd's error descriptions) is
// classified by the family, not by depcheck, which knows no gRPC.
func TestClassifyGRPCStatus(t *testing.T) {
	cases := []struct {
		name, cause, reason string
		err                 error
	}{
		{"unknown CA after the deadline", depcheck.CauseTLS, depcheck.ReasonUnknownAuthority, &rpcError{codeDeadlineExceeded,
			`context deadline exceeded: connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"`}},
		{"expired server certificate", depcheck.CauseTLS, depcheck.ReasonExpired, &rpcError{codeUnavailable,
			`connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-11-21T10:00:00Z is after 2026-01-01T00:00:00Z"`}},
		{"server certificate not yet valid", depcheck.CauseTLS, depcheck.ReasonNotYetValid, &rpcError{codeUnavailable,
			`x509: certificate has expired or is not yet valid: current time 2026-11-21T10:00:00Z is before 2027-01-01T00:00:00Z`}},
		{"name mismatch", depcheck.CauseTLS, depcheck.ReasonNameMismatch, &rpcError{codeUnavailable,
			`tls: failed to verify certificate: x509: certificate is valid for etcd1, not 127.0.0.1`}},
		{"client certificate rejected", depcheck.CauseTLS, depcheck.ReasonBadCertificate, &rpcError{codeUnavailable,
			`connection error: desc = "error reading server preface: remote error: tls: bad certificate"`}},
		{"client certificate expired", depcheck.CauseTLS, depcheck.ReasonClientExpired, &rpcError{codeUnavailable,
			`connection error: desc = "error reading server preface: remote error: tls: expired certificate"`}},
		{"refused", depcheck.CauseRefused, "", &rpcError{codeUnavailable,
			`connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:1: connect: connection refused"`}},
		{"no such host", depcheck.CauseDNS, "", &rpcError{codeUnavailable, `dial tcp: lookup etcd.invalid: no such host`}},
		{"plain deadline", depcheck.CauseTimeout, "", &rpcError{codeDeadlineExceeded, "context deadline exceeded"}},
		{"unauthenticated", depcheck.CauseAuth, "", &rpcError{codeUnauthenticated, "etcdserver: invalid auth token"}},
		{"etcd auth failed, without its code", depcheck.CauseAuth, "", &rpcError{codeUnknown, descAuthFailed}},
		{"etcd auth failed, as status", depcheck.CauseAuth, "", &rpcError{codeInvalidArgument, descAuthFailed}},
		{"etcd permission denied, wrapped", depcheck.CauseAuth, "", errors.Join(errors.New("member list"), &rpcError{codePermissionDenied, descPermissionDenied})},
		{"etcd old auth revision", depcheck.CauseAuth, "", &rpcError{codeInvalidArgument, descAuthOldRevision}},
		{"other server error", depcheck.CauseNetwork, "", &rpcError{codeUnavailable, "etcdserver: no leader"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := classify(context.Background(), c.err, "the trusted roots")
			if f.Cause != c.cause || f.TLSReason != c.reason || f.Message == "" {
				t.Errorf("got %+v, want cause %q reason %q", f, c.cause, c.reason)
			}
		})
	}
}

// A gRPC call cancelled while the check's context lives on is not a
// timeout; nor is a gRPC status, whatever its text, once the run ended.
func TestClassifyGRPCCancelled(t *testing.T) {
	if f := classify(context.Background(), &rpcError{codeCanceled, "context canceled"}, "the trusted roots"); f.Cause == depcheck.CauseTimeout {
		t.Errorf("cancelled gRPC call: %+v", f)
	}
	ended, end := context.WithCancel(context.Background())
	end()
	if f := classify(ended, &rpcError{codeUnavailable, "i/o timeout"}, "the trusted roots"); f.Cause != depcheck.CauseInterrupted {
		t.Errorf("status after the run ended: %+v", f)
	}
}
