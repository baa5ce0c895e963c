package mysql

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/depcheck/deptest"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// Test accounts. The passwords are distinctive so that a test can grep
// every output for them.
const (
	userGolive  = "golive"
	pwGolive    = "Pw-golive-4c7e1b9a"
	userNoGrant = "nogrant"
	pwNoGrant   = "Pw-nogrant-1a5b3c7d"
	pwRepl      = "Pw-repl-8d2f6e0c"
	// userX509 must present a client certificate the servers' CA signed.
	userX509 = "certuser"
)

// theLab is a primary and a replica replicating from it (real
// replication), shared by the tests: starting them takes seconds. Tests
// that change the replica's state restore it before they end.
type theLab struct {
	dir              string
	primary, replica *mariadb
	// root is a host root holding the TLS files the profiles name:
	// /etc/ssl/mysql/ca.pem (the servers' CA), other-ca.pem (a stranger).
	root *host.Host
}

var (
	labOnce sync.Once
	shared  *theLab
	labErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.primary.stop()
		shared.replica.stop()
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// lab starts the shared servers on first use.
func lab(t testing.TB) *theLab {
	t.Helper()
	needServer(t)
	labOnce.Do(func() { shared, labErr = startLab(t) })
	if labErr != nil {
		t.Fatalf("MariaDB lab: %v", labErr)
	}
	return shared
}

func startLab(t testing.TB) (*theLab, error) {
	dir, err := os.MkdirTemp("", "golive-mysql-")
	if err != nil {
		return nil, err
	}
	l := &theLab{dir: dir}
	fail := func(err error) (*theLab, error) {
		l.primary.stop()
		l.replica.stop()
		os.RemoveAll(dir)
		return nil, err
	}
	tmpl, err := installTemplate(dir)
	if err != nil {
		return fail(err)
	}
	ssl, err := writeLabPKI(t, dir)
	if err != nil {
		return fail(err)
	}
	if l.primary, err = startMariaDB(dir, tmpl, "primary", append([]string{"--server-id=1", "--log-bin=primary-bin", "--binlog-format=ROW"}, ssl...)...); err != nil {
		return fail(err)
	}
	if err := l.primary.exec(
		fmt.Sprintf("CREATE USER %s@'%%' IDENTIFIED BY '%s'", userGolive, pwGolive),
		fmt.Sprintf("GRANT REPLICA MONITOR ON *.* TO %s@'%%'", userGolive),
		fmt.Sprintf("CREATE USER %s@'%%' IDENTIFIED BY '%s'", userNoGrant, pwNoGrant),
		fmt.Sprintf("CREATE USER %s@'%%' IDENTIFIED BY '%s' REQUIRE X509", userX509, pwGolive),
		fmt.Sprintf("CREATE USER repl@'%%' IDENTIFIED BY '%s'", pwRepl),
		"GRANT REPLICATION SLAVE ON *.* TO repl@'%'",
		"CREATE DATABASE app",
		"CREATE TABLE app.events (id INT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
	); err != nil {
		return fail(err)
	}
	if l.replica, err = startMariaDB(dir, tmpl, "replica", "--server-id=2", "--read-only=ON", "--relay-log=replica-relay"); err != nil {
		return fail(err)
	}
	if err := l.replica.exec(
		fmt.Sprintf("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='repl', MASTER_PASSWORD='%s', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1", l.primary.port, pwRepl),
		"START SLAVE",
	); err != nil {
		return fail(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		row, err := l.replica.query("SELECT COUNT(*) AS n FROM mysql.user WHERE user = 'golive'")
		if err == nil && row["n"].String == "1" {
			break
		}
		if time.Now().After(deadline) {
			st, _ := l.replica.query("SHOW SLAVE STATUS")
			return fail(fmt.Errorf("the replica did not catch up with the primary in 30s: %v %v", err, st))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if l.root, err = host.New(filepath.Join(dir, "root")); err != nil {
		return fail(err)
	}
	return l, nil
}

// writeLabPKI makes the servers' CA, the primary's certificate (for
// 127.0.0.1 and db.test), client certificates (good, expired, and one from
// another CA) for the account that must present one, and returns the
// primary's --ssl options.
func writeLabPKI(t testing.TB, dir string) ([]string, error) {
	ca := deptest.NewCA(t, "golive lab MySQL CA")
	other := deptest.NewCA(t, "some other CA")
	srv := ca.Issue(t, deptest.Leaf{CN: "db.test", DNS: []string{"db.test"}, IPs: deptest.Loopback})
	client := ca.Issue(t, deptest.Leaf{CN: "golive"})
	expired := ca.Issue(t, deptest.Leaf{CN: "golive", NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().AddDate(0, 0, -1)})
	stranger := other.Issue(t, deptest.Leaf{CN: "golive"})
	const etc = "root/etc/ssl/mysql/"
	files := map[string][]byte{
		"ssl/ca.pem": ca.PEM, "ssl/server.pem": srv.CertPEM, "ssl/server-key.pem": srv.KeyPEM,
		etc + "ca.pem": ca.PEM, etc + "other-ca.pem": other.PEM,
		etc + "client.pem": client.CertPEM, etc + "client-key.pem": client.KeyPEM,
		etc + "expired.pem": expired.CertPEM, etc + "expired-key.pem": expired.KeyPEM,
		etc + "stranger.pem": stranger.CertPEM, etc + "stranger-key.pem": stranger.KeyPEM,
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return nil, err
		}
	}
	return []string{"--ssl-ca=" + filepath.Join(dir, "ssl/ca.pem"), "--ssl-cert=" + filepath.Join(dir, "ssl/server.pem"),
		"--ssl-key=" + filepath.Join(dir, "ssl/server-key.pem")}, nil
}

// testProfile resolves a standalone profile written in a temp file.
func testProfile(t testing.TB, yaml string) *profile.Profile {
	t.Helper()
	return profiletest.ResolveNamed(t, "golive.yaml", yaml)
}

// runProfile builds the mysql checks of a profile and runs them (those
// matching only, when given), returning the results by ID.
func runProfile(t testing.TB, h *host.Host, yaml string, timeout time.Duration, only ...string) map[string]engine.Result {
	t.Helper()
	p := testProfile(t, yaml)
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	if checks, err = (engine.Filter{Only: only}).Apply(checks); err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{CheckTimeout: timeout})
	byID := map[string]engine.Result{}
	for _, r := range out.Results {
		byID[r.ID] = r
	}
	return byID
}

// entry is one server of a mysql: section, as YAML.
func entry(name, env, role string, extra ...string) string {
	s := fmt.Sprintf("  - name: %s\n    dsn_env: %s\n    role: %s\n", name, env, role)
	for _, e := range extra {
		s += "    " + e + "\n"
	}
	return s
}

// mustStatus fails the test unless r has the status (and, when given, the
// cause), showing the whole result otherwise.
func mustStatus(t testing.TB, r engine.Result, status engine.Status, cause string) {
	t.Helper()
	if r.ID == "" {
		t.Fatalf("no such result")
	}
	got, _ := r.Details["cause"].(string)
	if r.Status != status || got != cause {
		t.Fatalf("%s: status %s cause %q, want %s cause %q\nmessage: %s\nobserved: %s\ndetails: %v", r.ID, r.Status, got, status, cause, r.Message, r.Observed, r.Details)
	}
}

// noSecret fails when any text of the results holds a test password.
func noSecret(t testing.TB, text string) {
	t.Helper()
	for _, pw := range []string{pwGolive, pwNoGrant, pwRepl} {
		if strings.Contains(text, pw) {
			t.Errorf("output holds the password %q:\n%s", pw, text)
		}
	}
}
