package mysql

import (
	"context"
	"database/sql"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	mysqldrv "github.com/go-sql-driver/mysql"
)

// The password never comes back from parsing: not in an error, not in
// the DSN as shown.
func FuzzParseDSN(f *testing.F) {
	f.Add("golive", "Pw-golive-4c7e1b9a", "tcp(db1:3306)/app?tls=true")
	f.Add("u", "p/a@ss?w=1", "tcp(h)")
	f.Add("u", "secret-pw", "unix(/run/mysqld.sock)/?strict=true&loc=Local")
	f.Add("", "", "/?tls=%zz")
	f.Add("u", "pw(x)", "tcp(h:1/db?timeout=1x")
	f.Fuzz(func(t *testing.T, user, pw, rest string) {
		dsn := user + ":" + pw + "@" + rest
		cfg, err := parseDSN(dsn)
		secret := len(pw) >= 6 && !strings.Contains(user+rest, pw)
		if err != nil {
			if secret && strings.Contains(err.Error(), pw) {
				t.Fatalf("ParseDSN(%q) error %q holds the password", dsn, err)
			}
			return
		}
		shown := redactedDSN(cfg)
		clean := cfg.Clone()
		clean.Passwd, clean.TLS = "", nil
		// "***" itself is what a password becomes, not a leak of "*".
		bare := strings.ReplaceAll(shown, redactedPassword, "")
		if cfg.Passwd != "" && strings.Contains(bare, cfg.Passwd) && !strings.Contains(clean.FormatDSN(), cfg.Passwd) {
			t.Fatalf("RedactedDSN(%q) = %q holds the password %q", dsn, shown, cfg.Passwd)
		}
	})
}

// Rows as the server sends them: "Column=value" lines, a bare "Column" is
// NULL.
func FuzzParseChannel(f *testing.F) {
	f.Add("Replica_IO_Running=Yes\nReplica_SQL_Running=Yes\nSeconds_Behind_Source=12\nChannel_Name=")
	f.Add("Slave_IO_Running=Connecting\nSlave_SQL_Running=No\nSeconds_Behind_Master\nLast_SQL_Error=Duplicate entry\nSQL_Delay=30")
	f.Add("Slave_IO_Running=Yes\nSlave_IO_Running=No\nSlave_SQL_Running=Yes\nSeconds_Behind_Master=99999999999999999999")
	f.Add("Slave_IO_Running=\xff\nSlave_SQL_Running=Yes\nSeconds_Behind_Master=-1")
	f.Fuzz(func(t *testing.T, data string) {
		var cols []string
		var vals []sql.NullString
		for line := range strings.SplitSeq(data, "\n") {
			k, v, ok := strings.Cut(line, "=")
			cols = append(cols, k)
			vals = append(vals, sql.NullString{String: v, Valid: ok})
		}
		ch, err := parseChannel(cols, vals)
		if err != nil {
			return
		}
		if ch.lag != nil && *ch.lag < 0 {
			t.Fatalf("negative lag %d", *ch.lag)
		}
		obs, problems, _ := judgeChannel(ch, 30*time.Second)
		for _, s := range append(problems, obs, ch.lastIOError, ch.lastSQLError, ch.name) {
			if !utf8.ValidString(s) || len(s) > 4*maxErrorText {
				t.Fatalf("text not valid UTF-8 or unbounded: %q", s)
			}
		}
	})
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"8.0.36", "10.11.6-MariaDB-log", "5.5.5-10.3.39-MariaDB", "8.0.35-27", "9.1", "", "1.2.3.4", "\xff"} {
		f.Add(s, "")
	}
	f.Add("10.6.16", "MariaDB Server")
	f.Fuzz(func(t *testing.T, version, comment string) {
		v, err := parseVersion(version, comment)
		if !utf8.ValidString(v.raw) || len(v.raw) > maxVersionLen+3 {
			t.Fatalf("Raw %q", v.raw)
		}
		if err != nil {
			return
		}
		if v.major < 0 || v.major > 9999 || v.minor > 9999 || v.patch > 9999 {
			t.Fatalf("version %+v", v)
		}
		_ = v.replicaStatusStatement()
	})
}

// Whatever a server sends first, the login ends with a failure, never a
// panic or a hang.
func FuzzLoginGreeting(f *testing.F) {
	f.Add([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
	f.Add([]byte("\x01\x00\x00\x00\x0a"))
	f.Add([]byte("\x0a\x00\x00\x00\x0a5.7.0\x00\x01\x00\x00\x00"))
	f.Add([]byte("\x17\x00\x00\x00\xff\x10\x04#08004Too many connections"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, greeting []byte) {
		cfg := mysqldrv.NewConfig()
		cfg.User, cfg.Passwd, cfg.Addr = "golive", "Pw-fuzz-3b4c5d6e", "fuzz:3306"
		tg := &target{cfg: cfg, secrets: []string{cfg.Passwd}, tlsMode: tlsOff}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		s, fail := tg.openVia(ctx, func(context.Context, string, string) (net.Conn, error) {
			client, server := net.Pipe()
			go func() {
				server.SetDeadline(time.Now().Add(time.Second))
				server.Write(greeting)
				server.Close()
			}()
			return client, nil
		})
		if s != nil {
			s.close()
			t.Fatalf("a login with %q succeeded", greeting)
		}
		if fail == nil || fail.Cause == "" || strings.Contains(fail.Message, cfg.Passwd) {
			t.Fatalf("failure %+v", fail)
		}
	})
}
