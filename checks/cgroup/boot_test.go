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

func TestGrubDefaultsAsShellReadsThem(t *testing.T) {
	vars := map[string]string{}
	parseShellAssignments([]byte(`# comment
GRUB_DISTRIBUTOR="$(sed 's, release .*$,,g' /etc/system-release)"
GRUB_DISTRIBUTOR2=`+"`lsb_release -i -s 2> /dev/null || echo Debian`"+`
GRUB_CMDLINE_LINUX="crashkernel=auto rd.lvm.lv=centos/root rhgb quiet"
GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX systemd.unified_cgroup_hierarchy=0"
GRUB_CMDLINE_LINUX_DEFAULT='quiet splash' # a comment
export GRUB_X=a\ b
GRUB_Y="${GRUB_X}!" ; echo
GRUB_Z=1 command
GRUB_BAD="unterminated
not an assignment
`), vars)
	want := map[string]string{
		"GRUB_DISTRIBUTOR":           "$(sed 's, release .*$,,g' /etc/system-release)",
		"GRUB_CMDLINE_LINUX":         "crashkernel=auto rd.lvm.lv=centos/root rhgb quiet systemd.unified_cgroup_hierarchy=0",
		"GRUB_CMDLINE_LINUX_DEFAULT": "quiet splash",
		"GRUB_X":                     "a b",
		"GRUB_Y":                     "a b!",
	}
	if !reflect.DeepEqual(vars, want) {
		t.Errorf("got  %q\nwant %q", vars, want)
	}
}

func TestBootConfigPrefersTheDefaultBLSEntry(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/default/grub":                          `GRUB_CMDLINE_LINUX="from-grub-default"` + "\n",
		"boot/loader/entries/m-5.14.0-70.el9.conf":  "title old\noptions root=/dev/x ro old\n",
		"boot/loader/entries/m-5.14.0-427.el9.conf": "title new\noptions root=/dev/x ro $kernelopts new\n",
		"boot/loader/entries/m-5.14.0-99.el9.conf":  "title mid\noptions mid\n",
		"boot/grub2/grubenv":                        "# GRUB Environment Block\nkernelopts=systemd.unified_cgroup_hierarchy=0 x\n",
	})
	bc := readBootConfig(h)
	if !strings.HasSuffix(bc.source, "m-5.14.0-427.el9.conf") || strings.Join(bc.args, " ") != "root=/dev/x ro systemd.unified_cgroup_hierarchy=0 x new" {
		t.Errorf("newest entry: %s %q", bc.source, bc.args)
	}
	h = hosttest.Root(t, map[string]string{
		"boot/loader/entries/m-5.14.0-70.el9.conf":  "options saved\n",
		"boot/loader/entries/m-5.14.0-427.el9.conf": "options newest\n",
		"boot/grub2/grubenv":                        "saved_entry=m-5.14.0-70.el9\n",
	})
	if bc := readBootConfig(h); strings.Join(bc.args, " ") != "saved" {
		t.Errorf("saved_entry: %s %q", bc.source, bc.args)
	}
	h = hosttest.Root(t, map[string]string{
		"etc/default/grub":               "GRUB_CMDLINE_LINUX=\"a\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"b\"\n",
		"etc/default/grub.d/50-x.cfg":    "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT c\"\n",
		"etc/default/grub.d/60-x.notcfg": "GRUB_CMDLINE_LINUX=ignored\n",
	})
	if bc := readBootConfig(h); bc.source != grubDefault || strings.Join(bc.args, " ") != "a b c" {
		t.Errorf("grub defaults: %s %q", bc.source, bc.args)
	}
	if bc := readBootConfig(hosttest.Root(t, map[string]string{"etc/hostname": "x\n"})); bc.source != "" || bc.args != nil {
		t.Errorf("no configuration: %+v", bc)
	}
}
