package rlimit

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/expect"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/unit"
)

func rule(t *testing.T, s string) profile.Rule {
	t.Helper()
	e, err := expect.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return profile.Rule{Key: "nofile", Expect: e, Level: profile.LevelFail}
}

// The live comparison is pure: what the files say against what systemd
// has loaded and what the process runs with, values supplied here.
func TestLiveFindings(t *testing.T) {
	files := Limit{1048576, 1048576}
	plain := func(l Limit) ([]Limit, string) { return []Limit{l}, "" }
	goNew := func(l Limit) ([]Limit, string) { return goRaise(l, "go1.26.1"), "the Go runtime raises it" }
	capAt20000 := func(l Limit) ([]Limit, string) {
		return []Limit{{min(l.Soft, 20000), min(l.Hard, 20000)}}, "systemd (PID 1) lacks CAP_SYS_RESOURCE"
	}
	cases := []struct {
		name    string
		compare bool
		lv      liveUnit
		expect  func(Limit) ([]Limit, string)
		want    []string
		reload  bool
	}{
		{"everything agrees", true, liveUnit{loaded: files, hasLoaded: true, mainPID: 42, running: files, hasRunning: true}, plain, nil, false},
		{"loaded differs: daemon-reload", true, liveUnit{loaded: Limit{1024, 524288}, hasLoaded: true}, plain, []string{"daemon-reload needed", "1024:524288"}, true},
		{"files changed but values agree", true, liveUnit{loaded: files, hasLoaded: true, needReload: true}, plain, []string{"daemon-reload needed: the unit's files changed"}, true},
		{"running process differs from loaded: restart", true, liveUnit{loaded: files, hasLoaded: true, mainPID: 42, running: Limit{1024, 4096}, hasRunning: true}, plain,
			[]string{"restart needed", "pid 42", "1024:4096", "gives it 1048576"}, false},
		// The process has what systemd loaded: a restart changes nothing,
		// so none is advised (the files' verdict judges the value).
		{"running equals loaded: no restart", false, liveUnit{loaded: Limit{1024, 4096}, hasLoaded: true, mainPID: 7, running: Limit{1024, 4096}, hasRunning: true}, plain, nil, false},
		{"loaded differs, running has the old value", true, liveUnit{loaded: Limit{1048576, 2097152}, hasLoaded: true, mainPID: 7, running: Limit{1048576, 1048576}, hasRunning: true}, plain,
			[]string{"daemon-reload needed", "restart needed"}, true},
		{"a Go service runs with hard-1", true, liveUnit{loaded: Limit{1024, 65536}, hasLoaded: true, mainPID: 9, running: Limit{65535, 65536}, hasRunning: true}, goNew, nil, false},
		{"a Go service that did not restart", true, liveUnit{loaded: Limit{1024, 65536}, hasLoaded: true, mainPID: 9, running: Limit{4095, 4096}, hasRunning: true}, goNew,
			[]string{"restart needed", "65535:65536", "Go runtime"}, false},
		{"systemd cannot give the loaded value", true, liveUnit{loaded: Limit{16384, 32768}, hasLoaded: true, mainPID: 5, running: Limit{16384, 20000}, hasRunning: true}, capAt20000, nil, false},
		{"a default is not compared with old systemd", false, liveUnit{loaded: Limit{4096, 4096}, hasLoaded: true}, plain, nil, false},
		{"no D-Bus", true, liveUnit{err: "connect to systemd over D-Bus: no such file"}, plain, []string{"live values unknown"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			configured := files
			if c.name == "running equals loaded: no restart" {
				configured = Limit{1024, 4096}
			}
			if c.name == "a Go service runs with hard-1" || c.name == "a Go service that did not restart" {
				configured = Limit{1024, 65536}
			}
			if c.name == "systemd cannot give the loaded value" {
				configured = Limit{16384, 32768}
			}
			fs, reload := liveFindings(configured, c.compare, c.lv, "nofile", c.expect)
			got := strings.Join(fs, " | ")
			if len(c.want) == 0 && got != "" {
				t.Errorf("findings %q, want none", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("findings %q lack %q", got, w)
				}
			}
			if reload != c.reload {
				t.Errorf("reload %v, want %v", reload, c.reload)
			}
		})
	}
}

func TestLoadedLimitFromDBusProperties(t *testing.T) {
	nofile := resources["nofile"]
	if l, ok := loadedLimit(map[string]any{"LimitNOFILE": uint64(524288), "LimitNOFILESoft": uint64(1024)}, nofile); !ok || l != (Limit{1024, 524288}) {
		t.Errorf("got %v %v", l, ok)
	}
	// systemd before 229 has one value and no Soft property.
	if l, ok := loadedLimit(map[string]any{"LimitNOFILE": uint64(4096)}, nofile); !ok || l != (Limit{4096, 4096}) {
		t.Errorf("got %v %v", l, ok)
	}
	if _, ok := loadedLimit(map[string]any{}, nofile); ok {
		t.Error("no property, no value")
	}
}

func liveHost(t *testing.T) *host.Host {
	t.Helper()
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/proc/self/limits"); err != nil {
		t.Skip("no /proc:", err)
	}
	return h
}

// rlimit/process reads the real /proc of this machine: this test process
// by pid and by name. Nothing is changed.
func TestProcessCheckOnTheRunningSystem(t *testing.T) {
	h := liveHost(t)
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(os.Getpid())
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimSpace(string(comm))
	p := proposedProfile(t, "linux", "rlimits:\n  process:\n    \""+pid+"\": {nofile: \">= "+strconv.FormatUint(rl.Cur, 10)+"\"}\n    \""+name+"\": {nofile: \"> "+strconv.FormatUint(rl.Cur, 10)+"\"}\n    no-such-process-golive: {nofile: \">= 1\"}\n")
	res := run(t, h, plan(t, p))
	byPID := res["rlimit/process:"+pid+"/nofile"]
	want(t, byPID, engine.Pass, strconv.FormatUint(rl.Cur, 10), "pid "+pid)
	byName := res["rlimit/process:"+name+"/nofile"]
	if byName.Status != engine.Fail || !strings.Contains(byName.Message, "pid ") || byName.Remediation == nil {
		t.Errorf("by name: %s %q (a soft limit cannot exceed itself)", byName.Status, byName.Message)
	}
	want(t, res["rlimit/process:no-such-process-golive/nofile"], engine.Skip, "no running process")
}

func TestProcessCheckSkipsOnAnImage(t *testing.T) {
	p := proposedProfile(t, "rocky-9", "rlimits:\n  process: {golive-demo: {nofile: \">= 1\"}}\n")
	r := run(t, fixture(t, "rocky-9"), plan(t, p))["rlimit/process:golive-demo/nofile"]
	want(t, r, engine.Skip, "mounted image")
}

// On the running system the unit checks need systemd as PID 1; on this
// machine (a VM whose init is not systemd) they say so.
func TestUnitCheckSkipsWithoutSystemd(t *testing.T) {
	h := liveHost(t)
	if ok, _ := unit.Booted(h); ok {
		t.Skip("systemd is PID 1 here: the live path is exercised against a real systemd by TestLiveSystemd in checks/all")
	}
	p := proposedProfile(t, "linux", serviceYAML)
	out := engine.Run(context.Background(), h, plan(t, p), engine.RunOptions{})
	for _, r := range out.Results {
		if strings.HasPrefix(r.ID, "rlimit/unit:") {
			want(t, r, engine.Skip, "systemd does not run this system")
		}
	}
}

// Without systemd as PID 1, sshd's limits (what a session inherits where
// limits.conf sets nothing) are not systemd's defaults.
func TestLoginBaselineWithoutSystemd(t *testing.T) {
	h := liveHost(t)
	if ok, _ := unit.Booted(h); ok {
		t.Skip("systemd is PID 1 here")
	}
	st := &shared{set: settings{goService: true, sd: systemdInfo{Defaults: map[string]Limit{"nofile": {1024, 524288}}}}}
	v := st.loginVerdict(h, "root", resources["nofile"], rule(t, ">= 1"))
	if v.baseline.known || !strings.Contains(v.baseline.from, "not started by systemd") {
		t.Errorf("baseline %+v", v.baseline)
	}
}
