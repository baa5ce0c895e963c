package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"

	"github.com/golive-sh/golive/internal/testenv"
)

// A lab of real MariaDB servers for the tests: each in a temp dir, on a
// random 127.0.0.1 port and its own socket, started with --no-defaults so
// no option file of this machine is read, and killed with its process
// group when the tests end (or when the test binary dies: Pdeathsig).

// needServer skips when the MariaDB server binaries are missing; in CI
// (CI=true) nothing may skip, so it fails.
func needServer(t testing.TB) {
	t.Helper()
	for _, c := range []string{"mariadbd", "mariadb-install-db"} {
		if _, err := lookServer(c); err != nil {
			msg := c + " not found: install the Debian package mariadb-server (scripts/test-deps.sh does it) to run the MySQL family's tests against a real server"
			testenv.Missing(t, msg)
		}
	}
}

// lookServer finds a server binary on PATH or in /usr/sbin, where Debian
// puts mariadbd (not on a non-root user's PATH).
func lookServer(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// mariadb is one running server.
type mariadb struct {
	name string
	dir  string
	sock string
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// addr is the server's TCP address.
func (m *mariadb) addr() string { return fmt.Sprintf("127.0.0.1:%d", m.port) }

// dsn is a TCP DSN for user and password.
func (m *mariadb) dsn(user, password string) string {
	if password == "" {
		return fmt.Sprintf("%s@tcp(%s)/", user, m.addr())
	}
	return fmt.Sprintf("%s:%s@tcp(%s)/", user, password, m.addr())
}

// installTemplate initialises one data directory that every server copies:
// mariadb-install-db is the slow part of a start.
func installTemplate(dir string) (string, error) {
	bin, err := lookServer("mariadb-install-db")
	if err != nil {
		return "", err
	}
	data := filepath.Join(dir, "template")
	cmd := exec.Command(bin, "--no-defaults", "--auth-root-authentication-method=normal",
		"--datadir="+data, "--user="+currentUser(), "--skip-name-resolve", "--skip-test-db",
		"--innodb-log-file-size=8M", "--innodb-buffer-pool-size=16M")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("mariadb-install-db: %v\n%s", err, tail(string(out)))
	}
	return data, nil
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "root"
}

// startMariaDB copies the template into dir/name and starts a server on
// it with extra options.
func startMariaDB(dir, template, name string, extra ...string) (*mariadb, error) {
	bin, err := lookServer("mariadbd")
	if err != nil {
		return nil, err
	}
	home := filepath.Join(dir, name)
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	data := filepath.Join(home, "data")
	if out, err := exec.Command("cp", "-a", template, data).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("copy datadir: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	m := &mariadb{name: name, dir: home, sock: filepath.Join(home, "s.sock"), port: port, done: make(chan struct{})}
	args := append([]string{"--no-defaults", "--user=" + currentUser(),
		"--datadir=" + data, "--socket=" + m.sock, fmt.Sprintf("--port=%d", port),
		"--bind-address=127.0.0.1", "--skip-networking=0", "--skip-name-resolve",
		"--pid-file=" + filepath.Join(home, "pid"), "--log-error=" + filepath.Join(home, "error.log"),
		"--tmpdir=" + home, "--secure-file-priv=" + home,
		"--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M", "--performance-schema=OFF",
		"--max-connections=40"}, extra...)
	m.cmd = exec.Command(bin, args...)
	m.cmd.Dir = home
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := m.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { m.cmd.Wait(); close(m.done) }()
	if err := m.waitReady(30 * time.Second); err != nil {
		m.stop()
		return nil, err
	}
	return m, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls the socket until root can log in (bounded).
func (m *mariadb) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-m.done:
			return fmt.Errorf("mariadbd %s exited during start-up:\n%s", m.name, m.errorLog())
		default:
		}
		if err := m.exec("SELECT 1"); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("mariadbd %s not ready after %s: %v\n%s", m.name, limit, err, m.errorLog())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (m *mariadb) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(m.dir, "error.log"))
	return tail(string(b))
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

// admin opens a root session over the server's socket.
func (m *mariadb) admin() (*sql.DB, error) {
	cfg := mysqldrv.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "unix", m.sock
	cfg.Logger = &mysqldrv.NopLogger{}
	cfg.Timeout = 5 * time.Second
	c, err := mysqldrv.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// exec runs statements as root, in order.
func (m *mariadb) exec(stmts ...string) error {
	db, err := m.admin()
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// query returns the first row of a statement, by column name.
func (m *mariadb) query(stmt string) (map[string]sql.NullString, error) {
	db, err := m.admin()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(stmt)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if !rows.Next() {
		return nil, errors.Join(rows.Err(), errors.New(stmt+": no row"))
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	out := map[string]sql.NullString{}
	for i, c := range cols {
		out[c] = vals[i]
	}
	return out, nil
}

// stop kills the server's process group and waits for it.
func (m *mariadb) stop() {
	if m == nil || m.cmd == nil || m.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		<-m.done
	}
}

// waitFor polls cond every 200 ms until it holds or limit passes.
func waitFor(t testing.TB, limit time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not reached within %s (last: %s)", what, limit, last)
}
