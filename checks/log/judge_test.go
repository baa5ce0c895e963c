package logs

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// timer makes logrotate run (an enabled logrotate.timer).
var timer = map[string]string{
	"usr/lib/systemd/system/logrotate.timer":                 "[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n",
	"etc/systemd/system/timers.target.wants/logrotate.timer": "->/usr/lib/systemd/system/logrotate.timer",
}

func withTimer(files map[string]string) map[string]string {
	for k, v := range timer {
		files[k] = v
	}
	return files
}

// TestRotateVerdicts pins what a covering rule must have.
func TestRotateVerdicts(t *testing.T) {
	cases := []struct {
		name   string
		rule   string
		status engine.Status
		words  []string
	}{
		{"copytruncate and bounds", "daily\nrotate 7\nmaxsize 100M\ncopytruncate", engine.Pass, []string{"/etc/logrotate.d/app:1", "daily, maxsize 100.0M, rotate 7, copytruncate"}},
		{"postrotate that signals", "size 50M\nrotate 3\npostrotate\n  kill -HUP $(cat /run/app.pid)\nendscript", engine.Pass, []string{"size 50.0M, rotate 3, postrotate"}},
		{"postrotate that reloads", "size 50M\nrotate 3\npostrotate\n  systemctl reload app\nendscript", engine.Pass, nil},
		{"postrotate golive cannot read", "size 50M\nrotate 3\npostrotate\n  /usr/local/bin/app-logs\nendscript", engine.Warn, []string{"cannot tell whether the postrotate script (/usr/local/bin/app-logs)"}},
		{"nothing reopens", "size 50M\nrotate 3", engine.Fail, []string{"lacks copytruncate or a postrotate"}},
		{"copy is not truncate", "size 50M\nrotate 3\ncopy", engine.Fail, []string{"copy leaves the log itself to grow"}},
		{"keeps every copy", "size 50M\nrotate -1\ncopytruncate", engine.Fail, []string{"rotate -1 without maxage"}},
		{"maxage bounds rotate -1", "size 50M\nrotate -1\nmaxage 30\ncopytruncate", engine.Pass, nil},
		{"rotate 0", "size 50M\nrotate 0\ncopytruncate", engine.Warn, []string{"rotate 0 keeps no rotated copy"}},
		{"time only", "weekly\nrotate 4\ncopytruncate", engine.Warn, []string{"no size bound", "weekly"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := hosttest.Root(t, withTimer(map[string]string{
				"etc/logrotate.conf":  "weekly\ninclude /etc/logrotate.d\n",
				"etc/logrotate.d/app": "/var/log/app/*.log {\n" + c.rule + "\n}\n",
				"var/log/app/app.log": "x\n",
			}))
			p := profiletest.Resolve(t, "log:\n  paths: [/var/log/app/app.log]\n")
			want(t, run(t, p, h)["log/rotate:/var/log/app/app.log"], c.status, c.words...)
		})
	}
}

// TestRotatePendingAndMissing: a path not there yet is covered by the
// first pattern that will match it; no configuration is a fail that says
// logrotate is missing.
func TestRotatePendingAndMissing(t *testing.T) {
	h := hosttest.Root(t, withTimer(map[string]string{
		"etc/logrotate.conf": "/var/log/app/*.log {\n maxsize 10M\n rotate 2\n copytruncate\n}\n",
	}))
	p := profiletest.Resolve(t, "log:\n  paths: [/var/log/app/new.log, /var/log/app/.hidden.log]\n")
	rs := run(t, p, h)
	want(t, rs["log/rotate:/var/log/app/new.log"], engine.Pass, "does not exist yet")
	want(t, rs["log/rotate:/var/log/app/.hidden.log"], engine.Fail, "no logrotate rule covers")

	none := hosttest.Root(t, map[string]string{"etc/hostname": "x\n"})
	want(t, run(t, p, none)["log/rotate:/var/log/app/new.log"], engine.Fail, "logrotate is not installed")
}

// TestRotateUnitTargets: the unit's file outputs are judged, and a
// postrotate must restart the unit, since systemd holds the file.
func TestRotateUnitTargets(t *testing.T) {
	files := withTimer(map[string]string{
		"etc/systemd/system/app.service": "[Service]\nExecStart=/bin/app\nStandardOutput=append:/var/log/app/out.log\nStandardError=journal\n",
		"etc/logrotate.conf":             "/var/log/app/out.log {\n size 10M\n rotate 2\n postrotate\n  systemctl reload app\n endscript\n}\n",
	})
	h := hosttest.Root(t, files)
	p := profiletest.Resolve(t, "service: {unit: app.service}\n")
	want(t, run(t, p, h)["log/rotate:app.service"], engine.Fail, "only a restart reopens it")

	files["etc/logrotate.conf"] = strings.Replace(files["etc/logrotate.conf"], "reload", "restart", 1)
	want(t, run(t, p, hosttest.Root(t, files))["log/rotate:app.service"], engine.Pass, "/var/log/app/out.log is rotated by")

	journal := hosttest.Root(t, map[string]string{"etc/systemd/system/app.service": "[Service]\nExecStart=/bin/app\n"})
	want(t, run(t, p, journal)["log/rotate:app.service"], engine.Pass, "sends StandardOutput= and StandardError= to the journal")
}

// TestRotateDuplicateExplained: a path a later entry names after an
// earlier one took it is covered by the earlier; one that a duplicate cut
// off is uncovered, and the message says why.
func TestRotateDuplicateExplained(t *testing.T) {
	h := hosttest.Root(t, withTimer(map[string]string{
		"etc/logrotate.conf": "/var/log/app/a.log {\n size 1M\n rotate 1\n copytruncate\n}\n/var/log/app/*.log {\n size 1M\n rotate 1\n copytruncate\n}\n",
		"var/log/app/a.log":  "x", "var/log/app/b.log": "x",
	}))
	conf := loadLogrotate(h)
	if len(conf.Blocks) != 2 || strings.Join(conf.Blocks[1].Files, " ") != "" {
		t.Fatalf("blocks %+v", conf.Blocks)
	}
	p := profiletest.Resolve(t, "log:\n  paths: [/var/log/app/a.log, /var/log/app/b.log]\n")
	rs := run(t, p, h)
	want(t, rs["log/rotate:/var/log/app/a.log"], engine.Pass, "/etc/logrotate.conf:1")
	want(t, rs["log/rotate:/var/log/app/b.log"], engine.Fail, "a duplicate log entry ended that entry's list first")
}

// TestBuildRejects: bad profile values are errors at their line.
func TestBuildRejects(t *testing.T) {
	for yaml, wantErr := range map[string]string{
		"log:\n  paths: [var/log/x.log]\n":                  "not an absolute, clean file path",
		"log:\n  paths: [/var/log/*.log]\n":                 "wildcard",
		"log:\n  paths: [/var/log/a.log, /var/log/a.log]\n": "named twice",
		"log:\n  journald: {storage: auto}\n":               "is not one of persistent, volatile, any",
		"log:\n  journald: {max_use: lots}\n":               "is not a size",
		"log:\n  journald: {sotrage: persistent}\n":         "sotrage",
	} {
		p, err := profiletest.ResolveErr(t, "p.yaml", yaml)
		if err == nil {
			_, err = build(p.Section(kind), p)
		}
		if err == nil || !strings.Contains(err.Error(), wantErr) || !strings.Contains(err.Error(), "p.yaml:") {
			t.Errorf("%q: %v, want an error at p.yaml: with %q", yaml, err, wantErr)
		}
	}
}

// TestExplain: every check ID the family makes is explained.
func TestExplain(t *testing.T) {
	for _, id := range []string{"log/journald", "log/rotate:/var/log/app.log", "log/rotate:app.service"} {
		m, ok := explain(id)
		if !ok || m.ID != id || m.Why == "" || m.Fix == "" {
			t.Errorf("explain(%q) = %+v, %v", id, m, ok)
		}
	}
	if _, ok := explain("log/other"); ok {
		t.Error("explain(log/other) is known")
	}
}
