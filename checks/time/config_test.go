package clock

import (
	"slices"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

func TestParseNTPConfig(t *testing.T) {
	c := parseNTPConfig([]byte("# c\nserver a.example iburst\n  POOL b.example\n% peer x\npeer c.example\nserver\nserver -iburst\nincludefile /etc/ntp/crypto/pw\nsourcedir /run/chrony-dhcp\n"))
	if !slices.Equal(c.servers, []string{"a.example", "b.example", "c.example"}) {
		t.Errorf("servers %q", c.servers)
	}
	if !slices.Equal(c.dirs, []string{"/etc/ntp/crypto/pw", "/run/chrony-dhcp"}) {
		t.Errorf("dirs %q", c.dirs)
	}
	if len(c.problems) != 2 || !strings.Contains(c.problems[0], "line 6") {
		t.Errorf("problems %q", c.problems)
	}
}

// TestTimesyncdDropIns: NTP= accumulates across lines and files in
// file-name order (/etc over /usr/lib for one name), an empty NTP= resets,
// and a drop-in linked to /dev/null is not read; that is timesyncd.conf(5).
func TestTimesyncdDropIns(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/systemd/timesyncd.conf":                         "[Time]\nNTP=a.example b.example\n#NTP=x\n",
		"usr/lib/systemd/timesyncd.conf.d/10-vendor.conf":    "[Time]\nNTP=c.example\n",
		"usr/lib/systemd/timesyncd.conf.d/20-shadowed.conf":  "[Time]\nNTP=never.example\n",
		"etc/systemd/timesyncd.conf.d/20-shadowed.conf":      "[Time]\nNTP=\nNTP=d.example\n",
		"etc/systemd/timesyncd.conf.d/30-masked.conf":        "->/dev/null",
		"run/systemd/timesyncd.conf.d/40-other-section.conf": "[Network]\nNTP=e.example\n",
		"usr/lib/systemd/system/systemd-timesyncd.service":   "[Service]\nExecStart=/lib/systemd/systemd-timesyncd\n[Install]\nWantedBy=sysinit.target\n",
	})
	ds := daemons(h)
	if len(ds) != 1 || ds[0].Name != "systemd-timesyncd" || ds[0].State != "disabled" {
		t.Fatalf("daemons %+v", ds)
	}
	if !slices.Equal(ds[0].Servers, []string{"d.example"}) || ds[0].Fallback {
		t.Errorf("servers %q (fallback %v)", ds[0].Servers, ds[0].Fallback)
	}
}

// TestDaemonStates: a unit linked into a boot target is enabled; without
// a link, disabled; linked to /dev/null, masked; Debian's chrony.service
// name and /etc/chrony/chrony.conf are found as well.
func TestDaemonStates(t *testing.T) {
	unitFile := "[Service]\nExecStart=/usr/sbin/chronyd\n[Install]\nWantedBy=multi-user.target\n"
	cases := map[string]struct {
		files map[string]string
		want  string
	}{
		"debian enabled": {map[string]string{
			"lib/systemd/system/chrony.service":                         unitFile,
			"etc/systemd/system/multi-user.target.wants/chrony.service": "->/lib/systemd/system/chrony.service",
			"etc/chrony/chrony.conf":                                    "pool 2.debian.pool.ntp.org iburst\n",
		}, "chronyd enabled chrony.service /etc/chrony/chrony.conf 2.debian.pool.ntp.org"},
		"disabled": {map[string]string{
			"usr/lib/systemd/system/chronyd.service": unitFile, "etc/chrony.conf": "server a\n",
		}, "chronyd disabled chronyd.service /etc/chrony.conf a"},
		"masked": {map[string]string{
			"usr/lib/systemd/system/chronyd.service": unitFile, "etc/systemd/system/chronyd.service": "->/dev/null",
			"etc/systemd/system/multi-user.target.wants/chronyd.service": "->/usr/lib/systemd/system/chronyd.service",
		}, "chronyd masked chronyd.service  "},
		"config only":                     {map[string]string{"etc/ntp.conf": "server 127.127.1.0\n"}, "ntpd not-installed  /etc/ntp.conf 127.127.1.0"},
		"timesyncd.conf without the unit": {map[string]string{"etc/systemd/timesyncd.conf": "[Time]\n"}, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, d := range daemons(hosttest.Root(t, c.files)) {
				got = append(got, strings.Join([]string{d.Name, d.State, d.Unit, d.Config, strings.Join(d.Servers, ",")}, " "))
			}
			if strings.Join(got, "; ") != c.want {
				t.Errorf("got %q, want %q", strings.Join(got, "; "), c.want)
			}
		})
	}
}

// TestSectionErrors: the section is strict, with file and line.
func TestSectionErrors(t *testing.T) {
	cases := map[string]string{
		"time:\n  max_eror: 1s\n":                       "max_eror",
		"time:\n  max_error: soon\n":                    "max_error",
		"time:\n  offset_warn: 2s\n  offset_fail: 1s\n": "above time.offset_fail",
		"time:\n  servers: [a.example, a.example]\n":    "named twice",
		"time:\n  servers: [\"a b\"]\n":                 "not a host name",
		"time:\n  servers: [\"a.example:\"]\n":          "empty port",
		"time:\n  timezone: ../../etc/passwd\n":         "not a tz database name",
		"facts:\n  time_daemon: openntpd\n":             "not chronyd, systemd-timesyncd or ntpd",
	}
	for yaml, wantErr := range cases {
		p, err := profiletest.ResolveErr(t, "p.yaml", yaml)
		if err == nil {
			_, err = build(p.Section(kind), p)
		}
		if err == nil || !strings.Contains(err.Error(), wantErr) || !strings.Contains(err.Error(), "p.yaml:") {
			t.Errorf("%q: %v, want an error with %q and the file", yaml, err, wantErr)
		}
	}
}
