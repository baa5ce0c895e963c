package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"sync"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"

	"github.com/golive-sh/golive/internal/depcheck"
)

// session is one open connection to a server, with what connecting
// learned.
type session struct {
	conn    *sql.Conn
	db      *sql.DB
	version serverVersion
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
	var version, comment sql.NullString
	if err := s.conn.QueryRowContext(ctx, "SELECT VERSION(), @@version_comment").Scan(&version, &comment); err != nil {
		s.close()
		return nil, classifyQuery(ctx, err, t.secrets)
	}
	s.comment = clip(comment.String, maxVersionLen)
	if s.version, err = parseVersion(version.String, s.comment); err != nil {
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
