package etcd

import (
	"context"
	"errors"
	"testing"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"

	"github.com/golive-sh/golive/internal/depcheck"
)

// What etcd's client returns (gRPC status errors, etcd's own error values)
// is classified by the family, not by depcheck, which links no gRPC.
func TestClassifyGRPCStatus(t *testing.T) {
	cases := []struct {
		name, cause, reason string
		err                 error
	}{
		{"unknown CA after the deadline", depcheck.CauseTLS, depcheck.ReasonUnknownAuthority, grpcstatus.Error(codes.DeadlineExceeded,
			`context deadline exceeded: connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"`)},
		{"expired server certificate", depcheck.CauseTLS, depcheck.ReasonExpired, grpcstatus.Error(codes.Unavailable,
			`connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-11-21T10:00:00Z is after 2026-01-01T00:00:00Z"`)},
		{"server certificate not yet valid", depcheck.CauseTLS, depcheck.ReasonNotYetValid, grpcstatus.Error(codes.Unavailable,
			`x509: certificate has expired or is not yet valid: current time 2026-11-21T10:00:00Z is before 2027-01-01T00:00:00Z`)},
		{"name mismatch", depcheck.CauseTLS, depcheck.ReasonNameMismatch, grpcstatus.Error(codes.Unavailable,
			`tls: failed to verify certificate: x509: certificate is valid for etcd1, not 127.0.0.1`)},
		{"client certificate rejected", depcheck.CauseTLS, depcheck.ReasonBadCertificate, grpcstatus.Error(codes.Unavailable,
			`connection error: desc = "error reading server preface: remote error: tls: bad certificate"`)},
		{"client certificate expired", depcheck.CauseTLS, depcheck.ReasonClientExpired, grpcstatus.Error(codes.Unavailable,
			`connection error: desc = "error reading server preface: remote error: tls: expired certificate"`)},
		{"refused", depcheck.CauseRefused, "", grpcstatus.Error(codes.Unavailable,
			`connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:1: connect: connection refused"`)},
		{"no such host", depcheck.CauseDNS, "", grpcstatus.Error(codes.Unavailable, `dial tcp: lookup etcd.invalid: no such host`)},
		{"plain deadline", depcheck.CauseTimeout, "", grpcstatus.Error(codes.DeadlineExceeded, "context deadline exceeded")},
		{"unauthenticated", depcheck.CauseAuth, "", grpcstatus.Error(codes.Unauthenticated, "etcdserver: invalid auth token")},
		{"etcd auth failed, typed", depcheck.CauseAuth, "", rpctypes.ErrAuthFailed},
		{"etcd auth failed, as status", depcheck.CauseAuth, "", rpctypes.ErrGRPCAuthFailed},
		{"etcd permission denied, wrapped", depcheck.CauseAuth, "", errors.Join(errors.New("member list"), rpctypes.ErrPermissionDenied)},
		{"other server error", depcheck.CauseNetwork, "", grpcstatus.Error(codes.Unavailable, "etcdserver: no leader")},
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
	if f := classify(context.Background(), grpcstatus.Error(codes.Canceled, "context canceled"), "the trusted roots"); f.Cause == depcheck.CauseTimeout {
		t.Errorf("cancelled gRPC call: %+v", f)
	}
	ended, end := context.WithCancel(context.Background())
	end()
	if f := classify(ended, grpcstatus.Error(codes.Unavailable, "i/o timeout"), "the trusted roots"); f.Cause != depcheck.CauseInterrupted {
		t.Errorf("status after the run ended: %+v", f)
	}
}
