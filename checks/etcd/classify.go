package etcd

import (
	"context"
	"errors"
	"slices"

	"github.com/golive-sh/golive/internal/depcheck"
)

// classify names why an etcd step failed: depcheck's classification, with
// what only a gRPC call returns read first — a status, whose text may hold
// the transport's error, and etcd's authentication errors. Kept here so
// that depcheck, and the families that share it (mysql, cabundle), know
// nothing of gRPC.
func classify(ctx context.Context, err error, roots string) depcheck.Failure {
	if err == nil || depcheck.Cancelled(ctx) {
		return depcheck.ClassifyRoots(ctx, err, roots)
	}
	var re *rpcError
	if errors.As(err, &re) && re.code != codeOK && re.code != codeUnknown {
		return classifyStatus(re)
	}
	f := depcheck.ClassifyRoots(ctx, err, roots)
	// An authentication error without its gRPC code would otherwise end
	// as a network failure.
	if f.Cause == depcheck.CauseNetwork && isAuthError(err) {
		return authFailure(err.Error())
	}
	return f
}

func authFailure(msg string) depcheck.Failure {
	return depcheck.Failure{Cause: depcheck.CauseAuth, Message: "credentials rejected: " + msg}
}

// classifyStatus names the cause of a gRPC status. A status carries text,
// not an error chain, so a transport cause is found in that text
// (depcheck.ClassifyText).
func classifyStatus(st *rpcError) depcheck.Failure {
	msg := st.msg
	if isAuthError(st) {
		return authFailure(msg)
	}
	if f, ok := depcheck.ClassifyText(msg); ok {
		return f
	}
	switch st.code {
	case codeDeadlineExceeded:
		f := depcheck.Timeout()
		f.Message += ": " + msg
		return f
	case codeCanceled:
		// A cancelled call is not a peer that failed to answer; with the
		// check's context alive, it was the client's own doing.
		return depcheck.Failure{Cause: depcheck.CauseNetwork, Message: "the call was cancelled before the server answered: " + msg}
	}
	return depcheck.Failure{Cause: depcheck.CauseNetwork, Message: msg}
}

// etcd's authentication errors, by their description.
var authDescs = []string{
	descAuthFailed, descPermissionDenied, descInvalidAuthToken,
	descInvalidAuthMgmt, descUserEmpty, descAuthOldRevision,
}

func isAuthError(err error) bool {
	var re *rpcError
	if !errors.As(err, &re) {
		return false
	}
	switch re.code {
	case codeUnauthenticated, codePermissionDenied:
		return true
	}
	return slices.Contains(authDescs, re.msg)
}
