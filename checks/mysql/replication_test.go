package mysql

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/depcheck/deptest"
	"github.com/golive-sh/golive/internal/engine"
)

// replicaProfile is a profile with the lab's replica under the name r.
func replicaProfile(t *testing.T, l *theLab, user, pw, extra string) string {
	t.Setenv("T_REPLICA", l.replica.dsn(user, pw))
	return "mysql:\n" + entry("r", "T_REPLICA", "replica", extra)
}

func replicationResult(t *testing.T, l *theLab, yaml string) engine.Result {
	t.Helper()
	return runProfile(t, l.root, yaml, 5*time.Second)["mysql/replication:r"]
}

// restartReplica stops the replica's threads, runs changes, and starts them
// again: CHANGE MASTER needs the threads stopped.
func restartReplica(t *testing.T, l *theLab, changes ...string) {
	t.Helper()
	stmts := append(append([]string{"STOP SLAVE"}, changes...), "START SLAVE")
	if err := l.replica.exec(stmts...); err != nil {
		t.Fatal(err)
	}
	waitReplicating(t, l)
}

// waitReplicating waits until both replica threads run again.
func waitReplicating(t *testing.T, l *theLab) {
	t.Helper()
	waitFor(t, 20*time.Second, "replica threads running", func() (bool, string) {
		row, err := l.replica.query("SHOW SLAVE STATUS")
		if err != nil {
			return false, err.Error()
		}
		io, sql := row["Slave_IO_Running"].String, row["Slave_SQL_Running"].String
		return io == "Yes" && sql == "Yes", "IO " + io + ", SQL " + sql
	})
}

// The acceptance: with a delayed replica the check fails with the
// lag it observed above max_lag, and passes once the delay is removed.
func TestReplicationLagAboveMaxLagFailsThenPassesWithoutDelay(t *testing.T) {
	l := lab(t)
	yaml := replicaProfile(t, l, userGolive, pwGolive, "max_lag: 1s")
	mustStatus(t, replicationResult(t, l, yaml), engine.Pass, "")

	restartReplica(t, l, "CHANGE MASTER TO MASTER_DELAY = 30")
	t.Cleanup(func() { restartReplica(t, l, "CHANGE MASTER TO MASTER_DELAY = 0") })
	if err := l.primary.exec("INSERT INTO app.events () VALUES ()"); err != nil {
		t.Fatal(err)
	}
	// The event waits 30 s on the replica; Seconds_Behind_Master grows
	// from 0. Poll (bounded) until it is above max_lag.
	var r engine.Result
	waitFor(t, 20*time.Second, "replication check failing on lag", func() (bool, string) {
		r = replicationResult(t, l, yaml)
		return r.Status == engine.Fail && r.Details["lag_s"] != nil, fmt.Sprintf("%s: %s", r.Status, r.Message)
	})
	lag, ok := r.Details["lag_s"].(int64)
	if !ok || lag <= 1 {
		t.Fatalf("details.lag_s = %v, want the observed lag above 1s: %s", r.Details["lag_s"], r.Message)
	}
	want := fmt.Sprintf("%ds behind the primary, above max_lag 1s", lag)
	if !strings.Contains(r.Message, want) || !strings.Contains(r.Message, "MASTER_DELAY=30") {
		t.Errorf("message %q, want it to say %q and name the MASTER_DELAY", r.Message, want)
	}
	if r.Details["sql_delay_s"] != int64(30) || r.Remediation == nil {
		t.Errorf("sql_delay_s %v, remediation %v", r.Details["sql_delay_s"], r.Remediation)
	}

	restartReplica(t, l, "CHANGE MASTER TO MASTER_DELAY = 0")
	waitFor(t, 20*time.Second, "replication check passing without the delay", func() (bool, string) {
		r = replicationResult(t, l, yaml)
		return r.Status == engine.Pass, fmt.Sprintf("%s: %s", r.Status, r.Message)
	})
}

func TestReplicationStoppedSQLThreadFails(t *testing.T) {
	l := lab(t)
	yaml := replicaProfile(t, l, userGolive, pwGolive, "")
	if err := l.replica.exec("STOP SLAVE SQL_THREAD"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		l.replica.exec("START SLAVE SQL_THREAD")
		waitReplicating(t, l)
	})
	r := replicationResult(t, l, yaml)
	mustStatus(t, r, engine.Fail, "")
	if !strings.Contains(r.Message, "the SQL thread is not running (No)") || r.Details["lag_s"] != nil {
		t.Errorf("message %q, lag_s %v: want the stopped SQL thread and a NULL lag", r.Message, r.Details["lag_s"])
	}
	if r.Observed != "IO Yes, SQL No, lag NULL" {
		t.Errorf("observed %q", r.Observed)
	}
	if r.Remediation == nil || !strings.Contains(r.Remediation.Actions[0].Text, "START REPLICA SQL_THREAD") {
		t.Errorf("remediation %+v, want the manual steps ending in START REPLICA SQL_THREAD", r.Remediation)
	}
}

func TestReplicationStoppedIOThreadFails(t *testing.T) {
	l := lab(t)
	yaml := replicaProfile(t, l, userGolive, pwGolive, "")
	if err := l.replica.exec("STOP SLAVE IO_THREAD"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		l.replica.exec("START SLAVE IO_THREAD")
		waitReplicating(t, l)
	})
	r := replicationResult(t, l, yaml)
	mustStatus(t, r, engine.Fail, "")
	if !strings.Contains(r.Message, "the IO thread is not running (No)") {
		t.Errorf("message %q", r.Message)
	}
}

// A real SQL error: a row written on the replica behind replication's back
// collides with the same row from the primary; the SQL thread stops and
// Last_SQL_Error says why.
func TestReplicationReportsLastSQLError(t *testing.T) {
	l := lab(t)
	yaml := replicaProfile(t, l, userGolive, pwGolive, "")
	if err := l.replica.exec("INSERT INTO app.events (id) VALUES (900001)"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		l.replica.exec("DELETE FROM app.events WHERE id = 900001", "START SLAVE")
		l.primary.exec("DELETE FROM app.events WHERE id = 900001")
		waitReplicating(t, l)
	})
	if err := l.primary.exec("INSERT INTO app.events (id) VALUES (900001)"); err != nil {
		t.Fatal(err)
	}
	var r engine.Result
	waitFor(t, 20*time.Second, "the SQL thread stopping on the duplicate row", func() (bool, string) {
		r = replicationResult(t, l, yaml)
		return r.Status == engine.Fail, string(r.Status) + ": " + r.Message
	})
	if !strings.Contains(r.Message, "Duplicate entry '900001'") || !strings.Contains(r.Details["last_sql_error"].(string), "Duplicate entry") {
		t.Errorf("message %q: want the Last_SQL_Error", r.Message)
	}
}

func TestReplicationOnAServerThatIsNotAReplica(t *testing.T) {
	l := lab(t)
	t.Setenv("T_PRIMARY", l.primary.dsn(userGolive, pwGolive))
	res := runProfile(t, l.root, "mysql:\n"+entry("p", "T_PRIMARY", "replica"), 5*time.Second)
	r := res["mysql/replication:p"]
	mustStatus(t, r, engine.Fail, "")
	if !strings.Contains(r.Message, "SHOW ALL REPLICAS STATUS is empty") {
		t.Errorf("message %q", r.Message)
	}
	mustStatus(t, res["mysql/role:p"], engine.Fail, "")
}

func TestReplicationWithoutPrivilegeSaysWhichGrant(t *testing.T) {
	l := lab(t)
	r := replicationResult(t, l, replicaProfile(t, l, userNoGrant, pwNoGrant, ""))
	mustStatus(t, r, engine.Error, causeServer)
	if r.Remediation == nil || !strings.Contains(r.Remediation.Actions[0].Text, "GRANT REPLICA MONITOR") {
		t.Errorf("remediation %+v", r.Remediation)
	}
}

// A replica pointed at a source that is not there: the IO thread keeps
// "Connecting" and Last_IO_Error says why.
func TestReplicationIOThreadCannotReachTheSource(t *testing.T) {
	l := lab(t)
	yaml := replicaProfile(t, l, userGolive, pwGolive, "")
	if err := l.replica.exec("STOP SLAVE", "CHANGE MASTER TO MASTER_PORT = "+strings.Split(deptest.ClosedPort(t), ":")[1], "START SLAVE"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { restartReplica(t, l, fmt.Sprintf("CHANGE MASTER TO MASTER_PORT = %d", l.primary.port)) })
	var r engine.Result
	waitFor(t, 20*time.Second, "Last_IO_Error of the unreachable source", func() (bool, string) {
		r = replicationResult(t, l, yaml)
		return r.Status == engine.Fail && r.Details["last_io_error"] != "", r.Message
	})
	if !strings.Contains(r.Message, "the IO thread is not running (Connecting): error connecting to master") {
		t.Errorf("message %q", r.Message)
	}
}
