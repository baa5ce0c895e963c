package mysql

import (
	"errors"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

const inlineSecret = "Inline-secret-9e8d7c"

// Every mistake in the section is a profile error at the line it is on,
// and none repeats a secret written where it does not belong.
func TestSectionErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		line       int
		msg        string
	}{
		{"inline password", "mysql:\n  - name: db\n    dsn_env: X\n    role: primary\n    password: " + inlineSecret + "\n", 5, "inline password"},
		{"password in dsn", "mysql:\n  - name: db\n    role: primary\n    dsn: \"golive:" + inlineSecret + "@tcp(10.0.0.5:3306)/app\"\n", 4, "dsn holds a password"},
		{"dsn pasted into dsn_env", "mysql:\n  - name: db\n    role: primary\n    dsn_env: \"golive:" + inlineSecret + "@tcp(10.0.0.5)/\"\n", 4, "dsn_env names an environment variable"},
		{"password pasted into password_env", "mysql:\n  - name: db\n    role: primary\n    dsn: \"golive@tcp(10.0.0.5)/\"\n    password_env: " + inlineSecret + "\n", 5, "password_env names an environment variable"},
		{"relative dsn_file", "mysql:\n  - name: db\n    role: primary\n    dsn_file: secrets/db.dsn\n", 4, "absolute path"},
		{"no dsn", "mysql:\n  - name: db\n    role: primary\n", 2, "exactly one of dsn_env, dsn_file"},
		{"two dsns", "mysql:\n  - name: db\n    role: primary\n    dsn_env: A\n    dsn_file: /etc/db.dsn\n", 2, "exactly one of"},
		{"no role", "mysql:\n  - name: db\n    dsn_env: A\n", 2, "role is required"},
		{"bad role", "mysql:\n  - name: db\n    dsn_env: A\n    role: master\n", 4, `role: "master" is not one of primary, replica`},
		{"bad name", "mysql:\n  - name: \"db one\"\n    dsn_env: A\n    role: primary\n", 2, "name must be"},
		{"twice", "mysql:\n  - {name: db, dsn_env: A, role: primary}\n  - {name: db, dsn_env: B, role: replica}\n", 3, "used twice"},
		{"bad max_lag", "mysql:\n  - name: db\n    dsn_env: A\n    role: replica\n    max_lag: 10\n", 5, `max_lag: "10" is not a positive duration`},
		{"max_lag on a primary", "mysql:\n  - name: db\n    dsn_env: A\n    role: primary\n    max_lag: 10s\n", 5, "max_lag applies to replicas"},
		{"pool_size 0", "mysql:\n  - name: db\n    dsn_env: A\n    role: primary\n    pool_size: 0\n", 5, "pool_size: 0 is out of range (1 to 1000000)"},
		{"cert without key", "mysql:\n  - name: db\n    dsn_env: A\n    role: primary\n    cert_file: /etc/c.pem\n", 2, "go together"},
		{"relative ca_file", "mysql:\n  - name: db\n    dsn_env: A\n    role: primary\n    ca_file: ca.pem\n", 5, "absolute path"},
		{"unknown key", "mysql:\n  - name: db\n    dsn_env: A\n    role: primary\n    lag: 3s\n", 5, "unknown key"},
		{"not a list", "mysql:\n  name: db\n", 2, "expected a list"},
		{"dsn that does not parse", "mysql:\n  - name: db\n    role: primary\n    dsn: \"golive@tcp(10.0.0.5\"\n", 4, "does not parse"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testProfile(t, tc.yaml)
			_, err := engine.Build(p)
			var pe *profile.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *profile.Error", err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) || !strings.HasSuffix(pe.File, "golive.yaml") {
				t.Errorf("error %q, want line %d with %q", err, tc.line, tc.msg)
			}
			if strings.Contains(err.Error(), inlineSecret) {
				t.Errorf("the error repeats the secret: %v", err)
			}
		})
	}
}

func TestSectionBuildsChecksPerRole(t *testing.T) {
	p := testProfile(t, "mysql:\n  - {name: p, dsn_env: A, role: primary, pool_size: 20}\n  - {name: r, dsn_env: B, role: replica, max_lag: 5s}\n")
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range checks {
		ids = append(ids, c.ID())
		if m := c.Meta(); !m.Network || m.Why == "" || m.Fix == "" || !strings.HasSuffix(strings.Split(m.Where, ":")[0], "golive.yaml") {
			t.Errorf("%s: meta %+v", c.ID(), m)
		}
	}
	want := "mysql/connect:p mysql/role:p mysql/capacity:p mysql/connect:r mysql/role:r mysql/replication:r mysql/capacity:r"
	if strings.Join(ids, " ") != want {
		t.Errorf("ids %v, want %s", ids, want)
	}
	if m := checks[5].Meta(); m.Expected != "IO and SQL threads running, lag <= 5s" {
		t.Errorf("replication expected %q", m.Expected)
	}
}

func TestExplain(t *testing.T) {
	for _, id := range []string{"mysql/connect:db", "mysql/role:db", "mysql/replication:db", "mysql/capacity:db"} {
		m, ok := engine.Explain(id)
		if !ok || m.ID != id || m.Why == "" || !m.Network {
			t.Errorf("Explain(%s) = %+v, %v", id, m, ok)
		}
	}
	for _, id := range []string{"mysql/connect", "mysql/lag:db", "mysql/connect:", "mysql/connect:a b"} {
		if _, ok := explain(id); ok {
			t.Errorf("explain(%q) claimed it", id)
		}
	}
}
