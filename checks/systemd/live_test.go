package systemd

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/unit"
)

// The live judgements are pure: D-Bus properties in, a verdict out. The
// values are what a running systemd reports, supplied here.
func TestJudgeActive(t *testing.T) {
	cases := []struct {
		name    string
		unit    map[string]any
		service map[string]any
		status  engine.Status
		words   string
	}{
		{"running", map[string]any{"ActiveState": "active", "SubState": "running"}, map[string]any{"NRestarts": uint32(0), "MainPID": uint32(812)}, engine.Pass, "running"},
		{"crash loop", map[string]any{"ActiveState": "active", "SubState": "running"}, map[string]any{"NRestarts": uint32(4)}, engine.Warn, "restarted it 4 time(s)"},
		{"oneshot done", map[string]any{"ActiveState": "active", "SubState": "exited"}, nil, engine.Pass, "exited"},
		{"auto-restart", map[string]any{"ActiveState": "activating", "SubState": "auto-restart"}, nil, engine.Warn, "auto-restart"},
		{"failed", map[string]any{"ActiveState": "failed", "SubState": "failed"}, map[string]any{"Result": "exit-code"}, engine.Fail, "Result=exit-code"},
		{"stopped", map[string]any{"ActiveState": "inactive", "SubState": "dead"}, map[string]any{"Result": "success"}, engine.Fail, "not running"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := judgeActive(&liveProps{unit: c.unit, service: c.service}, "app.service")
			r.ID = "systemd/active:app.service"
			want(t, r, c.status, c.words)
			if c.status == engine.Fail && (r.Remediation == nil || r.Remediation.Actions[0].Argv[1] != "start") {
				t.Errorf("plan %+v", r.Remediation)
			}
		})
	}
}

func TestJudgeUnitFileState(t *testing.T) {
	files := engine.Result{Status: engine.Fail, Observed: "disabled", Details: map[string]any{}}
	for state, status := range map[string]engine.Status{
		"enabled": engine.Pass, "enabled-runtime": engine.Warn, "static": engine.Warn, "indirect": engine.Warn,
		"disabled": engine.Fail, "masked": engine.Fail, "bad": engine.Fail, "": engine.Fail,
	} {
		r := judgeUnitFileState(files, state, "app.service")
		if r.Status != status {
			t.Errorf("UnitFileState=%q: %s, want %s", state, r.Status, status)
		}
	}
}

// The links decide, as for systemctl is-enabled; a cached UnitFileState
// that disagrees asks for a daemon-reload.
func TestJudgeLiveEnablement(t *testing.T) {
	pass := engine.Result{Status: engine.Pass, Observed: "enabled", Details: map[string]any{}}
	fail := engine.Result{Status: engine.Fail, Observed: "disabled", Details: map[string]any{}}
	cases := []struct {
		name   string
		res    engine.Result
		files  string
		live   string
		status engine.Status
		words  string
	}{
		{"agree enabled", pass, "enabled", "enabled", engine.Pass, ""},
		{"a package link is enabled", pass, "vendor", "enabled", engine.Pass, ""},
		{"agree disabled", fail, "disabled", "disabled", engine.Fail, ""},
		{"disabled --no-reload", fail, "disabled", "enabled", engine.Fail, "daemon-reload needed"},
		{"link made by hand", pass, "enabled", "disabled", engine.Warn, "still reports UnitFileState=disabled"},
		{"indirect comes from systemd", fail, "disabled", "indirect", engine.Warn, "indirect"},
		{"masked comes from systemd", pass, "enabled", "masked", engine.Fail, "masked"},
	}
	for _, c := range cases {
		r := judgeLiveEnablement(c.res, c.files, c.live, "app.service")
		if r.Status != c.status || !strings.Contains(r.Message, c.words) {
			t.Errorf("%s: %s %q, want %s with %q", c.name, r.Status, r.Message, c.status, c.words)
		}
		if c.words == "" && strings.Contains(r.Message, "daemon-reload") {
			t.Errorf("%s: %q", c.name, r.Message)
		}
	}
}

func TestLiveDiff(t *testing.T) {
	if d := liveDiff("Restart", "always", "no"); !strings.Contains(d, "daemon-reload needed") || !strings.Contains(d, "Restart=no loaded") {
		t.Errorf("diff %q", d)
	}
	if liveDiff("Restart", "always", "always") != "" || liveDiff("User", "app", "") != "" {
		t.Error("no difference expected")
	}
}

func TestJudgeLoadState(t *testing.T) {
	base := func() engine.Result { return engine.Result{Status: engine.Pass, Details: map[string]any{}} }
	r := judgeLoadState(base(), &liveProps{unit: map[string]any{"LoadState": "loaded", "NeedDaemonReload": true}}, nil)
	if r.Status != engine.Warn || !strings.Contains(r.Message, "daemon-reload needed") || r.Remediation == nil {
		t.Errorf("changed files: %+v", r)
	}
	r = judgeLoadState(base(), &liveProps{unit: map[string]any{"LoadState": "not-found"}}, nil)
	if r.Status != engine.Fail || !strings.Contains(r.Message, "never loaded") {
		t.Errorf("not-found: %+v", r)
	}
	r = judgeLoadState(base(), &liveProps{unit: map[string]any{"LoadState": "bad-setting"}}, nil)
	if r.Status != engine.Fail || !strings.Contains(r.Message, "bad-setting") {
		t.Errorf("bad-setting: %+v", r)
	}
	// A drop-in directory made after the load: systemd 252 does not set
	// NeedDaemonReload, but DropInPaths lacks the new file.
	f := &unit.File{Name: "app.service", Path: "/etc/systemd/system/app.service", DropIns: []string{"/etc/systemd/system/app.service.d/10-new.conf"}}
	r = judgeLoadState(base(), &liveProps{unit: map[string]any{"LoadState": "loaded", "NeedDaemonReload": false,
		"FragmentPath": "/etc/systemd/system/app.service", "DropInPaths": []string{}}}, f)
	if r.Status != engine.Warn || !strings.Contains(r.Message, "has not loaded /etc/systemd/system/app.service.d/10-new.conf") || r.Details["need_daemon_reload"] != true {
		t.Errorf("new drop-in directory: %+v", r)
	}
	r = judgeLoadState(base(), &liveProps{unit: map[string]any{"LoadState": "loaded",
		"FragmentPath": "/lib/systemd/system/app.service", "DropInPaths": []string{"/lib/systemd/system/app.service.d/x.conf"}}},
		&unit.File{Path: "/usr/lib/systemd/system/app.service", DropIns: []string{"/usr/lib/systemd/system/app.service.d/x.conf"}})
	if r.Status != engine.Pass {
		t.Errorf("/lib is /usr/lib: %+v", r)
	}
	if r := judgeLoadState(base(), &liveProps{unit: map[string]any{"LoadState": "loaded"}}, nil); r.Status != engine.Pass {
		t.Errorf("loaded: %+v", r)
	}
}

// The live properties are asked for once per run; a failure is not kept.
func TestLivePropsAreSharedAndFailuresRetried(t *testing.T) {
	h := hosttest.Root(t, nil)
	st := newShared("app.service")
	calls := 0
	fail := true
	st.dialLive = func(context.Context, string) (*liveProps, error) {
		calls++
		if fail {
			return nil, errors.New("no bus")
		}
		return &liveProps{unit: map[string]any{"ActiveState": "active"}}, nil
	}
	if _, err := st.liveProps(context.Background(), h); err == nil {
		t.Fatal("want the error")
	}
	fail = false
	for i := 0; i < 3; i++ {
		lp, err := st.liveProps(context.Background(), h)
		if err != nil || unit.PropString(lp.unit, "ActiveState") != "active" {
			t.Fatal(lp, err)
		}
	}
	if calls != 2 {
		t.Errorf("%d calls, want 2 (one failure, then one success shared)", calls)
	}
}

// This machine's PID 1 is not systemd (a VM with its own init): on the
// running system every systemd check says so instead of guessing.
func TestRunningSystemWithoutSystemdSkips(t *testing.T) {
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := unit.Booted(h); ok {
		t.Skip("systemd is PID 1 here")
	}
	for _, r := range run(t, h, plan(t, testProfile(t, "linux", demo))) {
		want(t, r, engine.Skip, "systemd does not run this system")
	}
}
