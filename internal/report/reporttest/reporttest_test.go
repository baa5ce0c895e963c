package reporttest_test

import (
	"testing"

	"github.com/golive-sh/golive/internal/report/reporttest"
)

// minimal is the smallest report v1 allows: no checks, every required field.
const minimal = `{
  "schema": "golive/report/v1",
  "tool": {"name": "golive", "version": "dev"},
  "host": {"hostname": "", "machine_id": "", "kernel": "", "arch": "",
           "distro": {"id": "linux", "version_id": "", "pretty_name": ""}, "root": "/"},
  "profile": {"name": "generic", "chain": []},
  "started_at": "2026-11-21T10:00:00Z",
  "duration_ms": 0,
  "summary": {"total": 0, "pass": 0, "warn": 0, "fail": 0, "skip": 0, "error": 0, "waived": 0},
  "verdict": "pass",
  "checks": []
}`

func TestValidate(t *testing.T) {
	if err := reporttest.Validate([]byte(minimal)); err != nil {
		t.Errorf("minimal report rejected: %v", err)
	}
	for name, doc := range map[string]string{
		"empty object": `{}`,
		"array":        `[]`,
		"not JSON":     `schema: golive/report/v1`,
	} {
		if err := reporttest.Validate([]byte(doc)); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}
