package mysql

import (
	"context"
	"fmt"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/remediate"
)

// judgeConnect passes a server that logged us in and answered; it warns
// when TLS does not verify the server (tls=skip-verify or preferred in the
// DSN), since a man in the middle then goes unnoticed.
func judgeConnect(ctx context.Context, s *session, res engine.Result) engine.Result {
	start := time.Now()
	var one int
	if err := s.conn.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return queryFailed(res, classifyQuery(ctx, err, nil))
	}
	queryMS := ms(time.Since(start))
	res.Details["connect_ms"] = s.connectMS
	res.Details["login_ms"] = s.handshakeMS
	res.Details["query_ms"] = queryMS
	res.Details["version_comment"] = s.comment
	tlsDesc := "no TLS"
	if s.tlsMode != tlsOff {
		var version, cipher string
		// A server without these variables still proved the login: their
		// absence only leaves the TLS version unknown.
		rows, err := s.conn.QueryContext(ctx, "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')")
		if err == nil {
			for rows.Next() {
				var k, v string
				if rows.Scan(&k, &v) == nil {
					switch k {
					case "Ssl_version":
						version = clip(v, 32)
					case "Ssl_cipher":
						cipher = clip(v, 64)
					}
				}
			}
			rows.Close()
		}
		res.Details["tls_version"], res.Details["cipher"] = version, cipher
		tlsDesc = "over " + version
		if version == "" {
			// preferred mode fell back to plain text
			tlsDesc, s.tlsMode = "no TLS", tlsOff
			res.Details["tls"] = tlsOff
		}
	}
	res.Observed = fmt.Sprintf("%s, %s, login %.1f ms", s.version, tlsDesc, s.handshakeMS)
	if s.tlsMode == tlsUnverified {
		res.Status = engine.Warn
		res.Message = "connected, but TLS does not verify the server's certificate (tls=skip-verify or tls=preferred in the DSN): anyone on the path can pose as the server"
		res.Remediation = tell("verify the MySQL server's certificate",
			"set tls=true (or a registered TLS config with the server's CA) in the service's DSN, and give ca_file in the golive profile; make sure the server's certificate names the host the DSN uses")
		return res
	}
	res.Status = engine.Pass
	res.Message = fmt.Sprintf("logged in and answered: %s (%s)", s.version, s.comment)
	return res
}

// queryFailed reports a query that failed after a good login.
func queryFailed(res engine.Result, f *failure) engine.Result {
	res.Status = engine.Error
	res.Details["cause"] = f.Cause
	if f.errno != 0 {
		res.Details["mysql_errno"] = int(f.errno)
	}
	res.Observed = f.Cause
	res.Message = f.String()
	return res
}

// loginPlan says what a person does about a failed login.
func loginPlan(srv *server, f *failure) *remediate.Plan {
	where := "the server in the DSN"
	switch f.Cause {
	case depcheck.CauseDNS:
		return tell("make the server's name resolve", "publish the DNS record of "+where+", or fix the DSN's host")
	case depcheck.CauseRefused:
		return tell("make MySQL listen where the DSN points",
			"check that mysqld/mariadbd runs and listens on the DSN's host and port (bind-address, port, skip-networking=0), and that no firewall rejects this host")
	case depcheck.CauseTimeout, depcheck.CauseUnreachable, depcheck.CauseNetwork:
		return tell("open the path to the server",
			"check the server is up and that firewalls and security groups allow this host to reach the DSN's port; a server that accepts but never greets is hung or behind a proxy without a backend")
	case depcheck.CauseTLS:
		return tell("fix TLS between this host and the server",
			"compare the server's certificate (ssl_cert, its CA and names) with ca_file/server_name of mysql "+srv.name+" and the service's TLS config; an expired or untrusted client certificate is renewed or reissued by the CA the server trusts (ssl_ca)")
	case depcheck.CauseAuth:
		return tell("fix the service's MySQL credentials",
			"check the user and password the service uses (the secret behind dsn_env/dsn_file/password_env), that the account exists for this client's address (SELECT user, host FROM mysql.user), is not locked or expired, and has the grants for its database")
	case depcheck.CauseProtocol:
		return tell("point the DSN at a MySQL server", "the DSN's host and port answer, but not as MySQL: fix the port, or the proxy in front of the server")
	case causeServer:
		switch f.errno {
		case 1040:
			return tell("free or raise connections", "the server is at max_connections: find who holds the connections (SHOW PROCESSLIST), shrink their pools, or raise max_connections")
		case 1129:
			return tell("unblock this host", "the server blocked this host after too many failed handshakes: fix their cause, then run FLUSH HOSTS (mariadb-admin flush-hosts) and raise max_connect_errors")
		}
		return tell("fix what the server refused", "read the server's error in the message and fix the account, database or server setting it names")
	}
	return nil
}
