package mysql

import (
	"context"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

// Results of every kind — passes, a login failure with its remediation, a
// replica whose SQL thread is stopped (a NULL lag) — make a report that
// validates against docs/report.schema.json.
func TestReportsValidate(t *testing.T) {
	l := lab(t)
	t.Setenv("T_PRIMARY", l.primary.dsn(userGolive, pwGolive))
	t.Setenv("T_REPLICA", l.replica.dsn(userGolive, pwGolive))
	t.Setenv("T_STALE", l.primary.dsn(userGolive, WrongPassword))
	if err := l.replica.exec("STOP SLAVE SQL_THREAD"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		l.replica.exec("START SLAVE SQL_THREAD")
		waitReplicating(t, l)
	})
	p := testProfile(t, "mysql:\n"+entry("p", "T_PRIMARY", rolePrimary, "pool_size: 5")+entry("r", "T_REPLICA", roleReplica)+entry("stale", "T_STALE", rolePrimary))
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), l.root, checks, engine.RunOptions{CheckTimeout: 5 * time.Second})
	statuses := map[engine.Status]int{}
	for _, r := range out.Results {
		statuses[r.Status]++
	}
	if statuses[engine.Pass] == 0 || statuses[engine.Fail] < 2 || statuses[engine.Error] == 0 {
		t.Fatalf("statuses %v: want passes, failures and errors in the report", statuses)
	}
	reporttest.ValidateOutcome(t, l.root, "/", out)
}
