package mysql_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/mysql"
	"github.com/golive-sh/golive/internal/cli"
)

// golive check, as an SRE runs it, against the real primary and replica
// and a server entry whose password is wrong: every report format gives the
// same verdicts and none holds a password.
func TestCheckCommandEveryFormatNoPassword(t *testing.T) {
	primary, replica, wrong := mysql.LabDSNs(t)
	t.Setenv("GOLIVE_T_PRIMARY_DSN", primary)
	t.Setenv("GOLIVE_T_REPLICA_DSN", replica)
	t.Setenv("GOLIVE_T_STALE_DSN", wrong)
	cfg := filepath.Join(t.TempDir(), "golive.yaml")
	yaml := `mysql:
  - {name: primary, dsn_env: GOLIVE_T_PRIMARY_DSN, role: primary, pool_size: 10}
  - {name: replica, dsn_env: GOLIVE_T_REPLICA_DSN, role: replica, max_lag: 30s}
  - {name: stale, dsn_env: GOLIVE_T_STALE_DSN, role: primary}
`
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"mysql/connect:primary": "pass", "mysql/role:primary": "pass", "mysql/capacity:primary": "pass",
		"mysql/connect:replica": "pass", "mysql/role:replica": "pass", "mysql/replication:replica": "pass", "mysql/capacity:replica": "pass",
		"mysql/connect:stale": "fail", "mysql/role:stale": "error", "mysql/capacity:stale": "error",
	}
	for _, format := range cli.ReportFormats() {
		t.Run(format, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := cli.Execute([]string{"check", "--profile", "linux", "--root", "../../testdata/roots/rocky-9",
				"--config", cfg, "--offline=false", "--only", "mysql/*", "--format", format},
				cli.IO{Out: &out, Err: &errs, Getenv: func(string) string { return "" }})
			if code != cli.ExitNotReady {
				t.Fatalf("exit %d, want 1 (stale's login fails)\nstdout:\n%s\nstderr:\n%s", code, out.String(), errs.String())
			}
			for _, pw := range mysql.LabPasswords {
				if strings.Contains(out.String()+errs.String(), pw) {
					t.Errorf("%s output holds the password %q", format, pw)
				}
			}
			for id := range want {
				if !strings.Contains(out.String(), id) {
					t.Errorf("%s output does not name %s", format, id)
				}
			}
			switch format {
			case "json":
				if !strings.Contains(out.String(), "golive:***@tcp(") {
					t.Errorf("json output shows no redacted DSN")
				}
				checkJSONVerdicts(t, out.Bytes(), want)
			case "table":
				for id, status := range want {
					line := regexp.MustCompile(`(?m)^\s*` + strings.ToUpper(status) + `\s+` + regexp.QuoteMeta(id) + `\s`)
					if !line.MatchString(out.String()) {
						t.Errorf("table: no %s line for %s", strings.ToUpper(status), id)
					}
				}
			}
		})
	}
}

func checkJSONVerdicts(t *testing.T, data []byte, want map[string]string) {
	t.Helper()
	var rep struct {
		Checks []struct {
			ID, Status string
			Details    map[string]any
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range rep.Checks {
		got[c.ID] = c.Status
		if c.ID == "mysql/connect:stale" && c.Details["cause"] != "auth" {
			t.Errorf("connect:stale cause %v, want auth", c.Details["cause"])
		}
	}
	for id, status := range want {
		if got[id] != status {
			t.Errorf("%s: %s, want %s", id, got[id], status)
		}
	}
	if len(got) != len(want) {
		t.Errorf("checks %v, want exactly %v", got, want)
	}
}

// An inline password is a profile error: exit 2 naming file and line,
// before anything runs, and the password is not repeated.
func TestCheckCommandRejectsInlinePassword(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "golive.yaml")
	const secret = "Inline-secret-2f3e4d"
	yaml := "mysql:\n  - name: db\n    role: primary\n    dsn: \"golive:" + secret + "@tcp(127.0.0.1:3306)/\"\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	code := cli.Execute([]string{"check", "--profile", "linux", "--root", "../../testdata/roots/rocky-9", "--config", cfg, "--only", "mysql/*"},
		cli.IO{Out: &out, Err: &errs, Getenv: func(string) string { return "" }})
	if code != cli.ExitInvalid || !strings.Contains(errs.String(), "golive.yaml:4:") || !strings.Contains(errs.String(), "dsn holds a password") {
		t.Errorf("exit %d, stderr %q: want 2 with file:line", code, errs.String())
	}
	if strings.Contains(out.String()+errs.String(), secret) {
		t.Errorf("the error repeats the password: %s", errs.String())
	}
}

// --offline skips every mysql check without touching the network (the DSN
// variable is not even read: it is unset here).
func TestCheckCommandOfflineSkips(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "golive.yaml")
	if err := os.WriteFile(cfg, []byte("mysql:\n  - {name: db, dsn_env: GOLIVE_T_UNSET_DSN, role: replica}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	code := cli.Execute([]string{"check", "--profile", "linux", "--root", "../../testdata/roots/rocky-9", "--config", cfg,
		"--offline", "--only", "mysql/*", "--format", "json"}, cli.IO{Out: &out, Err: &errs, Getenv: func(string) string { return "" }})
	if code != cli.ExitReady {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	want := map[string]string{"mysql/connect:db": "skip", "mysql/role:db": "skip", "mysql/replication:db": "skip", "mysql/capacity:db": "skip"}
	checkJSONVerdicts(t, out.Bytes(), want)
}
