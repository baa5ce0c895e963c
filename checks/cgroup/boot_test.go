package cgroup

import (
	"reflect"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
)

func TestBootModeFollowsSystemd(t *testing.T) {
	cases := []struct {
		args string
		def  mode
		want mode
	}{
		{"ro quiet", v2, v2},
		{"ro quiet", v1, v1},
		{"ro quiet", "", ""},
		{"systemd.unified_cgroup_hierarchy=1", v1, v2},
		{"systemd.unified_cgroup_hierarchy", v1, v2},
		{"systemd.unified_cgroup_hierarchy=yes", v1, v2},
		{"systemd.unified_cgroup_hierarchy=0", v2, hybrid},
		{"systemd.unified_cgroup_hierarchy=false", v1, v1},
		{"systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller", v2, v1},
		{"systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller=0", v1, hybrid},
		{"systemd.unified_cgroup_hierarchy=0 systemd.unified_cgroup_hierarchy=1", v1, v2}, // the last wins
		{"systemd.unified_cgroup_hierarchy=bogus", v1, v1},                                // ignored, as systemd does
		{"cgroup_no_v1=all", v1, v2},
		{"cgroup_no_v1=memory", v1, v1},
	}
	for _, c := range cases {
		if got, why := bootMode(splitCmdline(c.args), c.def); got != c.want {
			t.Errorf("%q (default %q): %q (%s), want %q", c.args, c.def, got, why, c.want)
		}
	}
}

func TestSplitCmdlineKeepsQuotedSpaces(t *testing.T) {
	got := splitCmdline(`ro  dyndbg="file x.c +p" quiet`)
	if !reflect.DeepEqual(got, []string{"ro", "dyndbg=file x.c +p", "quiet"}) {
		t.Errorf("%q", got)
	}
	if raw := splitArgs(`a="b c" d`, true); !reflect.DeepEqual(raw, []string{`a="b c"`, "d"}) {
		t.Errorf("raw %q", raw)
	}
}

// The next boot's line is facts.NextBoot's (its own tests cover where it
// comes from); cgroup splits it as systemd does, quotes and all.
func TestBootConfigSplitsTheNextBootLine(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"boot/loader/entries/m-5.14.0-427.el9.conf": "options root=/dev/x ro $kernelopts \"dyndbg=file a.c +p\"\n",
		"boot/grub2/grubenv":                        "# GRUB Environment Block\nkernelopts=systemd.unified_cgroup_hierarchy=0 x\n",
	})
	bc := readBootConfig(h)
	if bc.source != "/boot/loader/entries/m-5.14.0-427.el9.conf" || strings.Join(bc.args, "|") != "root=/dev/x|ro|systemd.unified_cgroup_hierarchy=0|x|dyndbg=file a.c +p" {
		t.Errorf("%s %q", bc.source, bc.args)
	}
	if m, _ := bootMode(bc.args, v2); m != hybrid {
		t.Errorf("mode %s, want hybrid", m)
	}
	h = hosttest.Root(t, map[string]string{"etc/default/grub": "GRUB_CMDLINE_LINUX=\"a\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"b\"\n"})
	if bc := readBootConfig(h); bc.source != grubDefault || strings.Join(bc.args, " ") != "a b" || bc.grub["GRUB_CMDLINE_LINUX"] != "a" {
		t.Errorf("grub defaults: %+v", bc)
	}
	if bc := readBootConfig(hosttest.Root(t, map[string]string{"etc/hostname": "x\n"})); bc.source != "" || bc.args != nil {
		t.Errorf("no configuration: %+v", bc)
	}
}
