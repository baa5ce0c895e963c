package etcd

import (
	"context"
	"errors"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"

	"github.com/golive-sh/golive/internal/depcheck"
)

// classify names why an etcd step failed: depcheck's classification, with
// what only etcd's client returns read first — gRPC status errors, whose
// text holds the transport's last error (the real cause when the deadline
// ended the call), and etcd's authentication errors. Kept here so that
// depcheck, and the families that share it (mysql, cabundle), do not link
// gRPC.
func classify(ctx context.Context, err error, roots string) depcheck.Failure {
	if err == nil || depcheck.Cancelled(ctx) {
		return depcheck.ClassifyRoots(ctx, err, roots)
	}
	if st, ok := grpcstatus.FromError(err); ok && st.Code() != codes.OK && st.Code() != codes.Unknown {
		return classifyStatus(st)
	}
	f := depcheck.ClassifyRoots(ctx, err, roots)
	// An authentication error that is not a status (the client's own
	// EtcdError values) would otherwise end as a network failure.
	if f.Cause == depcheck.CauseNetwork && isAuthError(err) {
		return authFailure(err.Error())
	}
	return f
}

func authFailure(msg string) depcheck.Failure {
	return depcheck.Failure{Cause: depcheck.CauseAuth, Message: "credentials rejected: " + msg}
}

// classifyStatus names the cause of a gRPC status error. gRPC flattens the
// transport's error into the status text and drops the chain, so the
// cause is found in that text (depcheck.ClassifyText).
func classifyStatus(st *grpcstatus.Status) depcheck.Failure {
	msg := st.Message()
	switch st.Code() {
	case codes.Unauthenticated, codes.PermissionDenied:
		return authFailure(msg)
	}
	if isAuthError(st.Err()) {
		return authFailure(msg)
	}
	if f, ok := depcheck.ClassifyText(msg); ok {
		return f
	}
	switch st.Code() {
	case codes.DeadlineExceeded:
		f := depcheck.Timeout()
		f.Message += ": " + msg
		return f
	case codes.Canceled:
		// A cancelled call is not a peer that failed to answer; with the
		// check's context alive, it was the client's own doing.
		return depcheck.Failure{Cause: depcheck.CauseNetwork, Message: "the call was cancelled before the server answered: " + msg}
	}
	return depcheck.Failure{Cause: depcheck.CauseNetwork, Message: msg}
}

// etcd's authentication errors, as the client returns them.
var authErrors = []error{
	rpctypes.ErrAuthFailed, rpctypes.ErrPermissionDenied, rpctypes.ErrInvalidAuthToken,
	rpctypes.ErrInvalidAuthMgmt, rpctypes.ErrUserEmpty, rpctypes.ErrAuthOldRevision,
}

func isAuthError(err error) bool {
	for _, a := range authErrors {
		if errors.Is(err, a) {
			return true
		}
	}
	if st, ok := grpcstatus.FromError(err); ok {
		switch st.Code() {
		case codes.Unauthenticated, codes.PermissionDenied:
			return true
		}
		// The client turns some status errors into EtcdError values and
		// leaves others as status errors with the same text.
		for _, a := range authErrors {
			if st.Message() == rpctypes.ErrorDesc(a) {
				return true
			}
		}
	}
	return false
}
