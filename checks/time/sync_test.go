package clock

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

var chrony = daemon{Name: "chronyd", Unit: "chronyd.service", State: "enabled", Config: "/etc/chrony.conf", Servers: []string{"ntp1.example.com"}}

// TestSyncVerdicts: the kernel's view judged with the daemons enabled.
func TestSyncVerdicts(t *testing.T) {
	synced := host.KernelClock{Status: unix.STA_PLL, State: unix.TIME_OK, MaxError: 20 * time.Millisecond}
	unsynced := host.KernelClock{Status: unix.STA_UNSYNC, State: unix.TIME_ERROR, MaxError: 16 * time.Second}
	drifting := host.KernelClock{Status: unix.STA_PLL, MaxError: 900 * time.Millisecond}
	ntpd := daemon{Name: "ntpd", Unit: "ntpd.service", State: "enabled"}
	cases := map[string]struct {
		k        host.KernelClock
		enabled  []daemon
		critical bool
		status   engine.Status
		words    []string
		actions  string
	}{
		"synchronised":         {synced, []daemon{chrony}, false, engine.Pass, []string{"synchronised (maxerror 20ms, within 100ms)"}, ""},
		"container":            {synced, nil, false, engine.Pass, []string{"a container's clock is its host's"}, ""},
		"unsynchronised":       {unsynced, []daemon{chrony}, false, engine.Warn, []string{"not synchronised", "can it reach ntp1.example.com"}, "command manual"},
		"unsynchronised, etcd": {unsynced, []daemon{chrony}, true, engine.Fail, []string{"the profile checks etcd or MySQL"}, "command manual"},
		"no daemon":            {unsynced, nil, false, engine.Warn, []string{"no time daemon"}, "manual command"},
		"maxerror":             {drifting, []daemon{chrony}, false, engine.Warn, []string{"maximum clock error is 900ms, above 100ms"}, "command manual"},
		"two daemons":          {synced, []daemon{chrony, ntpd}, false, engine.Warn, []string{"chronyd and ntpd are both enabled"}, "manual"},
		"no server in config":  {unsynced, []daemon{{Name: "chronyd", Unit: "chronyd.service", State: "enabled", Config: "/etc/chrony.conf"}}, false, engine.Warn, []string{"names no server in /etc/chrony.conf"}, "command manual"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			set := defaults()
			set.critical = c.critical
			set.daemon = "chronyd"
			chk := &syncCheck{Base: engine.Base{M: metaSync(set)}, set: set}
			r := chk.verdict(engine.Result{Details: map[string]any{}}, c.k, c.enabled, "x")
			r.ID = "time/sync"
			want(t, r, c.status, c.words...)
			if got := kinds(r.Remediation); got != c.actions {
				t.Errorf("actions %q, want %q", got, c.actions)
			}
		})
	}
}

// TestSyncOnThisMachine: on the running system time/sync reports what
// adjtimex says, and the etcd rule turns an unsynchronised clock into a
// fail; on a root it never reads this machine's clock.
func TestSyncOnThisMachine(t *testing.T) {
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	k, err := h.Clock()
	if err != nil {
		t.Fatal(err)
	}
	for _, yaml := range []string{"time: {}\n", "time: {}\netcd:\n  endpoints: [https://127.0.0.1:2379]\n"} {
		r := run(t, testProfile(t, yaml), h, time.Second)["time/sync"]
		if r.Details["unsynchronised"] != k.Unsynchronised() {
			t.Errorf("details %v, adjtimex says unsynchronised=%v", r.Details["unsynchronised"], k.Unsynchronised())
		}
		if k.Unsynchronised() {
			wantStatus := engine.Warn
			if yaml != "time: {}\n" {
				wantStatus = engine.Fail
			}
			want(t, r, wantStatus, "not synchronised")
		}
	}
	root := hosttest.Root(t, nil)
	r := run(t, testProfile(t, "time: {}\n"), root, time.Second)["time/sync"]
	want(t, r, engine.Skip, "needs the running system", "no time daemon installed or configured")
	if _, ok := r.Details["maxerror_us"]; ok {
		t.Error("a root run read the kernel clock")
	}
}
