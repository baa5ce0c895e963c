package clock

import (
	"slices"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// TestFixtureRoots: what each fixture root's files say (testdata/roots/README.md,
// "time fixtures"): the daemon its distro enables and its servers, and the
// timezone. No root has a kernel clock, so time/sync skips unless the files
// alone show a problem.
func TestFixtureRoots(t *testing.T) {
	cases := map[string]struct {
		sync     engine.Status
		daemons  []string // name:state
		servers  []string // of the first daemon
		zone     engine.Status
		zoneSeen string
		words    []string
	}{
		"centos-7": {engine.Skip, []string{"chronyd:enabled"},
			[]string{"0.centos.pool.ntp.org", "1.centos.pool.ntp.org", "2.centos.pool.ntp.org", "3.centos.pool.ntp.org"},
			engine.Fail, "Asia/Shanghai", []string{"needs the running system"}},
		"rocky-9": {engine.Skip, []string{"chronyd:enabled"}, []string{"2.rocky.pool.ntp.org"},
			engine.Pass, "UTC", []string{"chronyd (enabled; /etc/chrony.conf: 2.rocky.pool.ntp.org)"}},
		"ubuntu-22.04": {engine.Skip, []string{"systemd-timesyncd:enabled"}, []string{},
			engine.Pass, "Etc/UTC", []string{"compiled-in FallbackNTP="}},
		"broken": {engine.Warn, []string{"chronyd:enabled", "ntpd:enabled"}, []string{"ok.example.net"},
			engine.Error, "", []string{"chronyd and ntpd are both enabled", "line 1: server without a name", "line 4: longer than 4096 bytes", "/etc/ntp.conf: not a regular file"}},
	}
	for root, c := range cases {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			p := profiletest.Detected(t, h, "time:\n  timezone: UTC\n")
			rs := run(t, p, h, time.Second)
			want(t, rs["time/sync"], c.sync, c.words...)
			ds := daemons(h)
			var got []string
			for _, d := range ds {
				got = append(got, d.Name+":"+d.State)
			}
			if !slices.Equal(got, c.daemons) {
				t.Errorf("daemons %v, want %v", got, c.daemons)
			}
			if len(ds) > 0 && !slices.Equal(ds[0].Servers, c.servers) {
				t.Errorf("servers %q, want %q", ds[0].Servers, c.servers)
			}
			z := rs["time/timezone"]
			if z.Status != c.zone || (c.zoneSeen != "" && z.Observed != c.zoneSeen) {
				t.Errorf("time/timezone: %s %q (%s), want %s %s", z.Status, z.Observed, z.Message, c.zone, c.zoneSeen)
			}
		})
	}
}

// TestDistroDaemonFact: each built-in profile names the daemon its distro
// enables, which the fix for a host with none installs.
func TestDistroDaemonFact(t *testing.T) {
	for profileName, want := range map[string]string{
		"centos-7": "chronyd", "rocky-9": "chronyd", "rhel-8": "chronyd", "amazon-linux-2023": "chronyd",
		"ubuntu-22.04": "systemd-timesyncd", "debian-12": "systemd-timesyncd", "linux": "",
	} {
		p := profiletest.Extending(t, profileName, "")
		if got := daemonFact.Get(p); got != want {
			t.Errorf("%s: facts.time_daemon %q, want %q", profileName, got, want)
		}
	}
}

// TestRegisteredWithTheEngine: through the registry, as golive check and
// golive explain use it.
func TestRegisteredWithTheEngine(t *testing.T) {
	checks, err := engine.Build(testProfile(t, "time: {servers: [ntp1.example.com], timezone: UTC}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range checks {
		if c.Meta().Category == kind {
			ids = append(ids, c.ID())
		}
	}
	if !slices.Equal(ids, []string{"time/sync", "time/offset:ntp1.example.com", "time/timezone"}) {
		t.Errorf("ids %v", ids)
	}
	for _, id := range ids {
		if m, ok := engine.Explain(id); !ok || m.Category != kind || m.Title == "" {
			t.Errorf("explain %s: %+v %v", id, m, ok)
		}
	}
	if m, _ := engine.Explain("time/offset:ntp1.example.com"); !m.Network {
		t.Error("time/offset is not marked as a network check")
	}
}
