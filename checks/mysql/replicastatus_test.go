package mysql

import (
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"
)

// row builds a status row from column/value pairs; "NULL" is SQL NULL.
func row(pairs ...string) ([]string, []sql.NullString) {
	var cols []string
	var vals []sql.NullString
	for i := 0; i+1 < len(pairs); i += 2 {
		cols = append(cols, pairs[i])
		if pairs[i+1] == "NULL" {
			vals = append(vals, sql.NullString{})
		} else {
			vals = append(vals, sql.NullString{String: pairs[i+1], Valid: true})
		}
	}
	return cols, vals
}

// MySQL 8.0.22+ renamed the columns; MySQL 5.7 and MariaDB use the old
// names (MariaDB even under SHOW REPLICA STATUS). Only names count.
func TestParseChannelColumnNames(t *testing.T) {
	tests := []struct {
		name string
		cols []string
		vals []sql.NullString
		want channel
	}{
		{"MySQL 8.0.22+", nil, nil, channel{name: "", sourceHost: "db1", sourcePort: "3306", IORunning: "Yes", SQLRunning: "Yes", lag: ptr(12), lastIOErrno: "0"}},
		{"MySQL 5.7", nil, nil, channel{sourceHost: "db1", sourcePort: "3306", IORunning: "Connecting", SQLRunning: "Yes", lag: nil, lastIOErrno: "2003", lastIOError: "error connecting to master"}},
		{"MariaDB ALL", nil, nil, channel{name: "east", sourceHost: "db1", IORunning: "Yes", SQLRunning: "No", lastSQLErrno: "1062", lastSQLError: "Duplicate entry '1'", sqlDelay: 30}},
	}
	tests[0].cols, tests[0].vals = row("Replica_IO_State", "Waiting for source to send event", "Source_Host", "db1", "Source_Port", "3306",
		"Replica_IO_Running", "Yes", "Replica_SQL_Running", "Yes", "Last_IO_Errno", "0", "Last_IO_Error", "", "Seconds_Behind_Source", "12",
		"SQL_Delay", "0", "Channel_Name", "")
	tests[1].cols, tests[1].vals = row("Slave_IO_State", "Connecting to master", "Master_Host", "db1", "Master_Port", "3306",
		"Slave_IO_Running", "Connecting", "Slave_SQL_Running", "Yes", "Last_IO_Errno", "2003", "Last_IO_Error", "error connecting to master",
		"Seconds_Behind_Master", "NULL")
	tests[2].cols, tests[2].vals = row("Connection_name", "east", "Slave_SQL_State", "", "master_host", "db1",
		"SLAVE_IO_RUNNING", "Yes", "Slave_SQL_Running", "No", "Last_SQL_Errno", "1062", "Last_SQL_Error", "Duplicate entry '1'",
		"Seconds_Behind_Master", "NULL", "SQL_Delay", "30")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseChannel(tc.cols, tc.vals)
			if err != nil {
				t.Fatal(err)
			}
			if lagString(got.lag) != lagString(tc.want.lag) {
				t.Errorf("lag %s, want %s", lagString(got.lag), lagString(tc.want.lag))
			}
			got.lag, tc.want.lag = nil, nil
			tc.want.sqlState = got.sqlState
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseChannelRejects(t *testing.T) {
	cols, vals := row("Slave_IO_Running", "Yes", "Slave_SQL_Running", "Yes")
	if _, err := parseChannel(cols, vals); err == nil || !strings.Contains(err.Error(), "Seconds_Behind_Source") {
		t.Errorf("missing lag column: %v", err)
	}
	cols, vals = row("Slave_IO_Running", "Yes", "Slave_SQL_Running", "Yes", "Seconds_Behind_Master", "-3")
	if _, err := parseChannel(cols, vals); err == nil {
		t.Error("negative lag accepted")
	}
	cols, vals = row("Slave_IO_Running", "Yes", "Slave_SQL_Running", "Yes", "Seconds_Behind_Master", "soon")
	if _, err := parseChannel(cols, vals); err == nil {
		t.Error("non-numeric lag accepted")
	}
	if _, err := parseChannel([]string{"a"}, nil); err == nil {
		t.Error("column/value count mismatch accepted")
	}
}

func TestJudgeChannel(t *testing.T) {
	tests := []struct {
		ch       channel
		problems int
		contains string
	}{
		{channel{IORunning: "Yes", SQLRunning: "Yes", lag: ptr(30)}, 0, ""},
		{channel{IORunning: "Yes", SQLRunning: "Yes", lag: ptr(31)}, 1, "31s behind the primary, above max_lag 30s"},
		{channel{IORunning: "Yes", SQLRunning: "Yes", lag: ptr(400), sqlDelay: 300}, 1, "MASTER_DELAY=300"},
		{channel{IORunning: "Yes", SQLRunning: "Yes"}, 1, "lag is NULL"},
		{channel{IORunning: "Connecting", SQLRunning: "Yes", lastIOError: "Access denied"}, 1, "IO thread is not running (Connecting): Access denied"},
		{channel{name: "east", IORunning: "No", SQLRunning: "No"}, 2, `channel "east": the SQL thread`},
	}
	for _, tc := range tests {
		_, problems, steps := judgeChannel(tc.ch, 30*time.Second)
		if len(problems) != tc.problems || len(steps) != tc.problems || !strings.Contains(strings.Join(problems, "; "), tc.contains) {
			t.Errorf("%+v: problems %q, steps %d", tc.ch, problems, len(steps))
		}
	}
}

func ptr(n int64) *int64 { return &n }

func lagString(p *int64) string {
	if p == nil {
		return "NULL"
	}
	return strconv.FormatInt(*p, 10)
}

// A lag of centuries (a broken clock on the source) is a failure, not an
// overflow that passes.
func TestJudgeChannelHugeLag(t *testing.T) {
	_, problems, _ := judgeChannel(channel{IORunning: "Yes", SQLRunning: "Yes", lag: ptr(1 << 40)}, 30*time.Second)
	if len(problems) != 1 {
		t.Errorf("problems %q", problems)
	}
}
