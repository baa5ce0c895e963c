package mysql

import (
	"context"
	"crypto/tls"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/host"
)

// session is one open connection to a server, with what connecting
// learned.
type session struct {
	conn    *sql.Conn
	db      *sql.DB
	version Version
	comment string
	// tlsMode is "verified", "unverified" (skip-verify, preferred) or "off".
	tlsMode string
	// connectMS is the TCP connect, handshakeMS the whole login (TCP,
	// greeting, TLS, authentication).
	connectMS, handshakeMS float64
}

// TLS modes of a session, as details.tls names them.
const (
	tlsVerified   = "verified"
	tlsUnverified = "unverified"
	tlsOff        = "off"
)

// target is a server's DSN made ready to dial: the driver configuration
// (password included), how it is shown, and the secrets to keep out of
// every output.
type target struct {
	cfg     *mysqldrv.Config
	shown   string
	secrets []string
	tlsMode string
}

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

// resolve loads the DSN and the password and builds the TLS configuration.
func (s *server) resolve(h *host.Host) (*target, *failure) {
	raw, source := s.dsn, "dsn"
	if raw == "" {
		var err error
		if raw, err = depcheck.LoadSecret(h, s.dsnEnv, s.dsnFile); err != nil {
			return nil, configFailure(err.Error())
		}
		source = "dsn_env " + s.dsnEnv
		if s.dsnFile != "" {
			source = "dsn_file " + s.dsnFile
		}
	}
	cfg, err := ParseDSN(raw)
	if err != nil {
		return nil, configFailure(source + ": " + err.Error())
	}
	t := &target{cfg: cfg, secrets: []string{cfg.Passwd}}
	if s.passwordEnv != "" || s.passwordFile != "" {
		if cfg.Passwd != "" {
			return nil, configFailure(source + " already holds a password, and password_env/password_file gives another: keep one")
		}
		pw, err := depcheck.LoadSecret(h, s.passwordEnv, s.passwordFile)
		if err != nil {
			return nil, configFailure(err.Error())
		}
		cfg.Passwd = pw
		t.secrets = append(t.secrets, pw)
	}
	switch cfg.Net {
	case "tcp", "tcp4", "tcp6", "unix":
	default:
		return nil, configFailure(fmt.Sprintf("%s: network %q is not supported (tcp or unix)", source, clip(cfg.Net, 32)))
	}
	t.shown = depcheck.Redact(RedactedDSN(cfg), t.secrets...)
	if f := s.setTLS(h, t); f != nil {
		return nil, f
	}
	return t, nil
}

// setTLS builds the TLS configuration: from the profile's files when it
// names any, else from the DSN's tls parameter, read as the driver reads it.
func (s *server) setTLS(h *host.Host, t *target) *failure {
	cfg := t.cfg
	hostName, _, _ := net.SplitHostPort(cfg.Addr)
	name := s.serverName
	if name == "" {
		name = hostName
	}
	verified := func(files depcheck.TLSFiles) *failure {
		c, err := depcheck.TLSConfig(h, files, name)
		if err != nil {
			return configFailure(err.Error())
		}
		cfg.TLS, t.tlsMode = c, tlsVerified
		return nil
	}
	switch {
	case s.tlsFromProfile():
		return verified(s.tls)
	case cfg.TLSConfig == "" || cfg.TLSConfig == "false":
		t.tlsMode = tlsOff
		return nil
	case cfg.TLSConfig == "true":
		return verified(depcheck.TLSFiles{})
	case cfg.TLSConfig == tlsSkipVerify || cfg.TLSConfig == tlsPreferred:
		cfg.TLS, t.tlsMode = &tls.Config{InsecureSkipVerify: true}, tlsUnverified // #nosec G402 -- the DSN asks for it; reported as a warning
		cfg.AllowFallbackToPlaintext = cfg.TLSConfig == tlsPreferred
		return nil
	}
	return configFailure(fmt.Sprintf("the DSN's tls=%s names a TLS configuration the service registers in its own code; give ca_file (and cert_file, key_file) in the profile so golive can build the same", clip(cfg.TLSConfig, 64)))
}

// open connects, logs in and asks the server's version. Every step ends
// by the context's deadline.
func (t *target) open(ctx context.Context) (*session, *failure) {
	var d net.Dialer
	return t.openVia(ctx, d.DialContext)
}

// dialFunc opens the connection to the server; tests give one that never
// leaves the process.
type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

func (t *target) openVia(ctx context.Context, dial dialFunc) (*session, *failure) {
	cfg := t.cfg.Clone()
	trace := &loginTrace{}
	cfg.Logger = &trace.logged
	trace.watchTLS(cfg.TLS)
	// Nothing the DSN says may make golive's queries do more than read:
	// no multi-statements, no LOAD DATA LOCAL, column names as the server
	// sends them.
	cfg.MultiStatements, cfg.AllowAllFiles, cfg.ColumnsWithAlias, cfg.ParseTime = false, false, false, false
	cfg.InterpolateParams, cfg.RejectReadOnly = false, false
	// The driver's timeouts restart with every read; one absolute deadline
	// on the socket (set in dial) bounds the whole session instead.
	cfg.ReadTimeout, cfg.WriteTimeout = 0, 0
	cfg.Timeout = 0
	var connectMS float64
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		start := time.Now()
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		connectMS = ms(time.Since(start))
		if dl, ok := ctx.Deadline(); ok {
			_ = c.SetDeadline(dl)
		}
		trace.conn = &recordingConn{Conn: c}
		return trace.conn, nil
	}
	connector, err := mysqldrv.NewConnector(cfg)
	if err != nil {
		return nil, configFailure("the driver refused the DSN's settings")
	}
	start := time.Now()
	dc, err := connectSafely(ctx, connector)
	if err != nil {
		if trace.conn != nil {
			trace.conn.Close() // the driver closes it, except after a panic
		}
		return nil, classifyConnect(ctx, err, trace, t.secrets)
	}
	s := &session{tlsMode: t.tlsMode, connectMS: connectMS, handshakeMS: ms(time.Since(start))}
	s.db = sql.OpenDB(&onceConnector{conn: dc, driver: connector.Driver()})
	s.db.SetMaxOpenConns(1)
	if s.conn, err = s.db.Conn(ctx); err != nil {
		s.close()
		return nil, classifyQuery(ctx, err, t.secrets)
	}
	var version string
	if err := s.conn.QueryRowContext(ctx, "SELECT VERSION(), @@version_comment").Scan(&version, &s.comment); err != nil {
		s.close()
		return nil, classifyQuery(ctx, err, t.secrets)
	}
	s.comment = clip(s.comment, maxVersionLen)
	if s.version, err = ParseVersion(version, s.comment); err != nil {
		s.close()
		return nil, &failure{Failure: depcheck.Failure{Cause: depcheck.CauseProtocol, Message: "the server's VERSION() is " + err.Error()}}
	}
	return s, nil
}

// connectSafely runs the driver's login; a malformed greeting can make the
// driver index past a short packet, which is the server's fault, not a
// crash of golive.
func connectSafely(ctx context.Context, c driver.Connector) (dc driver.Conn, err error) {
	defer func() {
		if v := recover(); v != nil {
			dc, err = nil, errMalformedGreeting
		}
	}()
	return c.Connect(ctx)
}

var errMalformedGreeting = errors.New("malformed greeting")

func (s *session) close() {
	if s.conn != nil {
		s.conn.Close()
	}
	if s.db != nil {
		s.db.Close()
	}
}

// onceConnector hands database/sql the connection golive opened itself, so
// that the login's error is golive's to classify and is never retried.
type onceConnector struct {
	conn   driver.Conn
	driver driver.Driver
	mu     sync.Mutex
	used   bool
}

func (c *onceConnector) Connect(context.Context) (driver.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.used {
		return nil, errors.New("the connection was lost")
	}
	c.used = true
	return c.conn, nil
}

func (c *onceConnector) Driver() driver.Driver { return c.driver }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
