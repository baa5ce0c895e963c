package mysql

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
)

func TestCapacityAgainstMaxConnectionsAndPool(t *testing.T) {
	l := lab(t)
	t.Setenv("T_PRIMARY", l.primary.dsn(userGolive, pwGolive))
	run := func(extra ...string) engine.Result {
		return runProfile(t, l.root, "mysql:\n"+entry("db", "T_PRIMARY", rolePrimary, extra...), 5*time.Second)["mysql/capacity:db"]
	}
	// Five sessions held by "other services" (root), so that a pool can
	// fit max_connections alone but not beside them.
	waitIdle(t, l.primary)
	db, err := l.primary.admin()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 5 {
		c, err := db.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	base := run()
	mustStatus(t, base, engine.Pass, "")
	used, max := base.Details["threads_connected"].(int), base.Details["max_connections"].(int)
	if max != 40 {
		t.Fatalf("max_connections %d, want the lab's 40", max)
	}
	tests := []struct {
		name   string
		pool   int
		status engine.Status
		msg    string
	}{
		{"pool fits with headroom", 10, engine.Pass, "of max_connections in use"},
		// Margins of 3: the replica's dump thread comes and goes.
		{"pool leaves under 20%", max - used - 4, engine.Warn, "would be in use (warning from 80%)"},
		{"pool does not fit beside the others", max - used + 3, engine.Fail, "above max_connections 40"},
		{"pool larger than max_connections", 100, engine.Fail, "larger than max_connections (40)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(fmt.Sprintf("pool_size: %d", tc.pool))
			mustStatus(t, r, tc.status, "")
			if !strings.Contains(r.Message, tc.msg) || r.Details["pool_size"] != tc.pool {
				t.Errorf("message %q details %v", r.Message, r.Details)
			}
		})
	}
}

// Without a pool size, connections held by others count: at 80% it warns.
func TestCapacityWarnsWhenConnectionsRunShort(t *testing.T) {
	l := lab(t)
	waitIdle(t, l.primary)
	if err := l.primary.exec("SET GLOBAL max_connections = 10"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.primary.exec("SET GLOBAL max_connections = 40") })
	db, err := l.primary.admin()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// MariaDB's smallest max_connections is 10: 7 root sessions and the
	// replica's binlog dump thread make 8 (80%) besides golive's own.
	for range 7 {
		c, err := db.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	t.Setenv("T_PRIMARY", l.primary.dsn(userGolive, pwGolive))
	// Only the capacity check: the others' sessions would take the last slots.
	r := runProfile(t, l.root, "mysql:\n"+entry("db", "T_PRIMARY", rolePrimary), 5*time.Second, "mysql/capacity:db")["mysql/capacity:db"]
	mustStatus(t, r, engine.Warn, "")
	if r.Details["max_connections"] != 10 || r.Details["threads_connected"].(int) < 8 {
		t.Errorf("details %v", r.Details)
	}
}

// waitIdle waits until the server has no sessions left from earlier tests
// (closed connections end on the server a moment later): at most the
// replica's dump thread and the query's own session.
func waitIdle(t *testing.T, m *mariadb) {
	t.Helper()
	waitFor(t, 10*time.Second, "sessions of earlier tests ending", func() (bool, string) {
		row, err := m.query("SELECT VARIABLE_VALUE AS n FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'THREADS_CONNECTED'")
		if err != nil {
			return false, err.Error()
		}
		n, _ := strconv.Atoi(row["n"].String)
		return n <= 2, row["n"].String + " connected"
	})
}
