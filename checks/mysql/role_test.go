package mysql

import (
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
)

func TestRoleMatchesReadOnly(t *testing.T) {
	l := lab(t)
	t.Setenv("T_PRIMARY", l.primary.dsn(userGolive, pwGolive))
	t.Setenv("T_REPLICA", l.replica.dsn(userGolive, pwGolive))
	tests := []struct {
		env, role string
		status    engine.Status
		message   string
	}{
		{"T_PRIMARY", rolePrimary, engine.Pass, "writable"},
		{"T_REPLICA", roleReplica, engine.Pass, "read-only"},
		{"T_REPLICA", rolePrimary, engine.Fail, "the primary is read-only"},
		{"T_PRIMARY", roleReplica, engine.Fail, "the replica is writable"},
	}
	for _, tc := range tests {
		t.Run(tc.env+" as "+tc.role, func(t *testing.T) {
			r := runProfile(t, l.root, "mysql:\n"+entry("db", tc.env, tc.role), 5*time.Second)["mysql/role:db"]
			mustStatus(t, r, tc.status, "")
			if !strings.Contains(r.Message, tc.message) {
				t.Errorf("message %q, want %q", r.Message, tc.message)
			}
			if (tc.status == engine.Fail) != (r.Remediation != nil) {
				t.Errorf("remediation %v", r.Remediation)
			}
		})
	}
}

// A primary made read-only (as after a failover that demoted it) fails.
func TestRoleReadOnlyPrimaryFails(t *testing.T) {
	l := lab(t)
	if err := l.primary.exec("SET GLOBAL read_only = ON"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.primary.exec("SET GLOBAL read_only = OFF") })
	t.Setenv("T_PRIMARY", l.primary.dsn(userGolive, pwGolive))
	r := runProfile(t, l.root, "mysql:\n"+entry("db", "T_PRIMARY", rolePrimary), 5*time.Second)["mysql/role:db"]
	mustStatus(t, r, engine.Fail, "")
	if r.Observed != "read_only=ON" {
		t.Errorf("observed %q", r.Observed)
	}
}

func TestIsOn(t *testing.T) {
	for v, want := range map[string]bool{"ON": true, "1": true, "NO_LOCK": true, "NO_LOCK_NO_ADMIN": true, "OFF": false, "0": false, "": false, "off": false} {
		if isOn(v) != want {
			t.Errorf("isOn(%q) = %v", v, !want)
		}
	}
}

// MySQL has super_read_only, MariaDB does not; MariaDB 11 has read_only
// levels. The decision covers them all.
func TestDecideRole(t *testing.T) {
	tests := []struct {
		role string
		vars map[string]string
		want engine.Status
	}{
		{rolePrimary, map[string]string{"read_only": "OFF", "super_read_only": "OFF", "innodb_read_only": "OFF"}, engine.Pass},
		{rolePrimary, map[string]string{"read_only": "ON", "super_read_only": "ON", "innodb_read_only": "OFF"}, engine.Fail},
		{rolePrimary, map[string]string{"read_only": "OFF", "super_read_only": "ON"}, engine.Fail}, // impossible on MySQL, still not writable
		{rolePrimary, map[string]string{"read_only": "OFF", "innodb_read_only": "ON"}, engine.Fail},
		{rolePrimary, map[string]string{"read_only": "NO_LOCK"}, engine.Fail},
		{roleReplica, map[string]string{"read_only": "ON", "super_read_only": "ON"}, engine.Pass},
		{roleReplica, map[string]string{"read_only": "ON", "super_read_only": "OFF"}, engine.Warn},
		{roleReplica, map[string]string{"read_only": "ON"}, engine.Pass}, // MariaDB: no super_read_only
		{roleReplica, map[string]string{"read_only": "NO_LOCK_NO_ADMIN"}, engine.Pass},
		{roleReplica, map[string]string{"read_only": "OFF", "super_read_only": "OFF"}, engine.Fail},
		{roleReplica, map[string]string{"read_only": "OFF"}, engine.Fail},
	}
	for _, tc := range tests {
		status, msg, plan := decideRole(tc.role, tc.vars)
		if status != tc.want || msg == "" || (status == engine.Pass) != (plan == nil) {
			t.Errorf("%s %v: %s (%q, plan %v), want %s", tc.role, tc.vars, status, msg, plan != nil, tc.want)
		}
	}
}
