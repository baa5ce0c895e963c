package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"

	"github.com/golive-sh/golive/internal/engine"
)

// maxChannels bounds the rows read from SHOW REPLICA STATUS.
const maxChannels = 64

// readChannels runs the version's replica status statement.
func readChannels(ctx context.Context, conn *sql.Conn, v serverVersion) ([]channel, error) {
	rows, err := conn.QueryContext(ctx, v.replicaStatusStatement())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []channel
	for rows.Next() && len(out) < maxChannels {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		ch, err := parseChannel(cols, vals)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, rows.Err()
}

// judgeReplication fails a replica whose threads stopped or whose lag is
// above max_lag; every channel of a multi-source replica must be healthy.
func judgeReplication(ctx context.Context, s *session, res engine.Result, maxLag time.Duration) engine.Result {
	stmt := s.version.replicaStatusStatement()
	res.Details["statement"] = stmt
	res.Details["max_lag_s"] = int64(maxLag / time.Second)
	chans, err := readChannels(ctx, s.conn, s.version)
	if err != nil {
		var me *mysqldrv.MySQLError
		if errors.As(err, &me) && (me.Number == 1227 || me.Number == 1142) {
			res = queryFailed(res, classifyQuery(ctx, err, nil))
			res.Message = "the account may not read the replica status: " + res.Message
			res.Remediation = tell("let golive's account read the replica status", grantHint(s.version))
			return res
		}
		return queryFailed(res, classifyQuery(ctx, err, nil))
	}
	if len(chans) == 0 {
		res.Status = engine.Fail
		res.Observed = "not replicating"
		res.Message = stmt + " is empty: this server is not configured as a replica"
		res.Remediation = tell("configure replication",
			"point the replica at the primary (CHANGE MASTER TO / CHANGE REPLICATION SOURCE TO ... MASTER_HOST, MASTER_USER, MASTER_USE_GTID or SOURCE_AUTO_POSITION) and START REPLICA; or fix the profile if this server is the primary")
		return res
	}
	var details []map[string]any
	var problems, observed []string
	var steps []string
	for _, ch := range chans {
		details = append(details, channelDetails(ch))
		obs, probs, fix := judgeChannel(ch, maxLag)
		observed = append(observed, ch.label()+obs)
		problems = append(problems, probs...)
		steps = append(steps, fix...)
	}
	if len(chans) == 1 {
		for k, v := range details[0] {
			res.Details[k] = v
		}
	} else {
		res.Details["channels"] = details
	}
	res.Observed = strings.Join(observed, "; ")
	if len(problems) > 0 {
		res.Status = engine.Fail
		res.Message = strings.Join(problems, "; ")
		res.Remediation = tell("get replication healthy", steps...)
		return res
	}
	res.Status = engine.Pass
	res.Message = fmt.Sprintf("IO and SQL threads running, lag within %s", maxLag)
	return res
}

// judgeChannel says what is wrong with one channel, and the steps that fix
// it.
func judgeChannel(ch channel, maxLag time.Duration) (observed string, problems, steps []string) {
	lag := "NULL"
	if ch.lag != nil {
		lag = fmt.Sprintf("%ds", *ch.lag)
	}
	observed = fmt.Sprintf("IO %s, SQL %s, lag %s", ch.IORunning, ch.SQLRunning, lag)
	p := ch.label()
	if !ch.ioRunning() {
		msg := p + "the IO thread is not running (" + ch.IORunning + ")"
		if ch.lastIOError != "" {
			msg += ": " + ch.lastIOError
		}
		problems = append(problems, msg)
		steps = append(steps, "read Last_IO_Error in SHOW REPLICA STATUS (here: "+orNone(ch.lastIOError)+"); fix the cause (the source's address, the replication user's password or grant, a purged binary log), then run START REPLICA IO_THREAD (START SLAVE IO_THREAD before MySQL 8.0.22 / MariaDB 10.5)")
	}
	if !ch.sqlRunning() {
		msg := p + "the SQL thread is not running (" + ch.SQLRunning + ")"
		if ch.lastSQLError != "" {
			msg += ": " + ch.lastSQLError
		}
		problems = append(problems, msg)
		steps = append(steps, "read Last_SQL_Error in SHOW REPLICA STATUS (here: "+orNone(ch.lastSQLError)+"); fix the data or statement it names (never skip events blindly: the replica then differs from the primary), then run START REPLICA SQL_THREAD (START SLAVE SQL_THREAD before MySQL 8.0.22 / MariaDB 10.5)")
	}
	switch {
	case ch.lag == nil && ch.sqlRunning() && ch.ioRunning():
		problems = append(problems, p+"the lag is NULL: the replica does not know how far behind it is")
		steps = append(steps, "check that the IO thread is connected to the source (Slave_IO_State / Replica_IO_State)")
	case ch.lag != nil && float64(*ch.lag) > maxLag.Seconds(): // seconds: a huge lag must not overflow a Duration
		msg := fmt.Sprintf("%sthe replica is %ds behind the primary, above max_lag %s", p, *ch.lag, maxLag)
		if ch.sqlDelay > 0 {
			msg += fmt.Sprintf(" (it is delayed on purpose by MASTER_DELAY=%d; set max_lag above that delay)", ch.sqlDelay)
		}
		problems = append(problems, msg)
		steps = append(steps, "find why the replica falls behind: a long transaction or DDL on the primary (SHOW PROCESSLIST on the replica, Slave_SQL_Running_State), a replica slower than the primary (disk, single-threaded apply: raise slave_parallel_threads / replica_parallel_workers), or a MASTER_DELAY; the service must not read from it until it catches up")
	}
	return observed, problems, steps
}

func channelDetails(ch channel) map[string]any {
	d := map[string]any{
		"io_running": ch.IORunning, "sql_running": ch.SQLRunning,
		"last_io_error": ch.lastIOError, "last_sql_error": ch.lastSQLError,
		"source": strings.TrimSuffix(ch.sourceHost+":"+ch.sourcePort, ":"),
	}
	if ch.name != "" {
		d["channel"] = ch.name
	}
	if ch.lag != nil {
		d["lag_s"] = *ch.lag
	} else {
		d["lag_s"] = nil
	}
	if ch.sqlDelay > 0 {
		d["sql_delay_s"] = ch.sqlDelay
	}
	if ch.sqlState != "" {
		d["sql_state"] = ch.sqlState
	}
	return d
}

// grantHint names the privilege that lets an account read the replica
// status on this server.
func grantHint(v serverVersion) string {
	switch {
	case v.flavor == flavorMariaDB && v.atLeast(10, 5, 9):
		return "GRANT REPLICA MONITOR ON *.* TO the account golive logs in as (MariaDB 10.5.9 and later)"
	case v.flavor == flavorMariaDB && v.atLeast(10, 5, 2):
		return "GRANT REPLICATION SLAVE ADMIN ON *.* TO the account golive logs in as (MariaDB 10.5.2 to 10.5.8)"
	}
	return "GRANT REPLICATION CLIENT ON *.* TO the account golive logs in as"
}

func orNone(s string) string {
	if s == "" {
		return "empty"
	}
	return s
}
