package logs

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

const nonRootEnv = "GOLIVE_LOG_NONROOT_ROOT"

// TestNonRootSkipsUnreadableRules: a logrotate file only root may read
// could hold the rule, so golive as nobody skips with "needs root" rather
// than report the log uncovered. As root, the test binary runs itself as
// nobody on a root whose /etc/logrotate.d/app is mode 0600.
func TestNonRootSkipsUnreadableRules(t *testing.T) {
	if dir := os.Getenv(nonRootEnv); dir != "" {
		if os.Geteuid() == 0 {
			t.Fatal("meant to run unprivileged")
		}
		h, err := host.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		c := &rotateCheck{Base: engine.Base{M: metaRotate("/var/log/app/app.log", defaults())}, set: defaults(), path: "/var/log/app/app.log"}
		want(t, c.Run(context.Background(), h), engine.Skip, "needs root", "/etc/logrotate.d/app")
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a file nobody cannot read (the unprivileged half runs as nobody)")
	}
	root := hosttest.Root(t, withTimer(map[string]string{
		"etc/logrotate.conf":  "include /etc/logrotate.d\n",
		"etc/logrotate.d/app": "/var/log/app/app.log {\n copytruncate\n maxsize 1M\n rotate 1\n}\n",
	})).Root()
	if err := os.Chmod(filepath.Join(root, "etc/logrotate.d/app"), 0o600); err != nil {
		t.Fatal(err)
	}
	hosttest.RerunAsNobody(t, []string{nonRootEnv + "=" + root}, filepath.Join(root, "etc", "logrotate.d"))
}
