// Package depcheck holds what the dependency families (etcd, MySQL, TLS
// endpoints) share: naming why a dial, handshake or request failed, building
// a TLS client configuration from files under the host root, and loading
// secrets so that they never reach an output.
package depcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// Causes, as details.cause and the message name them.
const (
	CauseDNS         = "dns"
	CauseRefused     = "refused"
	CauseTimeout     = "timeout"
	CauseUnreachable = "unreachable"
	CauseNetwork     = "network"
	CauseTLS         = "tls"
	CauseAuth        = "auth"
	CauseProtocol    = "protocol"
	// CauseInterrupted: the run ended (its --timeout, a signal) before the
	// step finished. Not the peer's fault; the engine reports the check as
	// interrupted (engine.CauseInterrupted) whatever the family makes of it.
	CauseInterrupted = "interrupted"
)

// Failure says why a step failed. Message does not repeat the cause;
// TLSReason is set for CauseTLS (one of the Reason constants).
type Failure struct {
	Cause, Message, TLSReason string
}

// String is "cause: message", how results word it.
func (f Failure) String() string { return f.Cause + ": " + f.Message }

// Classify names why a dial, handshake or request failed. x509 problems
// are described against "the trusted roots" and the wall clock (a live
// handshake verifies with the wall clock); ClassifyRoots names the roots.
func Classify(ctx context.Context, err error) Failure {
	return ClassifyRoots(ctx, err, "the trusted roots")
}

// ClassifyRoots is Classify with the roots the client searched named in
// unknown-authority messages ("ca_file /etc/ssl/etcd/ca.pem").
func ClassifyRoots(ctx context.Context, err error, roots string) Failure {
	if err == nil {
		return Failure{}
	}
	if Cancelled(ctx) {
		return Interrupted()
	}
	if f, ok := classifyTyped(ctx, err, roots); ok {
		return f
	}
	if ctx.Err() != nil {
		return Timeout()
	}
	return Failure{Cause: CauseNetwork, Message: err.Error()}
}

// classifyTyped decides from the error chain alone.
func classifyTyped(ctx context.Context, err error, roots string) (Failure, bool) {
	var dnsErr *net.DNSError
	var header tls.RecordHeaderError
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return Failure{Cause: CauseDNS, Message: fmt.Sprintf("%s does not resolve (no such host)", dnsErr.Name)}, true
		}
		return Failure{Cause: CauseDNS, Message: "name resolution failed: " + err.Error()}, true
	case isVerifyError(err):
		p := DescribeVerify(err, time.Now(), roots)
		return Failure{Cause: CauseTLS, Message: p.Msg, TLSReason: p.Reason}, true
	case isRemoteAlert(err):
		a, _ := remoteAlert(err)
		return alertFailure(a), true
	case errors.As(err, &header):
		return Failure{Cause: CauseProtocol, Message: "the server does not speak TLS (its first bytes are not a TLS record)"}, true
	case errors.Is(err, syscall.ECONNREFUSED):
		return refused(), true
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err):
		return Timeout(), true
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		return Failure{Cause: CauseUnreachable, Message: err.Error()}, true
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET):
		return Failure{Cause: CauseNetwork, Message: "the server closed the connection: " + err.Error()}, true
	}
	return Failure{}, false
}

func refused() Failure {
	return Failure{Cause: CauseRefused, Message: "connection refused: nothing listens on that port, or a firewall rejects it"}
}

// Cancelled reports whether ctx was cancelled rather than timed out. The
// engine cancels a check's context when the run ends and lets it expire
// (context.DeadlineExceeded) at the check's own --check-timeout: only the
// latter is the peer's timeout.
func Cancelled(ctx context.Context) bool {
	return ctx != nil && errors.Is(ctx.Err(), context.Canceled)
}

// Interrupted is the failure of a step the run's end cut short.
func Interrupted() Failure {
	return Failure{Cause: CauseInterrupted, Message: "the run ended before this step finished (its --timeout, or a signal); nothing is known about the peer"}
}

// Timeout is the failure of a step that got no answer before the check's
// deadline.
func Timeout() Failure {
	return Failure{Cause: CauseTimeout, Message: "no answer before the check's deadline"}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isVerifyError(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var inv x509.CertificateInvalidError
	var hn x509.HostnameError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &inv) || errors.As(err, &hn)
}
