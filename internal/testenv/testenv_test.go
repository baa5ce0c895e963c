package testenv

import (
	"testing"
)

// recorder is a testing.TB that records how a test ended.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()           {}
func (r *recorder) Fatal(args ...any) { r.fatal = args[0].(string) }
func (r *recorder) Skip(args ...any)  { r.skip = args[0].(string) }

func TestNeedCommand(t *testing.T) {
	if p := NeedCommand(t, "sh", "dash"); p == "" {
		t.Fatal("sh not found")
	}
	t.Setenv("CI", "")
	r := &recorder{TB: t}
	NeedCommand(r, "golive-no-such-command", "golive-pkg")
	if r.skip != "golive-no-such-command not found: install the Debian package golive-pkg (make test does it as root)" || r.fatal != "" {
		t.Errorf("outside CI: skip %q fatal %q", r.skip, r.fatal)
	}
	t.Setenv("CI", "true")
	r = &recorder{TB: t}
	NeedCommand(r, "golive-no-such-command", "golive-pkg")
	if r.fatal == "" || r.skip != "" {
		t.Errorf("in CI: skip %q fatal %q, want a failure", r.skip, r.fatal)
	}
}
