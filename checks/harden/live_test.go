package harden

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// TestLockdownLive runs harden/lockdown on this machine: the check's
// "now" is the bracketed word of the lockdown file, read here a second way
// (os.ReadFile), or, without the file, the message says why.
func TestLockdownLive(t *testing.T) {
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	p := testProfile(t, "harden:\n  lockdown: none\n")
	r := run(t, p, h)["harden/lockdown"]
	data, err := os.ReadFile(lockdownFile)
	switch {
	case err == nil:
		var want string
		for _, w := range strings.Fields(string(data)) {
			if strings.HasPrefix(w, "[") {
				want = strings.Trim(w, "[]")
			}
		}
		if r.Details["live"] != want || r.Status != engine.Pass {
			t.Errorf("live %v, %s %q; the file says %q", r.Details["live"], r.Status, r.Message, want)
		}
	case errors.Is(err, fs.ErrNotExist):
		if !strings.Contains(r.Message, "securityfs is not mounted") {
			t.Errorf("no lockdown file, and the message does not say so: %q", r.Message)
		}
	default:
		t.Logf("%s: %v; check: %s %q", lockdownFile, err, r.Status, r.Message)
	}
}
