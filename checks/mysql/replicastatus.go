package mysql

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// channel is one row of SHOW REPLICA/SLAVE STATUS: one replication channel
// (MySQL) or connection (MariaDB multi-source); a plain replica has one.
type channel struct {
	name       string // "" for the default channel
	sourceHost string
	sourcePort string
	// IORunning and SQLRunning are Yes, No or Connecting as the server
	// says them.
	IORunning  string
	SQLRunning string
	// lag is Seconds_Behind_Source; nil when the server says NULL (the SQL
	// thread is stopped, or the IO thread is not connected).
	lag          *int64
	lastIOErrno  string
	lastIOError  string
	lastSQLErrno string
	lastSQLError string
	// sqlDelay is MASTER_DELAY / SOURCE_DELAY: lag the operator asked for.
	sqlDelay int64
	sqlState string
}

// Column names, newest first: MySQL 8.0.22 renamed Master/Slave to
// Source/Replica; MariaDB keeps the old names under SHOW REPLICA STATUS.
// Matched without regard to case, never by position.
var (
	colIORunning  = []string{"Replica_IO_Running", "Slave_IO_Running"}
	colSQLRunning = []string{"Replica_SQL_Running", "Slave_SQL_Running"}
	colLag        = []string{"Seconds_Behind_Source", "Seconds_Behind_Master"}
	colSourceHost = []string{"Source_Host", "Master_Host"}
	colSourcePort = []string{"Source_Port", "Master_Port"}
	colSQLState   = []string{"Replica_SQL_Running_State", "Slave_SQL_Running_State"}
	colChannel    = []string{"Channel_Name", "Connection_name"}
	colIOErrno    = []string{"Last_IO_Errno"}
	colIOError    = []string{"Last_IO_Error"}
	colSQLErrno   = []string{"Last_SQL_Errno"}
	colSQLError   = []string{"Last_SQL_Error"}
	colSQLDelay   = []string{"SQL_Delay"}
)

// maxErrorText bounds an error text copied from the server into a report.
const maxErrorText = 512

// parseChannel reads one row of SHOW REPLICA/SLAVE STATUS, finding each
// value by its column name. The running flags and the lag are required:
// without them nothing can be judged.
func parseChannel(columns []string, row []sql.NullString) (channel, error) {
	if len(columns) != len(row) {
		return channel{}, fmt.Errorf("replica status: %d columns but %d values", len(columns), len(row))
	}
	index := make(map[string]int, len(columns))
	for i, c := range columns {
		if _, dup := index[strings.ToLower(c)]; !dup {
			index[strings.ToLower(c)] = i
		}
	}
	get := func(names []string) (sql.NullString, bool) {
		for _, n := range names {
			if i, ok := index[strings.ToLower(n)]; ok {
				return row[i], true
			}
		}
		return sql.NullString{}, false
	}
	text := func(names []string, max int) string {
		v, _ := get(names)
		return clip(strings.TrimSpace(v.String), max)
	}
	var ch channel
	for _, req := range [][]string{colIORunning, colSQLRunning, colLag} {
		if _, ok := get(req); !ok {
			return ch, fmt.Errorf("replica status has no column %s (nor %s)", req[0], strings.Join(req[1:], ", "))
		}
	}
	ch.IORunning = text(colIORunning, 32)
	ch.SQLRunning = text(colSQLRunning, 32)
	if lag, _ := get(colLag); lag.Valid {
		n, err := strconv.ParseInt(strings.TrimSpace(lag.String), 10, 64)
		if err != nil || n < 0 {
			return ch, fmt.Errorf("replica status: %s is %q, not a number of seconds", colLag[0], clip(lag.String, 32))
		}
		ch.lag = &n
	}
	if d, ok := get(colSQLDelay); ok && d.Valid {
		if n, err := strconv.ParseInt(strings.TrimSpace(d.String), 10, 64); err == nil && n > 0 {
			ch.sqlDelay = n
		}
	}
	ch.name = text(colChannel, 64)
	ch.sourceHost = text(colSourceHost, 255)
	ch.sourcePort = text(colSourcePort, 8)
	ch.sqlState = text(colSQLState, 128)
	ch.lastIOErrno = text(colIOErrno, 8)
	ch.lastIOError = text(colIOError, maxErrorText)
	ch.lastSQLErrno = text(colSQLErrno, 8)
	ch.lastSQLError = text(colSQLError, maxErrorText)
	return ch, nil
}

// ioRunning and sqlRunning: only "Yes" is running; "Connecting" means the IO
// thread is retrying a source it cannot reach or log in to.
func (c channel) ioRunning() bool  { return strings.EqualFold(c.IORunning, "Yes") }
func (c channel) sqlRunning() bool { return strings.EqualFold(c.SQLRunning, "Yes") }

// label names the channel in messages: "" for the only, default channel.
func (c channel) label() string {
	if c.name == "" {
		return ""
	}
	return "channel " + strconv.Quote(c.name) + ": "
}
