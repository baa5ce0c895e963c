package cgroup

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/remediate"
)

const (
	fs2  = "nodev\tcgroup\nnodev\tcgroup2\n"
	fs1  = "nodev\tcgroup\n"
	k514 = "5.14.0-427.13.1.el9_4.x86_64\n"
)

func TestVersionVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		profile string
		files   map[string]string
		status  engine.Status
		words   []string
		action  remediate.Kind // first action, "" for none
		reboot  bool
	}{
		{"v2 where v2 is expected", "extends: rocky-9\n", map[string]string{
			"proc/self/mountinfo": rootLine + v2Line, "proc/filesystems": fs2, "proc/sys/kernel/osrelease": k514,
		}, engine.Pass, []string{"cgroup v2 as expected"}, "", false},
		{"CentOS 7: v1 on a kernel without v2 is a warning, not a failure", "extends: centos-7\n", map[string]string{
			"proc/self/mountinfo": v1Lines, "proc/filesystems": fs1, "proc/sys/kernel/osrelease": "3.10.0-1160.119.1.el7.x86_64\n",
		}, engine.Warn, []string{"no cgroup2 filesystem", "as the profile expects", "boots cgroup v2"}, remediate.Manual, false},
		{"v2 expected on a kernel without it still only warns", "extends: rocky-9\n", map[string]string{
			"proc/self/mountinfo": v1Lines, "proc/sys/kernel/osrelease": "3.10.0-1160.el7.x86_64\n",
		}, engine.Warn, []string{"kernel 3.10.0-1160.el7.x86_64 has no cgroup v2"}, remediate.Manual, false},
		{"hybrid on the RHEL family: grubby", "extends: rocky-9\n", map[string]string{
			"proc/self/mountinfo": hybridLine, "proc/filesystems": fs2, "proc/sys/kernel/osrelease": k514,
		}, engine.Fail, []string{"cgroup hybrid, expected v2"}, remediate.Command, true},
		{"v1 on Ubuntu: /etc/default/grub and update-grub", "extends: ubuntu-22.04\n", map[string]string{
			"proc/self/mountinfo": v1Lines, "proc/filesystems": fs2, "proc/sys/kernel/osrelease": "5.15.0-126-generic\n",
			"etc/default/grub": "GRUB_CMDLINE_LINUX=\"quiet\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"systemd.unified_cgroup_hierarchy=0 splash\"\n",
		}, engine.Fail, []string{"cgroup v1, expected v2"}, remediate.FileLine, true},
		{"reboot pending", "extends: rocky-9\n", map[string]string{
			"proc/self/mountinfo": hybridLine, "proc/filesystems": fs2, "proc/sys/kernel/osrelease": k514,
			"boot/loader/entries/m-5.14.0-427.13.1.el9_4.x86_64.conf": "options ro systemd.unified_cgroup_hierarchy=1\n",
		}, engine.Fail, []string{"reboot pending", "systemd.unified_cgroup_hierarchy=1"}, remediate.Manual, true},
		{"the next boot leaves v2", "extends: ubuntu-22.04\n", map[string]string{
			"proc/self/mountinfo": rootLine + v2Line, "proc/filesystems": fs2,
			"etc/default/grub": "GRUB_CMDLINE_LINUX=\"systemd.unified_cgroup_hierarchy=0\"\n",
		}, engine.Warn, []string{"the next boot switches to hybrid", "/etc/default/grub"}, remediate.FileLine, true},
		{"image: the distro default", "extends: rocky-9\n", map[string]string{
			"etc/os-release": "ID=rocky\n",
		}, engine.Pass, []string{"image: the next boot sets up cgroup v2"}, "", false},
		{"image booting v1", "extends: rocky-9\n", map[string]string{
			"boot/loader/entries/m-5.14.0-427.13.1.el9_4.x86_64.conf": "options ro systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller\n",
		}, engine.Fail, []string{"v1 at the next boot"}, remediate.Command, true},
		{"image without a distro default", "name: x\n", map[string]string{
			"etc/os-release": "ID=x\n",
		}, engine.Skip, []string{"image: the hierarchy is chosen at boot"}, "", false},
		{"nothing mounted", "extends: rocky-9\n", map[string]string{
			"proc/self/mountinfo": rootLine, "proc/filesystems": fs2,
		}, engine.Fail, []string{"no cgroup hierarchy is mounted"}, remediate.Manual, false},
		{"malformed lines turn a pass into a warning", "extends: rocky-9\n", map[string]string{
			"proc/self/mountinfo": rootLine + "junk\n" + v2Line, "proc/filesystems": fs2,
		}, engine.Warn, []string{"1 malformed line"}, "", false},
		{"a mount table with no readable line", "extends: rocky-9\n", map[string]string{
			"proc/self/mountinfo": "junk\nmore junk\n",
		}, engine.Error, []string{"no line could be parsed"}, "", false},
		{"a directory where the mount table belongs", "extends: rocky-9\n", map[string]string{
			"proc/self/mountinfo/x": "",
		}, engine.Error, []string{"not a regular file"}, "", false},
		{"a profile that allows hybrid", "extends: rocky-9\ncgroup: {version: \"in [v2, hybrid]\"}\n", map[string]string{
			"proc/self/mountinfo": hybridLine, "proc/filesystems": fs2,
		}, engine.Pass, []string{"cgroup hybrid"}, "", false},
		{"level warn", "extends: rocky-9\ncgroup: {version: {expect: v2, level: warn}}\n", map[string]string{
			"proc/self/mountinfo": hybridLine, "proc/filesystems": fs2,
		}, engine.Warn, []string{"expected v2"}, remediate.Command, true},
		{"Ubuntu 20.04: its default hybrid layout warns, the fix is /etc/default/grub", "extends: ubuntu-20.04\n", map[string]string{
			"proc/self/mountinfo": hybridLine, "proc/filesystems": fs2, "proc/sys/kernel/osrelease": "5.4.0-216-generic\n",
			"etc/default/grub": "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\nGRUB_CMDLINE_LINUX=\"\"\n",
		}, engine.Warn, []string{"cgroup hybrid, expected v2"}, remediate.FileLine, true},
		{"Ubuntu 20.04 image: the distro default is hybrid", "extends: ubuntu-20.04\n", map[string]string{
			"etc/default/grub": "GRUB_CMDLINE_LINUX=\"\"\n",
		}, engine.Warn, []string{"hybrid at the next boot", "the distro's default"}, remediate.FileLine, true},
		{"Ubuntu 20.04 image switched to v2", "extends: ubuntu-20.04\n", map[string]string{
			"etc/default/grub": "GRUB_CMDLINE_LINUX=\"systemd.unified_cgroup_hierarchy=1\"\n",
		}, engine.Pass, []string{"image: the next boot sets up cgroup v2"}, "", false},
		{"facts.cgroup hybrid without a version rule expects hybrid", "extends: rocky-9\nfacts: {cgroup: hybrid}\n", map[string]string{
			"proc/self/mountinfo": hybridLine, "proc/filesystems": fs2, "proc/sys/kernel/osrelease": k514,
		}, engine.Pass, []string{"cgroup hybrid as expected"}, "", false},
		{"generic profile: v2 at level warn", "name: x\n", map[string]string{
			"proc/self/mountinfo": v1Lines, "proc/filesystems": fs2,
		}, engine.Warn, []string{"expected v2"}, remediate.Manual, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runProfile(t, hosttest.Root(t, c.files), c.profile)["cgroup/version"]
			want(t, r, c.status, c.words...)
			switch {
			case c.action == "" && r.Remediation != nil:
				t.Errorf("unexpected remediation %+v", r.Remediation)
			case c.action != "" && (r.Remediation == nil || r.Remediation.Actions[0].Kind != c.action):
				t.Errorf("remediation %+v, want first action %s", r.Remediation, c.action)
			case r.Remediation != nil && r.Remediation.Reboot != c.reboot:
				t.Errorf("reboot %v, want %v", r.Remediation.Reboot, c.reboot)
			}
		})
	}
}

func TestUbuntuFixEditsBothGrubLines(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"proc/self/mountinfo": v1Lines, "proc/filesystems": fs2,
		"etc/default/grub": "GRUB_CMDLINE_LINUX=\"quiet dyndbg=\\\"file a.c +p\\\" systemd.unified_cgroup_hierarchy=0\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"systemd.unified_cgroup_hierarchy=0 splash\"\n",
	})
	r := runProfile(t, h, "extends: ubuntu-22.04\n")["cgroup/version"]
	if r.Remediation == nil || len(r.Remediation.Actions) != 4 {
		t.Fatalf("remediation %+v", r.Remediation)
	}
	a := r.Remediation.Actions
	if a[0].Path != grubDefault || a[0].Key != "GRUB_CMDLINE_LINUX" || a[0].Line != `GRUB_CMDLINE_LINUX="quiet dyndbg=\"file a.c +p\" systemd.unified_cgroup_hierarchy=1"` {
		t.Errorf("GRUB_CMDLINE_LINUX edit %+v", a[0])
	}
	if a[1].Key != "GRUB_CMDLINE_LINUX_DEFAULT" || a[1].Line != `GRUB_CMDLINE_LINUX_DEFAULT="splash"` {
		t.Errorf("GRUB_CMDLINE_LINUX_DEFAULT edit %+v: its =0 comes later on the command line and would win", a[1])
	}
	if strings.Join(a[2].Argv, " ") != "update-grub" || a[3].Kind != remediate.Manual {
		t.Errorf("then update-grub and reboot: %+v", a[2:])
	}
}

func TestRHELFixUsesGrubbyOnEveryKernel(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"proc/self/mountinfo": hybridLine, "proc/filesystems": fs2,
		"boot/loader/entries/m-5.14.0-1.el9.x86_64.conf": "options ro systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller=0\n",
	})
	r := runProfile(t, h, "extends: rocky-9\n")["cgroup/version"]
	var argv []string
	for _, a := range r.Remediation.Actions {
		argv = append(argv, strings.Join(a.Argv, " "))
	}
	got := strings.Join(argv, " | ")
	if !strings.Contains(got, "grubby --update-kernel=ALL --args=systemd.unified_cgroup_hierarchy=1 | grubby --update-kernel=ALL --remove-args=systemd.legacy_systemd_cgroup_controller") {
		t.Errorf("actions %s", got)
	}
}

func TestBadCgroupFactIsAProfileError(t *testing.T) {
	p := testProfile(t, "extends: rocky-9\nfacts: {cgroup: v3}\n")
	if _, err := build(p.Section(kind), p); err == nil || !strings.Contains(err.Error(), "v1, v2 or hybrid") {
		t.Errorf("facts.cgroup v3: err %v, want one naming v1, v2 or hybrid", err)
	}
}

func TestBadVersionRulesAreProfileErrors(t *testing.T) {
	for _, rule := range []string{`">= 2"`, "v3", `"in [v2, v9]"`, "{level: warn}"} {
		p := testProfile(t, "cgroup:\n  version: "+rule+"\n")
		if _, err := build(p.Section(kind), p); err == nil || !strings.Contains(err.Error(), "p.yaml:2") {
			t.Errorf("version %s: err %v, want a profile error at p.yaml:2", rule, err)
		}
	}
}
