package sysctl

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

func TestParseKernelVersion(t *testing.T) {
	for in, want := range map[string]kernelVersion{
		"5.14.0-427.13.1.el9_4.x86_64": {5, 14, 0},
		"3.10.0-1160.119.1.el7.x86_64": {3, 10, 0},
		"6.18.44-fc-v1252":             {6, 18, 44},
		"5.15.0-126-generic":           {5, 15, 0},
		"6.1":                          {6, 1, 0},
		"4.19-rc3":                     {4, 19, 0},
	} {
		got, ok := parseKernelVersion(in)
		if !ok || got != want {
			t.Errorf("ParseKernelVersion(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "linux", "x.1", "5"} {
		if _, ok := parseKernelVersion(bad); ok {
			t.Errorf("ParseKernelVersion(%q) ok", bad)
		}
	}
}

func TestKernelDefaultsAcrossVersions(t *testing.T) {
	cases := []struct {
		key     string
		version string // "" unknown
		arch    string
		want    string // "" no known default
	}{
		{"net.core.somaxconn", "3.10.0", "x86_64", "128"},
		{"net.core.somaxconn", "5.3.18", "x86_64", "128"},
		{"net.core.somaxconn", "5.4.0", "x86_64", "4096"},
		{"net.core.somaxconn", "6.18.44", "aarch64", "4096"},
		{"net.core.somaxconn", "", "x86_64", ""},
		{"net.ipv4.tcp_tw_reuse", "3.10.0", "x86_64", "0"},
		{"net.ipv4.tcp_tw_reuse", "4.17.19", "x86_64", "0"},
		{"net.ipv4.tcp_tw_reuse", "4.18.0", "x86_64", ""}, // distributions backported mode 2 differently
		{"net.ipv4.tcp_tw_reuse", "4.19.0", "x86_64", "2"},
		{"net.ipv4.tcp_tw_reuse", "6.1.0", "x86_64", "2"},
		{"fs.nr_open", "", "", "1048576"},
		{"fs.nr_open", "3.10.0", "x86_64", "1048576"},
		{"net.core.netdev_max_backlog", "", "", "1000"},
		{"net.core.rmem_max", "6.17.9", "x86_64", "212992"},
		{"net.core.rmem_max", "6.17.9", "aarch64", ""}, // SKB_TRUESIZE differs per architecture
		{"net.core.rmem_max", "6.18.0", "aarch64", "4194304"},
		{"net.core.wmem_max", "5.14.0", "x86_64", "212992"},
		{"vm.swappiness", "", "", "60"},
		{"net.ipv4.tcp_max_syn_backlog", "6.1.0", "x86_64", ""}, // computed from memory
		{"fs.file-max", "6.1.0", "x86_64", ""},                  // computed: fileMaxDefault
	}
	for _, c := range cases {
		v, known := parseKernelVersion(c.version)
		got, src, ok := kernelDefaultFor(c.key, v, known, c.arch)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s on %q/%s = %q %v, want %q", c.key, c.version, c.arch, got, ok, c.want)
		}
		if ok && src == "" {
			t.Errorf("%s: no source named", c.key)
		}
	}
}

func TestFileMaxDefaultBracketsTheKernelsComputation(t *testing.T) {
	// Measured on a Debian 12 VM, kernel 6.18: MemTotal 24683756 kB,
	// fs.file-max 2466286 with nothing setting it.
	lo, hi := fileMaxDefault(24683756)
	if 2466286 < lo || 2466286 > hi {
		t.Errorf("[%d, %d] does not contain the measured 2466286", lo, hi)
	}
	if lo, hi := fileMaxDefault(40000); lo != nrFile || hi != nrFile {
		t.Errorf("tiny machine: [%d, %d], want NR_FILE %d", lo, hi, nrFile)
	}
}

func TestSystemdBump(t *testing.T) {
	const longMax, intHalf = "9223372036854775807", "1073741816"
	k := func(s string) kernelVersion { v, _ := parseKernelVersion(s); return v }
	cases := []struct {
		name    string
		key     string
		version int
		kernel  string
		arch    string
		before  uint64
		want    string // "" unchanged
	}{
		{"before 240 nothing", "fs.file-max", 239, "5.4.0", "x86_64", 0, ""},
		{"243+ writes LONG_MAX", "fs.file-max", 252, "5.14.0", "x86_64", 0, longMax},
		{"243+ on 32 bit", "fs.file-max", 252, "5.14.0", "i686", 0, "2147483647"},
		{"240 on an old kernel: ULONG_MAX accepted", "fs.file-max", 241, "3.10.0", "x86_64", 0, "18446744073709551615"},
		{"240 on 5.2+: EINVAL, unchanged", "fs.file-max", 241, "5.4.0", "x86_64", 0, ""},
		{"240-242 on 4.14..5.1: stable backports, unknowable", "fs.file-max", 242, "4.19.0", "x86_64", 0, ""},
		{"nr_open halved once from INT_MAX", "fs.nr_open", 252, "5.14.0", "x86_64", 1048576, intHalf},
		{"nr_open on 32 bit", "fs.nr_open", 252, "5.14.0", "armv7l", 1048576, "1073741820"},
		{"nr_open 258 starts at the kernel maximum", "fs.nr_open", 258, "6.12.0", "x86_64", 1048576, "2147483584"},
		{"nr_open already larger", "fs.nr_open", 252, "5.14.0", "x86_64", 2000000000, ""},
		{"other keys untouched", "net.core.somaxconn", 252, "5.14.0", "x86_64", 4096, ""},
	}
	for _, c := range cases {
		sd := systemdInit{pid1: true, version: c.version}
		v, ok, _ := systemdBump(c.key, sd, k(c.kernel), true, c.arch, c.before, true)
		got := ""
		if ok {
			got = strconv.FormatUint(v, 10)
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if _, ok, _ := systemdBump("fs.file-max", systemdInit{pid1: false, version: 252}, k("5.14.0"), true, "x86_64", 0, true); ok {
		t.Error("systemd not PID 1 bumped fs.file-max")
	}
}

func TestDetectSystemdUnderARoot(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		pid1    bool
		version int
	}{
		{"RHEL 9 layout", map[string]string{
			"sbin":                    "->usr/sbin",
			"usr/sbin/init":           "->../lib/systemd/systemd",
			"usr/lib/systemd/systemd": "",
			"usr/lib64/systemd/libsystemd-shared-252-32.el9_4.so": "",
		}, true, 252},
		{"Debian 12 multiarch", map[string]string{
			"sbin/init":           "->/lib/systemd/systemd",
			"lib/systemd/systemd": "",
			"usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so": "",
		}, true, 252},
		{"Ubuntu 22.04", map[string]string{
			"sbin/init":                            "->/lib/systemd/systemd",
			"lib/systemd/systemd":                  "",
			"lib/systemd/libsystemd-shared-249.so": "",
		}, true, 249},
		{"no /sbin/init, systemd installed, version unknown", map[string]string{
			"usr/lib/systemd/systemd": "",
		}, true, 0},
		{"busybox init", map[string]string{
			"sbin/init":   "->/bin/busybox",
			"bin/busybox": "",
			"usr/lib/systemd/libsystemd-shared-252.so": "",
		}, false, 0},
		{"sysvinit binary", map[string]string{"sbin/init": "ELF"}, false, 0},
		{"init= on the command line wins", map[string]string{
			"sbin/init":                  "->/lib/systemd/systemd",
			"lib/systemd/systemd":        "",
			"boot/loader/entries/a.conf": "version 5.14.0\noptions ro init=/sbin/tini\n",
		}, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := mkroot(t, c.files)
			cl, _ := loadCmdline(h)
			sd := detectSystemd(h, cl.init())
			if sd.pid1 != c.pid1 || (c.pid1 && sd.version != c.version) {
				t.Errorf("%+v, want PID1 %v version %d", sd, c.pid1, c.version)
			}
		})
	}
}

func TestDetectSystemdOnThisMachineReadsProc1(t *testing.T) {
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	comm, err := os.ReadFile("/proc/1/comm")
	if err != nil {
		t.Skipf("/proc/1/comm unreadable: %v", err)
	}
	sd := detectSystemd(h, "")
	want := strings.TrimSpace(string(comm)) == "systemd" && !h.Exists("/run/systemd/container")
	if sd.pid1 != want {
		t.Errorf("PID1 = %v (%s), /proc/1/comm is %q", sd.pid1, sd.why, comm)
	}
}

func TestParseCmdline(t *testing.T) {
	got := parseCmdline(`ro quiet sysctl.vm.swappiness=10 "sysctl.kernel.msg=a b" sysctl/net/core/somaxconn=8192 foo="x y" bar sysctl.vm.swappiness=5 -- sysctl.fs.nr_open=1`)
	want := []cmdlineParam{
		{"ro", "", false}, {"quiet", "", false},
		{"sysctl.vm.swappiness", "10", true},
		{"sysctl.kernel.msg", "a b", true},
		{"sysctl/net/core/somaxconn", "8192", true},
		{"foo", "x y", true}, {"bar", "", false},
		{"sysctl.vm.swappiness", "5", true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseCmdline:\n got %+v\nwant %+v", got, want)
	}
	s := cmdlineSysctls(got, "/proc/cmdline")
	wantS := map[string]string{"vm.swappiness": "5", "kernel.msg": "a b", "net.core.somaxconn": "8192"}
	if len(s) != len(wantS) {
		t.Errorf("sysctls %+v", s)
	}
	for k, v := range wantS {
		if s[k].value != v {
			t.Errorf("%s = %q, want %q", k, s[k].value, v)
		}
	}
	for _, notSysctl := range []string{"sysctl", "sysctl=1", "sysctlx.a=1", "sysctl.=1", "sysctl.a.b"} {
		if m := cmdlineSysctls(parseCmdline(notSysctl), ""); len(m) != 0 {
			t.Errorf("%q: %+v", notSysctl, m)
		}
	}
}

// The next boot's line is facts.NextBoot's (where it comes from is tested
// there); sysctl reads its sysctl.* parameters as the kernel splits them.
func TestLoadCmdlineFromBootloaderFiles(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		from  string
		want  map[string]string
	}{
		{"/etc/default/grub", map[string]string{
			"etc/default/grub": "GRUB_TIMEOUT=5\nBASE=\"sysctl.vm.swappiness=1\"\nGRUB_CMDLINE_LINUX=\"$BASE crashkernel=auto sysctl.net.core.somaxconn=4096\"\nGRUB_CMDLINE_LINUX_DEFAULT='quiet sysctl.vm.swappiness=7' # comment\n",
		}, "/etc/default/grub", map[string]string{"net.core.somaxconn": "4096", "vm.swappiness": "7"}},
		{"BLS entry with $kernelopts from grubenv", map[string]string{
			"boot/grub2/grubenv":                  "# GRUB Environment Block\nkernelopts=root=/dev/vda1 ro sysctl.fs.file-max=3000000\nsaved_entry=abc-5.14.0\n#########\n",
			"boot/loader/entries/abc-5.14.0.conf": "title Rocky\nversion 5.14.0\nlinux /vmlinuz-5.14.0\noptions $kernelopts sysctl.vm.swappiness=3\n",
			"boot/loader/entries/abc-rescue.conf": "title rescue\nversion 0-rescue\noptions $kernelopts single\n",
			"etc/default/grub":                    "GRUB_CMDLINE_LINUX=\"sysctl.vm.swappiness=99\"\n",
		}, "/boot/loader/entries/abc-5.14.0.conf", map[string]string{"fs.file-max": "3000000", "vm.swappiness": "3"}},
		{"without saved_entry, the entry GRUB lists first: the newest", map[string]string{
			"boot/loader/entries/m-5.14.0-70.el9.conf": "version 5.14.0-70\noptions ro sysctl.vm.swappiness=1\n",
			"boot/loader/entries/m-5.14.0-80.el9.conf": "version 5.14.0-80\noptions ro \"sysctl.kernel.msg=a b\" sysctl.vm.swappiness=2 -- sysctl.fs.nr_open=1\n",
		}, "/boot/loader/entries/m-5.14.0-80.el9.conf", map[string]string{"vm.swappiness": "2", "kernel.msg": "a b"}},
		{"nothing", map[string]string{"etc/hostname": "x\n"}, "", map[string]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, problems := loadCmdline(mkroot(t, c.files))
			if cl.from != c.from || len(problems) != 0 {
				t.Errorf("from %q (%v), want %q", cl.from, problems, c.from)
			}
			got := map[string]string{}
			for k, v := range cmdlineSysctls(cl.params, cl.from) {
				got[k] = v.value
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("sysctls %v, want %v", got, c.want)
			}
		})
	}
}

// On this machine the next boot's line is its bootloader's, or, without
// bootloader files (a VM given its kernel, a container), /proc/cmdline.
func TestLoadCmdlineLiveWithoutBootloaderReadsProcCmdline(t *testing.T) {
	for _, f := range []string{"/etc/default/grub", "/boot/loader/entries"} {
		if _, err := os.Stat(f); err == nil {
			t.Skipf("this machine has %s", f)
		}
	}
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	cl, problems := loadCmdline(h)
	if len(problems) != 0 || cl.from != "/proc/cmdline" {
		t.Fatalf("%+v %v", cl, problems)
	}
	if !reflect.DeepEqual(cl.params, parseCmdline(string(data))) {
		t.Errorf("live command line differs from /proc/cmdline")
	}
}

// rhelTuned is the tuned layout of a RHEL VM: virtual-guest active,
// including throughput-performance, tuned.service enabled.
func rhelTuned(extra map[string]string) map[string]string {
	files := map[string]string{
		"etc/tuned/active_profile":                                 "virtual-guest\n",
		"etc/tuned/tuned-main.conf":                                "daemon = 1\n# reapply\nreapply_sysctl = 1\n",
		"etc/systemd/system/multi-user.target.wants/tuned.service": "->/usr/lib/systemd/system/tuned.service",
		"usr/lib/systemd/system/tuned.service":                     "[Service]\nExecStart=/usr/sbin/tuned -l -P\n",
		"usr/lib/tuned/virtual-guest/tuned.conf":                   "[main]\ninclude=throughput-performance\n\n[sysctl]\nvm.swappiness = 30\n",
		"usr/lib/tuned/throughput-performance/tuned.conf":          "[cpu]\ngovernor=performance\n\n[sysctl]\nvm.dirty_ratio = 40\nvm.swappiness=10\nnet.core.somaxconn = 2048 # inline\n",
	}
	for k, v := range extra {
		files[k] = v
	}
	return files
}

func TestLoadTunedIncludeChains(t *testing.T) {
	cases := []struct {
		name     string
		extra    map[string]string
		want     map[string]string // key -> value@profile
		enabled  bool
		reapply  bool
		problems bool
	}{
		{"virtual-guest includes throughput-performance; the includer wins", nil,
			map[string]string{"vm.swappiness": "30@virtual-guest", "vm.dirty_ratio": "40@throughput-performance", "net.core.somaxconn": "2048@throughput-performance"}, true, true, false},
		{"/etc/tuned overrides a profile and includes the shipped one of the same name", map[string]string{
			"etc/tuned/virtual-guest/tuned.conf": "[main]\ninclude=virtual-guest\n[sysctl]\nnet.core.somaxconn=65535\n",
		}, map[string]string{"vm.swappiness": "30@virtual-guest", "vm.dirty_ratio": "40@throughput-performance", "net.core.somaxconn": "65535@virtual-guest"}, true, true, false},
		{"replace drops the included unit's options", map[string]string{
			"usr/lib/tuned/virtual-guest/tuned.conf": "[main]\ninclude=throughput-performance\n[sysctl]\nreplace=1\nvm.swappiness = 30\n",
		}, map[string]string{"vm.swappiness": "30@virtual-guest"}, true, true, false},
		{"drop removes an option", map[string]string{
			"usr/lib/tuned/virtual-guest/tuned.conf": "[main]\ninclude=throughput-performance\n[sysctl]\ndrop=vm.dirty_ratio\n",
		}, map[string]string{"vm.swappiness": "10@throughput-performance", "net.core.somaxconn": "2048@throughput-performance"}, true, true, false},
		{"enabled=false disables the unit", map[string]string{
			"usr/lib/tuned/virtual-guest/tuned.conf": "[main]\ninclude=throughput-performance\n[sysctl]\nenabled=false\n",
		}, map[string]string{}, true, true, false},
		{"a custom section of type sysctl, variables and unevaluated functions", map[string]string{
			"usr/lib/tuned/virtual-guest/tuned.conf": "[variables]\nconns=131072\n[main]\n[net_tuning]\ntype=sysctl\nnet.core.somaxconn=${conns}\nnet.ipv4.tcp_rmem=${f:exec:/bin/true}\n",
		}, map[string]string{"net.core.somaxconn": "131072@virtual-guest"}, true, true, false},
		{"reapply_sysctl = 0 and tuned not enabled", map[string]string{
			"etc/tuned/tuned-main.conf":                                "reapply_sysctl = 0\n",
			"etc/systemd/system/multi-user.target.wants/tuned.service": "",
		}, map[string]string{"vm.swappiness": "30@virtual-guest", "vm.dirty_ratio": "40@throughput-performance", "net.core.somaxconn": "2048@throughput-performance"}, false, false, false},
		{"a missing include: tuned loads nothing", map[string]string{
			"usr/lib/tuned/virtual-guest/tuned.conf": "[main]\ninclude=nonexistent\n[sysctl]\nvm.swappiness=30\n",
		}, map[string]string{}, true, true, true},
		{"a line outside any section: tuned loads nothing", map[string]string{
			"usr/lib/tuned/virtual-guest/tuned.conf": "vm.swappiness=30\n[sysctl]\n",
		}, map[string]string{}, true, true, true},
		{"two active profiles merge in order", map[string]string{
			"etc/tuned/active_profile":       "virtual-guest net-tweak\n",
			"etc/tuned/net-tweak/tuned.conf": "[sysctl]\nvm.swappiness=1\n",
		}, map[string]string{"vm.swappiness": "1@net-tweak", "vm.dirty_ratio": "40@throughput-performance", "net.core.somaxconn": "2048@throughput-performance"}, true, true, false},
		{"an include loop ends: a profile loaded already is skipped", map[string]string{
			"usr/lib/tuned/throughput-performance/tuned.conf": "[main]\ninclude=virtual-guest\n[sysctl]\nvm.dirty_ratio=5\n",
		}, map[string]string{"vm.dirty_ratio": "5@throughput-performance", "vm.swappiness": "30@virtual-guest"}, true, true, false},
		{"an optional include (-name) that does not exist", map[string]string{
			"usr/lib/tuned/virtual-guest/tuned.conf": "[main]\ninclude=-site-extras\n[sysctl]\nvm.swappiness = 30\n",
		}, map[string]string{"vm.swappiness": "30@virtual-guest"}, true, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := rhelTuned(c.extra)
			if v, ok := c.extra["etc/systemd/system/multi-user.target.wants/tuned.service"]; ok && v == "" {
				delete(files, "etc/systemd/system/multi-user.target.wants/tuned.service")
			}
			tu, err := loadTuned(mkroot(t, files))
			if err != nil || tu == nil {
				t.Fatalf("%+v %v", tu, err)
			}
			got := map[string]string{}
			for k, v := range tu.sysctl {
				got[k] = v.value + "@" + v.profile
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("sysctls %v, want %v", got, c.want)
			}
			if tu.enabled != c.enabled || tu.reapply != c.reapply || (len(tu.problems) > 0) != c.problems {
				t.Errorf("enabled %v reapply %v problems %v", tu.enabled, tu.reapply, tu.problems)
			}
		})
	}
	if tu, err := loadTuned(mkroot(t, map[string]string{"etc/hostname": "x"})); tu != nil || err != nil {
		t.Errorf("no tuned: %+v %v", tu, err)
	}
}

func TestTunedAssignmentModifiers(t *testing.T) {
	for _, c := range []struct {
		value, current string
		known          bool
		want           string
		sets, ok       bool
	}{
		{"100", "5", true, "100", true, true},
		{">100", "5", true, "100", true, true},
		{">100", "500", true, "", false, true},
		{"<100", "500", true, "100", true, true},
		{">100", "", false, "", false, false},
		{">x", "5", true, "", false, true},
	} {
		v, sets, ok := tunedApply(c.value, c.current, c.known)
		if v != c.want || sets != c.sets || ok != c.ok {
			t.Errorf("tunedApply(%q, %q) = %q %v %v", c.value, c.current, v, sets, ok)
		}
	}
}

// TestBootOrder pins the order sources apply in at boot: command line,
// systemd, sysctl.d, tuned, tuned's reapply of /etc/sysctl.d.
func TestBootOrder(t *testing.T) {
	systemd := map[string]string{
		"proc/sys/kernel/osrelease":                  "5.14.0-427.el9.x86_64\n",
		"proc/sys/kernel/arch":                       "x86_64\n",
		"sbin/init":                                  "->/usr/lib/systemd/systemd",
		"usr/lib/systemd/systemd":                    "",
		"usr/lib64/systemd/libsystemd-shared-252.so": "",
	}
	with := func(m map[string]string, more map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for k, v := range more {
			out[k] = v
		}
		return out
	}
	cases := []struct {
		name   string
		files  map[string]string
		key    string
		value  string
		source string
	}{
		{"kernel default", systemd, "net.core.somaxconn", "4096", sourceKernelDefault},
		{"command line over the default", with(systemd, map[string]string{"boot/loader/entries/a.conf": "options ro sysctl.net.core.somaxconn=1024\n"}), "net.core.somaxconn", "1024", sourceCmdline},
		{"command line ignored before 5.8", with(systemd, map[string]string{"proc/sys/kernel/osrelease": "5.4.0\n", "boot/loader/entries/a.conf": "options sysctl.net.core.somaxconn=1024\n"}), "net.core.somaxconn", "4096", sourceKernelDefault},
		{"systemd over the default", systemd, "fs.nr_open", "1073741816", sourceSystemd},
		{"systemd does not lower a larger command-line nr_open", with(systemd, map[string]string{"boot/loader/entries/a.conf": "options sysctl.fs.nr_open=2000000000\n"}), "fs.nr_open", "2000000000", sourceCmdline},
		{"sysctl.d over systemd", with(systemd, map[string]string{"usr/lib/sysctl.d/50-x.conf": "fs.file-max = 5000000\n"}), "fs.file-max", "5000000", sourceSysctlD},
		{"tuned over /usr/lib/sysctl.d", rhelTuned(with(systemd, map[string]string{"usr/lib/sysctl.d/50-x.conf": "vm.swappiness = 60\n"})), "vm.swappiness", "30", sourceTuned},
		{"/etc/sysctl.d reapplied over tuned", rhelTuned(with(systemd, map[string]string{"etc/sysctl.d/50-x.conf": "vm.swappiness = 5\n"})), "vm.swappiness", "5", sourceSysctlD},
		{"/etc/sysctl.conf reapplied last", rhelTuned(with(systemd, map[string]string{"etc/sysctl.d/99-z.conf": "vm.swappiness = 5\n", "etc/sysctl.conf": "vm.swappiness = 6\n"})), "vm.swappiness", "6", sourceSysctlD},
		{"tuned over /etc/sysctl.d without reapply", rhelTuned(with(systemd, map[string]string{"etc/tuned/tuned-main.conf": "reapply_sysctl = 0\n", "etc/sysctl.d/50-x.conf": "vm.swappiness = 5\n"})), "vm.swappiness", "30", sourceTuned},
		{"tuned not enabled does nothing", func() map[string]string {
			m := rhelTuned(systemd)
			delete(m, "etc/systemd/system/multi-user.target.wants/tuned.service")
			return m
		}(), "vm.swappiness", "60", sourceKernelDefault},
		{"tuned > modifier raises", rhelTuned(with(systemd, map[string]string{"etc/tuned/virtual-guest/tuned.conf": "[sysctl]\nnet.core.somaxconn = >8192\n"})), "net.core.somaxconn", "8192", sourceTuned},
		{"tuned > modifier leaves a larger value", rhelTuned(with(systemd, map[string]string{"etc/tuned/virtual-guest/tuned.conf": "[sysctl]\nnet.core.somaxconn = >1024\n"})), "net.core.somaxconn", "4096", sourceKernelDefault},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := mkroot(t, c.files)
			cfg, err := readConfig(h)
			if err != nil {
				t.Fatal(err)
			}
			b := loadBootSources(h).resolve(c.key, cfg, "", false, "", false)
			if b.value != c.value || b.source != c.source {
				t.Errorf("%s = %q from %s (%s), want %q from %s", c.key, b.value, b.source, b.from, c.value, c.source)
			}
		})
	}
}

// BenchmarkLoadBootSources: the per-run cost of reading the boot-time
// setters (once per run, shared by all sysctl checks).
func BenchmarkLoadBootSources(b *testing.B) {
	for _, root := range []string{"/", "../../testdata/roots/rocky-9"} {
		h, err := host.New(root)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.ReplaceAll(strings.TrimPrefix(root, "../../testdata/roots/"), "/", "live"), func(b *testing.B) {
			for b.Loop() {
				loadBootSources(h)
			}
		})
	}
}
