package cgroup

import (
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
)

func TestKernelSupportForV2(t *testing.T) {
	withV2 := "nodev\tcgroup\nnodev\tcgroup2\n\text4\n"
	withoutV2 := "nodev\tcgroup\n\txfs\n"
	cases := []struct {
		name    string
		files   map[string]string
		runtime bool
		usable  string // yes, no, unknown
		release string
	}{
		{"CentOS 7: no cgroup2 filesystem", map[string]string{"proc/filesystems": withoutV2, "proc/sys/kernel/osrelease": "3.10.0-1160.el7.x86_64\n"}, true, "no", "3.10.0-1160.el7.x86_64"},
		{"3.10 without /proc/filesystems", map[string]string{"proc/sys/kernel/osrelease": "3.10.0-1160.el7.x86_64\n"}, true, "no", "3.10.0-1160.el7.x86_64"},
		{"4.9 has cgroup2 but no cpu controller on it", map[string]string{"proc/filesystems": withV2, "proc/sys/kernel/osrelease": "4.9.0-13-amd64\n"}, true, "no", "4.9.0-13-amd64"},
		{"5.14", map[string]string{"proc/filesystems": withV2, "proc/sys/kernel/osrelease": "5.14.0-427.el9.x86_64\n"}, true, "yes", "5.14.0-427.el9.x86_64"},
		{"only /proc/filesystems", map[string]string{"proc/filesystems": withV2}, true, "yes", ""},
		{"nothing known", map[string]string{"etc/hostname": "x\n"}, true, "unknown", ""},
		{"image: the newest installed kernel", map[string]string{"usr/lib/modules/4.18.0-80.el8.x86_64/modules.dep": "", "usr/lib/modules/5.14.0-70.el9.x86_64/modules.dep": "", "usr/lib/modules/extra/x": ""}, false, "yes", "5.14.0-70.el9.x86_64"},
		{"image of CentOS 7", map[string]string{"lib/modules/3.10.0-1160.el7.x86_64/modules.dep": ""}, false, "no", "3.10.0-1160.el7.x86_64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := kernelSupport(hosttest.Root(t, c.files), c.runtime)
			got := "unknown"
			if s.usable != nil {
				got = map[bool]string{true: "yes", false: "no"}[*s.usable]
			}
			if got != c.usable || s.release != c.release {
				t.Errorf("usable %s release %q (%s), want %s %q", got, s.release, s.why, c.usable, c.release)
			}
		})
	}
}
