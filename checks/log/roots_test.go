package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
)

// logService is a service with its own log files on top of each root's
// profile: /var/log/messages (rsyslog's, covered on every distro),
// /var/log/logsvc/err.log (covered only on broken) and the unit's output
// files (broken's logsvc.service).
const logService = `service: {unit: logsvc.service}
log:
  paths: [/var/log/messages, /var/log/logsvc/err.log]
`

// TestFixtureRoots: what each fixture root's files say (testdata/roots/README.md,
// "log fixtures"), and that they are what the stock distro does.
func TestFixtureRoots(t *testing.T) {
	cases := map[string]struct {
		journald engine.Status
		jwords   []string
		messages engine.Status
		mwords   []string
		errLog   engine.Status
		ewords   []string
		unit     engine.Status
		uwords   []string
	}{
		"centos-7": {engine.Warn, []string{"Storage=auto and /var/log/journal does not exist", "Storage=auto (default) → volatile"},
			engine.Warn, []string{"/etc/logrotate.d/syslog:1", "no size bound"},
			engine.Fail, []string{"no logrotate rule covers /var/log/logsvc/err.log"},
			engine.Skip, []string{"logsvc.service is not installed"}},
		"rocky-9": {engine.Warn, []string{"does not exist"},
			engine.Warn, []string{"/etc/logrotate.d/rsyslog:1", "weekly"},
			engine.Fail, []string{"no logrotate rule"}, engine.Skip, nil},
		"ubuntu-22.04": {engine.Pass, []string{"Storage=auto and /var/log/journal exists", "8B in 1 file under /var/log/journal"},
			engine.Warn, []string{"/etc/logrotate.d/rsyslog:1", "no size bound"},
			engine.Fail, []string{"no logrotate rule"}, engine.Skip, nil},
		"broken": {engine.Warn, []string{"Storage=volatile: /run/log/journal only", "SystemMaxUse=20G (/etc/systemd/journald.conf.d/50-volatile.conf)"},
			engine.Fail, []string{"no logrotate rule covers /var/log/messages", "logrotate never runs"},
			engine.Fail, []string{"/etc/logrotate.d/logsvc:1", "lacks copytruncate"},
			engine.Fail, []string{"no logrotate rule covers /var/log/logsvc/out.log", "systemd opened /var/log/logsvc/err.log"}},
	}
	for root, c := range cases {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			p := profiletest.Detected(t, h, logService)
			rs := run(t, p, h)
			want(t, rs["log/journald"], c.journald, c.jwords...)
			want(t, rs["log/rotate:/var/log/messages"], c.messages, c.mwords...)
			want(t, rs["log/rotate:/var/log/logsvc/err.log"], c.errLog, c.ewords...)
			want(t, rs["log/rotate:logsvc.service"], c.unit, c.uwords...)
		})
	}
}

// TestLogrotateRunsOnStockRoots: each distro's own way of running
// logrotate is found (cron.daily on CentOS 7, the timer elsewhere).
func TestLogrotateRunsOnStockRoots(t *testing.T) {
	for root, want := range map[string]string{
		"centos-7":     "logrotate.timer not-installed, /etc/cron.daily/logrotate present",
		"rocky-9":      "logrotate.timer enabled, no /etc/cron.daily/logrotate",
		"ubuntu-22.04": "logrotate.timer enabled, no /etc/cron.daily/logrotate",
		"broken":       "logrotate.timer not-installed, no /etc/cron.daily/logrotate",
	} {
		if got := logrotateRuns(hosttest.Fixture(t, root)).describe(); got != want {
			t.Errorf("%s: %q, want %q", root, got, want)
		}
	}
}

// TestFixesClearTheFindings applies the file actions of each plan to a
// copy of the broken root and runs the checks again: journald's drop-in
// makes log/journald pass, golive's logrotate file covers the service's
// files (logrotate still never runs on broken, so the rotate checks that
// only lacked a rule now fail for that alone).
func TestFixesClearTheFindings(t *testing.T) {
	dir := copyFixture(t, "broken")
	h, err := host.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := profiletest.Detected(t, h, logService)
	before := run(t, p, h)
	written := map[string]string{}
	for _, r := range before {
		if r.Remediation == nil {
			continue
		}
		for _, a := range r.Remediation.Actions {
			if a.Kind != remediate.DropIn {
				continue
			}
			if prev, ok := written[a.Path]; ok && prev != a.Content {
				t.Fatalf("two checks write %s with different content:\n%s\n--\n%s", a.Path, prev, a.Content)
			}
			written[a.Path] = a.Content
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(a.Path)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, a.Path), []byte(a.Content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// broken's /etc/logrotate.d/logsvc is the admin's: golive writes its
	// own file beside it rather than replace it.
	if _, ok := written["/etc/logrotate.d/golive-logsvc"]; len(written) != 2 || !ok {
		t.Fatalf("files written: %v, want journald's drop-in and /etc/logrotate.d/golive-logsvc", written)
	}
	h2, err := host.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	after := run(t, p, h2)
	want(t, after["log/journald"], engine.Pass, "Storage=persistent")
	want(t, after["log/rotate:/var/log/messages"], engine.Fail, "/etc/logrotate.d/golive-logsvc:2", "logrotate never runs")
	if m := after["log/rotate:/var/log/messages"].Message; strings.Contains(m, "lacks") || strings.Contains(m, "no logrotate rule") {
		t.Errorf("golive's own rule is not enough: %s", m)
	}
	want(t, after["log/rotate:logsvc.service"], engine.Fail, "/var/log/logsvc/out.log is rotated by", "/etc/logrotate.d/golive-logsvc:2")
	if data, err := os.ReadFile(filepath.Join(dir, "etc/logrotate.d/logsvc")); err != nil || !strings.Contains(string(data), "/var/log/logsvc/err.log {") {
		t.Errorf("the admin's file changed: %q, %v", data, err)
	}

	// A path added later: golive rewrites its own file with every path it
	// covers, the earlier ones included.
	r := run(t, profiletest.Detected(t, h2, "service: {unit: logsvc.service}\nlog:\n  paths: [/var/log/messages, /var/log/logsvc/err.log, /var/log/new.log]\n"), h2)["log/rotate:/var/log/new.log"]
	if r.Remediation == nil || r.Remediation.Actions[0].Path != "/etc/logrotate.d/golive-logsvc" ||
		!strings.Contains(r.Remediation.Actions[0].Content, "/var/log/messages /var/log/new.log /var/log/logsvc/out.log {") {
		t.Errorf("second fix: %+v", r.Remediation)
	}
}

// copyFixture copies testdata/roots/<name> (files, directories, links) to
// a temp dir.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src := hosttest.Fixture(t, name).Root()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, target)
		case fi.IsDir():
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, fi.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
