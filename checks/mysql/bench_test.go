package mysql

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/depcheck/deptest"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

// One mysql/connect against the real primary: TCP, greeting, login,
// VERSION() and a round trip, as a run pays it per server.
func BenchmarkConnectCheck(b *testing.B) {
	l := lab(b)
	b.Setenv("T_PRIMARY", l.primary.dsn(userGolive, pwGolive))
	p := testProfile(b, "mysql:\n"+entry("db", "T_PRIMARY", rolePrimary))
	checks, err := build(p.Section(kind), p)
	if err != nil {
		b.Fatal(err)
	}
	connect := checks[0]
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if r := connect.Run(ctx, l.root); r.Status != engine.Pass {
			b.Fatalf("%s: %s", r.Status, r.Message)
		}
	}
}

// 100 servers that accept and never greet, 1 s check timeout: the run
// ends about one timeout later, every check with its own "timeout" answer
// (DESIGN.md: under 1.5 s).
func BenchmarkSilentServers100(b *testing.B) {
	var yaml strings.Builder
	yaml.WriteString("mysql:\n")
	for i := range 100 {
		env := fmt.Sprintf("T_SILENT_%d", i)
		b.Setenv(env, "golive:"+pwGolive+"@tcp("+deptest.SilentListener(b)+")/")
		yaml.WriteString(entry(fmt.Sprintf("s%d", i), env, rolePrimary))
	}
	p := testProfile(b, yaml.String())
	checks, err := build(p.Section(kind), p)
	if err != nil {
		b.Fatal(err)
	}
	checks, _ = engine.Filter{Only: []string{"mysql/connect:*"}}.Apply(checks)
	h := hosttest.Root(b, nil)
	b.ResetTimer()
	for b.Loop() {
		out := engine.Run(context.Background(), h, checks, engine.RunOptions{CheckTimeout: time.Second})
		for _, r := range out.Results {
			if r.Details["cause"] != "timeout" {
				b.Fatalf("%s: %s %s", r.ID, r.Status, r.Message)
			}
		}
		b.ReportMetric(float64(out.Duration.Milliseconds()), "run-ms")
	}
}

func BenchmarkParseChannel(b *testing.B) {
	cols, vals := row("Slave_IO_State", "Waiting for master to send event", "Master_Host", "db1", "Master_Port", "3306",
		"Slave_IO_Running", "Yes", "Slave_SQL_Running", "Yes", "Last_IO_Errno", "0", "Last_IO_Error", "",
		"Last_SQL_Errno", "0", "Last_SQL_Error", "", "Seconds_Behind_Master", "0", "SQL_Delay", "0",
		"Slave_SQL_Running_State", "Slave has read all relay log; waiting for more updates", "Connection_name", "")
	for b.Loop() {
		if _, err := parseChannel(cols, vals); err != nil {
			b.Fatal(err)
		}
	}
}
