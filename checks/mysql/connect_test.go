package mysql

import (
	"database/sql"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/depcheck/deptest"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// speaker accepts TCP connections on 127.0.0.1, writes greeting and
// closes: a port that answers, but not as MySQL.
func speaker(t *testing.T, greeting string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte(greeting))
			c.Close()
		}
	}()
	return ln.Addr().String()
}

func connectResult(t *testing.T, h *host.Host, dsn string, timeout time.Duration, extra ...string) map[string]engine.Result {
	t.Helper()
	t.Setenv("T_DSN", dsn)
	return runProfile(t, h, "mysql:\n"+entry("db", "T_DSN", "primary", extra...), timeout)
}

func TestConnectPassesWithTheServiceDSN(t *testing.T) {
	l := lab(t)
	r := connectResult(t, l.root, l.primary.dsn(userGolive, pwGolive), 5*time.Second)["mysql/connect:db"]
	mustStatus(t, r, engine.Pass, "")
	if r.Details["flavor"] != flavorMariaDB || r.Details["tls"] != tlsOff || !strings.HasPrefix(r.Observed, "MariaDB 10.") {
		t.Errorf("details %v, observed %q", r.Details, r.Observed)
	}
	if want := "golive:***@tcp(" + l.primary.addr() + ")/"; r.Details["dsn"] != want {
		t.Errorf("dsn %q, want %q", r.Details["dsn"], want)
	}
	for _, k := range []string{"connect_ms", "login_ms", "query_ms"} {
		if v, ok := r.Details[k].(float64); !ok || v <= 0 {
			t.Errorf("details.%s = %v, want the measured latency", k, r.Details[k])
		}
	}
}

// Each way a login fails is its own cause, in details.cause and at the
// start of the message; the other checks of the server cannot decide.
func TestConnectFailureCauses(t *testing.T) {
	l := lab(t)
	tests := []struct {
		name, dsn   string
		cause       string
		errno       int
		msgContains string
	}{
		{"wrong password", l.primary.dsn(userGolive, "Pw-wrong-5e6f7a8b"), depcheck.CauseAuth, 1045, "Access denied for user 'golive'"},
		{"unknown user", l.primary.dsn("nobody", "Pw-wrong-5e6f7a8b"), depcheck.CauseAuth, 1045, "Access denied for user 'nobody'"},
		{"nothing listens", "golive:" + pwGolive + "@tcp(" + deptest.ClosedPort(t) + ")/", depcheck.CauseRefused, 0, "connection refused"},
		{"ssh on the port", "golive:" + pwGolive + "@tcp(" + speaker(t, "SSH-2.0-OpenSSH_9.6\r\n") + ")/", depcheck.CauseProtocol, 0, `"SSH-2.0-OpenSSH_`},
		{"http on the port", "golive:" + pwGolive + "@tcp(" + speaker(t, "HTTP/1.1 400 Bad Request\r\n\r\n") + ")/", depcheck.CauseProtocol, 0, "does not speak the MySQL protocol"},
		{"closes at once", "golive:" + pwGolive + "@tcp(" + speaker(t, "") + ")/", depcheck.CauseProtocol, 0, "without sending a MySQL greeting"},
		{"truncated greeting", "golive:" + pwGolive + "@tcp(" + speaker(t, "\x01\x00\x00\x00\x0a") + ")/", depcheck.CauseProtocol, 0, "malformed greeting"},
		{"database without grant", l.primary.dsn(userGolive, pwGolive) + "nosuchdb", depcheck.CauseAuth, 1044, "to database 'nosuchdb'"},
		{"user at its connection limit", l.primary.dsn("capped", pwGolive), causeServer, 1226, "max_user_connections"},
	}
	// capped may hold one connection, and holds it.
	if err := l.primary.exec("CREATE USER IF NOT EXISTS capped@'%' IDENTIFIED BY '" + pwGolive + "' WITH MAX_USER_CONNECTIONS 1"); err != nil {
		t.Fatal(err)
	}
	hold, err := sql.Open("mysql", l.primary.dsn("capped", pwGolive))
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	if err := hold.Ping(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := connectResult(t, l.root, tc.dsn, 5*time.Second)
			r := res["mysql/connect:db"]
			mustStatus(t, r, engine.Fail, tc.cause)
			if !strings.HasPrefix(r.Message, tc.cause+": ") || !strings.Contains(r.Message, tc.msgContains) {
				t.Errorf("message %q, want %q first and %q in it", r.Message, tc.cause, tc.msgContains)
			}
			if tc.errno != 0 && r.Details["mysql_errno"] != tc.errno {
				t.Errorf("mysql_errno %v, want %d", r.Details["mysql_errno"], tc.errno)
			}
			if r.Remediation == nil {
				t.Error("no remediation")
			}
			mustStatus(t, res["mysql/role:db"], engine.Error, tc.cause)
			mustStatus(t, res["mysql/capacity:db"], engine.Error, tc.cause)
			for _, r := range res {
				noSecret(t, r.Message+r.Observed+r.Details["dsn"].(string))
			}
		})
	}
}

// A server that accepts the connection and says nothing ends at the check
// timeout with golive's own answer (not the runner's "timed out").
func TestConnectSilentServerEndsAtTheCheckTimeout(t *testing.T) {
	l := lab(t)
	res := connectResult(t, l.root, "golive:"+pwGolive+"@tcp("+deptest.SilentListener(t)+")/", time.Second)
	for _, id := range []string{"mysql/connect:db", "mysql/role:db", "mysql/capacity:db"} {
		r := res[id]
		want := engine.Error
		if id == "mysql/connect:db" {
			want = engine.Fail
		}
		mustStatus(t, r, want, depcheck.CauseTimeout)
		if !strings.Contains(r.Message, "sent no greeting before the check's deadline") {
			t.Errorf("%s: message %q", id, r.Message)
		}
	}
}

func TestConnectTLS(t *testing.T) {
	l := lab(t)
	dsn := l.primary.dsn(userGolive, pwGolive)
	t.Run("verified with ca_file", func(t *testing.T) {
		r := connectResult(t, l.root, dsn, 5*time.Second, "ca_file: /etc/ssl/mysql/ca.pem")["mysql/connect:db"]
		mustStatus(t, r, engine.Pass, "")
		if r.Details["tls"] != tlsVerified || !strings.HasPrefix(r.Details["tls_version"].(string), "TLSv1.") || !strings.Contains(r.Observed, "over TLSv1.") {
			t.Errorf("details %v, observed %q", r.Details, r.Observed)
		}
	})
	t.Run("server_name the certificate holds", func(t *testing.T) {
		r := connectResult(t, l.root, dsn, 5*time.Second, "ca_file: /etc/ssl/mysql/ca.pem", "server_name: db.test")["mysql/connect:db"]
		mustStatus(t, r, engine.Pass, "")
	})
	t.Run("wrong CA", func(t *testing.T) {
		r := connectResult(t, l.root, dsn, 5*time.Second, "ca_file: /etc/ssl/mysql/other-ca.pem")["mysql/connect:db"]
		mustStatus(t, r, engine.Fail, depcheck.CauseTLS)
		if r.Details["tls_reason"] != depcheck.ReasonUnknownAuthority {
			t.Errorf("tls_reason %v: %s", r.Details["tls_reason"], r.Message)
		}
	})
	t.Run("name not in the certificate", func(t *testing.T) {
		r := connectResult(t, l.root, dsn, 5*time.Second, "ca_file: /etc/ssl/mysql/ca.pem", "server_name: other.test")["mysql/connect:db"]
		mustStatus(t, r, engine.Fail, depcheck.CauseTLS)
		if r.Details["tls_reason"] != depcheck.ReasonNameMismatch {
			t.Errorf("tls_reason %v: %s", r.Details["tls_reason"], r.Message)
		}
	})
	t.Run("server without TLS", func(t *testing.T) {
		r := connectResult(t, l.root, l.replica.dsn(userGolive, pwGolive), 5*time.Second, "ca_file: /etc/ssl/mysql/ca.pem")["mysql/connect:db"]
		mustStatus(t, r, engine.Fail, depcheck.CauseTLS)
		if r.Details["tls_reason"] != "server_without_tls" {
			t.Errorf("tls_reason %v: %s", r.Details["tls_reason"], r.Message)
		}
	})
	t.Run("skip-verify in the DSN warns", func(t *testing.T) {
		r := connectResult(t, l.root, dsn+"?tls=skip-verify", 5*time.Second)["mysql/connect:db"]
		mustStatus(t, r, engine.Warn, "")
		if r.Details["tls"] != tlsUnverified || !strings.Contains(r.Details["dsn"].(string), "tls=skip-verify") {
			t.Errorf("details %v", r.Details)
		}
	})
	certDSN := l.primary.dsn(userX509, pwGolive)
	t.Run("client certificate", func(t *testing.T) {
		r := connectResult(t, l.root, certDSN, 5*time.Second, "ca_file: /etc/ssl/mysql/ca.pem",
			"cert_file: /etc/ssl/mysql/client.pem", "key_file: /etc/ssl/mysql/client-key.pem")["mysql/connect:db"]
		mustStatus(t, r, engine.Pass, "")
	})
	t.Run("no client certificate for an account that requires one", func(t *testing.T) {
		r := connectResult(t, l.root, certDSN, 5*time.Second, "ca_file: /etc/ssl/mysql/ca.pem")["mysql/connect:db"]
		mustStatus(t, r, engine.Fail, depcheck.CauseAuth)
	})
	// The server's TLS alert names the problem; when a reset races the
	// alert away, the drop right after the handshake still blames the
	// certificate.
	for bad, reason := range map[string]string{"expired": depcheck.ReasonClientExpired, "stranger": depcheck.ReasonClientUnknownAuthority} {
		t.Run(bad+" client certificate", func(t *testing.T) {
			r := connectResult(t, l.root, certDSN, 5*time.Second, "ca_file: /etc/ssl/mysql/ca.pem",
				"cert_file: /etc/ssl/mysql/"+bad+".pem", "key_file: /etc/ssl/mysql/"+bad+"-key.pem")["mysql/connect:db"]
			mustStatus(t, r, engine.Fail, depcheck.CauseTLS)
			if got := r.Details["tls_reason"]; got != reason && got != depcheck.ReasonBadCertificate {
				t.Errorf("tls_reason %v, want %s: %s", got, reason, r.Message)
			}
		})
	}
	t.Run("a TLS config name only the service knows", func(t *testing.T) {
		r := connectResult(t, l.root, dsn+"?tls=custom", 5*time.Second)["mysql/connect:db"]
		mustStatus(t, r, engine.Error, causeConfig)
	})
}

// The DSN and the password come from where the profile says: a file under
// the root, a variable; a missing one is an error, not a pass or a fail.
func TestConnectSecretSources(t *testing.T) {
	l := lab(t)
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/golive"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/golive/primary.dsn"), []byte(l.primary.dsn(userGolive, pwGolive)+"\n"), 0o600)
	os.WriteFile(filepath.Join(root, "etc/golive/password"), []byte(pwGolive+"\n"), 0o600)
	h, err := host.New(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("T_PASSWORD", pwGolive)
	t.Setenv("T_UNSET", "")
	os.Unsetenv("T_UNSET")
	tests := []struct {
		name, entry string
		status      engine.Status
		cause       string
	}{
		{"dsn_file", "  - {name: db, role: primary, dsn_file: /etc/golive/primary.dsn}\n", engine.Pass, ""},
		{"dsn and password_env", "  - {name: db, role: primary, dsn: \"golive@tcp(" + l.primary.addr() + ")/\", password_env: T_PASSWORD}\n", engine.Pass, ""},
		{"dsn and password_file", "  - {name: db, role: primary, dsn: \"golive@tcp(" + l.primary.addr() + ")/\", password_file: /etc/golive/password}\n", engine.Pass, ""},
		{"unix socket", "  - {name: db, role: primary, dsn: \"golive@unix(" + l.primary.sock + ")/\", password_env: T_PASSWORD}\n", engine.Pass, ""},
		{"unset variable", "  - {name: db, role: primary, dsn_env: T_UNSET}\n", engine.Error, causeConfig},
		{"missing file", "  - {name: db, role: primary, dsn_file: /etc/golive/nothing.dsn}\n", engine.Error, causeConfig},
		{"two passwords", "  - {name: db, role: primary, dsn_file: /etc/golive/primary.dsn, password_env: T_PASSWORD}\n", engine.Error, causeConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runProfile(t, h, "mysql:\n"+tc.entry, 5*time.Second)["mysql/connect:db"]
			mustStatus(t, r, tc.status, tc.cause)
			noSecret(t, r.Message+r.Observed)
		})
	}
}
