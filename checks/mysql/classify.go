package mysql

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"

	"github.com/golive-sh/golive/internal/depcheck"
)

// failure says why a step failed; errno is the MySQL error number when the
// server sent one.
type failure struct {
	depcheck.Failure
	errno uint16
}

// causeConfig is a failure before any network step: the DSN's variable is
// unset, the DSN does not parse, a TLS file is unreadable.
const causeConfig = "config"

// causeServer is an error the server sent that is not about credentials:
// too many connections, host blocked, unknown database.
const causeServer = "server"

func configFailure(msg string) *failure {
	return &failure{Failure: depcheck.Failure{Cause: causeConfig, Message: msg}}
}

// authErrnos are the MySQL/MariaDB errors that mean "these credentials may
// not log in here": wrong password or user, no grant for this host or
// database, account locked, password expired.
var authErrnos = map[uint16]bool{
	1044: true, // access denied to the database
	1045: true, // access denied: wrong user or password
	1130: true, // host not allowed to connect
	1251: true, // the client does not support the server's auth method
	1698: true, // access denied: the account uses another plugin
	1820: true, // password expired, must be changed
	1862: true, // password expired
	3118: true, // account locked (MySQL)
	4151: true, // account locked (MariaDB)
}

// driverAuthErrors are the driver's own refusals of an authentication
// method the DSN does not allow.
var driverAuthErrors = []error{mysqldrv.ErrCleartextPassword, mysqldrv.ErrNativePassword, mysqldrv.ErrOldPassword, mysqldrv.ErrUnknownPlugin}

// driverProtocolErrors are the driver's words for packets that are not
// MySQL's.
var driverProtocolErrors = []error{mysqldrv.ErrMalformPkt, mysqldrv.ErrPktSync, mysqldrv.ErrPktSyncMul, mysqldrv.ErrOldProtocol, errMalformedGreeting}

// classifyConnect names why the login failed. The driver hides network
// and TLS errors behind "invalid connection"; the trace has the real ones
// and the server's first bytes. Every message passes through Redact.
func classifyConnect(ctx context.Context, err error, tr *loginTrace, secrets []string) *failure {
	f := classifyLogin(ctx, err, tr)
	f.Message = depcheck.Redact(f.Message, secrets...)
	return f
}

func classifyLogin(ctx context.Context, err error, tr *loginTrace) *failure {
	if depcheck.Cancelled(ctx) { // the run ended: not the server's doing
		return &failure{Failure: depcheck.Classify(ctx, err)}
	}
	if tr.conn == nil { // the dial itself failed
		return &failure{Failure: depcheck.Classify(ctx, err)}
	}
	first, netErr := tr.conn.seen()
	logged := tr.logged.first()
	var me *mysqldrv.MySQLError
	switch {
	case errors.As(err, &me):
		return serverError(me)
	case anyIs(err, driverAuthErrors):
		return &failure{Failure: failureOf(depcheck.CauseAuth, "credentials rejected: "+err.Error())}
	case errors.Is(err, mysqldrv.ErrNoTLS):
		return &failure{Failure: depcheck.Failure{Cause: depcheck.CauseTLS, TLSReason: "server_without_tls",
			Message: "TLS is required, but the server does not offer it (have_ssl is DISABLED: no ssl_cert/ssl_key configured)"}}
	case len(first) > 0 && !isGreeting(first):
		return &failure{Failure: failureOf(depcheck.CauseProtocol, "the server does not speak the MySQL protocol: its first bytes are "+strconv.QuoteToASCII(string(first)))}
	case anyIs(err, driverProtocolErrors):
		return &failure{Failure: failureOf(depcheck.CauseProtocol, "the server's packets are not MySQL's: "+err.Error())}
	}
	// "invalid connection" or "bad connection": what the driver logged,
	// then the socket's own error, say more.
	f := depcheck.Classify(ctx, err)
	for _, e := range []error{logged, netErr} {
		if e != nil && f.Cause == depcheck.CauseNetwork {
			f = depcheck.Classify(ctx, e)
		}
	}
	switch {
	case f.Cause == depcheck.CauseTLS:
	case f.Cause == depcheck.CauseTimeout || deadlinePassed(ctx):
		f = failureOf(depcheck.CauseTimeout, "TCP connected, but the MySQL login (greeting, TLS, authentication) did not complete before the check's deadline")
		if len(first) == 0 {
			f.Message = "TCP connected, but the server sent no greeting before the check's deadline: it accepts connections and says nothing (a stuck server, a proxy with no backend, a firewall that lets SYN through)"
		}
	case f.Cause == depcheck.CauseNetwork && tr.clientCert && tr.tlsDone.Load():
		// TLS 1.3 reports a rejected client certificate after the
		// client's side of the handshake is done; when the alert is lost
		// to the reset, a drop right after the handshake is what is left.
		f = depcheck.Failure{Cause: depcheck.CauseTLS, TLSReason: depcheck.ReasonBadCertificate,
			Message: "the server dropped the connection right after the TLS handshake: it rejected our client certificate (expired, or not issued by a CA in its ssl_ca)"}
	case f.Cause == depcheck.CauseNetwork && len(first) == 0:
		f = failureOf(depcheck.CauseProtocol, "the server closed the connection without sending a MySQL greeting")
	}
	return &failure{Failure: f}
}

// classifyQuery names why a query failed after login.
func classifyQuery(ctx context.Context, err error, secrets []string) *failure {
	var me *mysqldrv.MySQLError
	var f *failure
	switch {
	case errors.As(err, &me):
		f = serverError(me)
	case depcheck.Cancelled(ctx):
		f = &failure{Failure: depcheck.Classify(ctx, err)} // interrupted: the run ended
	case deadlinePassed(ctx) || errors.Is(err, context.DeadlineExceeded):
		f = &failure{Failure: depcheck.Failure{Cause: depcheck.CauseTimeout, Message: "the server did not answer a query before the check's deadline"}}
	case errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysqldrv.ErrInvalidConn):
		f = &failure{Failure: depcheck.Failure{Cause: depcheck.CauseNetwork, Message: "the server closed the connection during a query"}}
	default:
		f = &failure{Failure: depcheck.Classify(ctx, err)}
	}
	f.Message = depcheck.Redact(f.Message, secrets...)
	return f
}

// serverError turns an error packet into a failure: auth for credential
// errors, server for the rest (too many connections, host blocked).
func serverError(me *mysqldrv.MySQLError) *failure {
	text := fmt.Sprintf("error %d: %s", me.Number, clip(me.Message, maxErrorText))
	if authErrnos[me.Number] {
		return &failure{errno: me.Number, Failure: depcheck.Failure{Cause: depcheck.CauseAuth, Message: "credentials rejected: " + text}}
	}
	return &failure{errno: me.Number, Failure: depcheck.Failure{Cause: causeServer, Message: "the server refused: " + text}}
}

func anyIs(err error, targets []error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// deadlinePassed reports whether the check's own deadline is over. A
// cancelled context (the run ended) is not the server's timeout.
func deadlinePassed(ctx context.Context) bool {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

func failureOf(cause, msg string) depcheck.Failure {
	return depcheck.Failure{Cause: cause, Message: msg}
}
