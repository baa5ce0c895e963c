package cgroup

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/facts"
)

// addFixtures seeds a fuzz target with a file of every fixture root.
func addFixtures(f *testing.F, rel string) {
	for _, root := range []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"} {
		if data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "roots", root, rel)); err == nil {
			f.Add(data)
		}
	}
}

// FuzzParseMountInfo: any bytes give mounts and problems, never a panic;
// what is kept is well formed, and the layout is decided.
func FuzzParseMountInfo(f *testing.F) {
	addFixtures(f, "proc/self/mountinfo")
	f.Add([]byte(hybridLine))
	f.Add([]byte("38 1 0:41 / /a\\040b rw - cgroup2  rw\n"))
	f.Add([]byte("1 0 8:1 / / rw a b c d - ext4 /dev/sda1 rw\n1 0 8:1 / /\\"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		mi := parseMountInfo(data)
		if len(mi.problems) > maxProblems {
			t.Fatalf("%d problems kept", len(mi.problems))
		}
		for _, m := range mi.mounts {
			if !strings.HasPrefix(m.point, "/") || !strings.HasPrefix(m.root, "/") || m.fsType == "" || m.line < 1 {
				t.Fatalf("kept a malformed mount %+v", m)
			}
		}
		l := detect(mi.mounts)
		if l.mode == v2 && l.unified != root || l.mode == hybrid && l.unified == "" {
			t.Fatalf("layout %+v", l)
		}
		_ = l.describe()
	})
}

// FuzzUnitValues feeds unit-file values to every parser of resource
// directives: no panic, and plain numbers mean what they say.
func FuzzUnitValues(f *testing.F) {
	for _, s := range []string{"2G", "1536M", "1.5G", "1G 512M", "infinity", "50%", "12.5%", "5‰", "1‱", "150%", "4096", "0", "",
		"18446744073709551615", "16E", "1 2", "0.0000000000000000001K", "%", "-1", "1e3", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
		if err == nil && digits(s) {
			if want, perr := strconv.ParseUint(s, 10, 64); perr != nil || want != n {
				t.Fatalf("ParseSize(%q) = %d, want %d (%v)", s, n, want, perr)
			}
		}
		if err == nil {
			if again, err := parseSize(strconv.FormatUint(n, 10)); err != nil || again != n {
				t.Fatalf("ParseSize(%d) = %d, %v", n, again, err)
			}
		}
		if v, err := parseMemoryLimit(s); err == nil && v.isShare && v.permyriad > 10000 {
			t.Fatalf("ParseMemoryLimit(%q) = %+v: more than 100%%", s, v)
		}
		if v, err := parseTasksMax(s); err == nil && !v.infinity && !v.isShare && v.n == 0 {
			t.Fatalf("ParseTasksMax(%q) = 0", s)
		}
		if q, err := parseCPUQuota(s); err == nil && q.Sign() <= 0 {
			t.Fatalf("ParseCPUQuota(%q) = %v", s, q)
		}
	})
}

// FuzzParseCPUList: a count between 1 and the kernel's maximum, or an error.
func FuzzParseCPUList(f *testing.F) {
	addFixtures(f, "sys/devices/system/cpu/online")
	for _, s := range []string{"0-3,8,10-11", "0-8191", "1 3 5", "3-1", "", "0--1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := parseCPUList(string(data))
		if err == nil && (n < 1 || n > maxCPUs) {
			t.Fatalf("%d CPUs", n)
		}
	})
}

// FuzzBootConfig: /etc/default/grub and kernel command lines, as the
// version check reads them.
func FuzzBootConfig(f *testing.F) {
	addFixtures(f, "etc/default/grub")
	f.Add([]byte("GRUB_CMDLINE_LINUX=\"a \\\"b c\\\" ${X} $Y systemd.unified_cgroup_hierarchy=0\"\nGRUB_CMDLINE_LINUX_DEFAULT='x'\n"))
	f.Add([]byte("X=\"unterminated\nY=${\nZ=$\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		vars := map[string]string{}
		facts.ParseShellAssignments(data, vars)
		args := append(splitCmdline(vars["GRUB_CMDLINE_LINUX"]), splitCmdline(string(data))...)
		for _, a := range args {
			if a == "" {
				t.Fatal("an empty argument")
			}
		}
		if m, _ := bootMode(args, v2); m != v2 && m != v1 && m != hybrid {
			t.Fatalf("mode %q", m)
		}
		if edits, ok := grubEdits(vars); !ok || !strings.Contains(edits[0].Line, "systemd.unified_cgroup_hierarchy=1") {
			t.Fatalf("edits %+v", edits)
		}
	})
}

// FuzzLiveValues: what a cgroup interface file may hold.
func FuzzLiveValues(f *testing.F) {
	for _, s := range []string{"max", "2147483648", "max 100000", "150000 100000", "0 0", "-1", "18446744073709551616", "1 2 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range knobs {
			if a, err := parseV2(k, s); err == nil && !a.Max && a.V.Sign() < 0 {
				t.Fatalf("%s %q = %s", k.Name, s, a.text())
			}
		}
	})
}
