package facts

import (
	"sync"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/unit"
)

// The parallel runner asks the same facts from many checks at once: each
// is loaded once, and every caller gets that one value (run with -race).
func TestFactsLoadOnceUnderConcurrency(t *testing.T) {
	var log host.ReadLog
	h := hosttest.Root(t, map[string]string{
		"etc/passwd":                              "app:x:1500:1500::/:/bin/sh\n",
		"etc/group":                               "ops:x:2000:app\n",
		"etc/nsswitch.conf":                       "passwd: files sss\nhosts: files dns\n",
		"etc/systemd/system.conf":                 "[Manager]\nDefaultTasksMax=15%\n",
		"etc/systemd/system.conf.d/10-a.conf":     "[Manager]\nDefaultLimitNOFILE=4096\n",
		"etc/systemd/system/app.service":          "[Service]\nUser=app\nEnvironmentFile=/etc/default/app\n",
		"etc/systemd/system/app.service.d/a.conf": "[Service]\nLimitNOFILE=65536\n",
		"etc/default/app":                         "A=1\n",
	}, host.WithReadLog(&log))
	type got struct {
		pw   *Passwd
		gr   *Groups
		ns   *Nsswitch
		u    *unit.File
		env  *unit.Environment
		mgr  *ManagerConfig
		errs []error
	}
	const n = 64
	out := make([]got, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			g := &out[i]
			var err1, err2, err3, err4 error
			g.pw, err1 = PasswdOf(h)
			g.gr, err2 = GroupsOf(h)
			g.ns, err3 = NsswitchOf(h, NSSModern)
			g.u, err4 = Unit(h, "app.service")
			g.env = UnitEnvironment(h, "app.service")
			g.mgr = Manager(h)
			g.errs = []error{err1, err2, err3, err4}
		}()
	}
	close(start)
	wg.Wait()
	for i, g := range out {
		for _, err := range g.errs {
			if err != nil {
				t.Fatalf("goroutine %d: %v", i, err)
			}
		}
		if g.pw != out[0].pw || g.gr != out[0].gr || g.ns != out[0].ns || g.u != out[0].u || g.env != out[0].env || g.mgr != out[0].mgr {
			t.Fatalf("goroutine %d got a value of its own: each fact is loaded once and shared", i)
		}
	}
	counts := log.Counts()
	for _, p := range []string{PasswdPath, GroupPath, NsswitchPath, SystemConf, "/etc/systemd/system.conf.d/10-a.conf",
		"/etc/systemd/system/app.service", "/etc/systemd/system/app.service.d/a.conf", "/etc/default/app"} {
		if counts[p] != 1 {
			t.Errorf("%s read %d times, want 1", p, counts[p])
		}
	}
}
