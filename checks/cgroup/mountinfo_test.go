package cgroup

import (
	"strings"
	"testing"
)

func TestParseMountInfoReadsKernelLines(t *testing.T) {
	data := "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n" +
		"37 1 0:40 / /mnt/with\\040space\\011tab rw shared:3 propagate_from:2 - tmpfs tmpfs rw\n" +
		"38 1 0:41 / /empty-source rw - cgroup2  rw\n" + // no optional fields, empty source
		"\n"
	mi := parseMountInfo([]byte(data))
	if len(mi.problems) != 0 {
		t.Fatalf("problems %q", mi.problems)
	}
	if len(mi.mounts) != 3 {
		t.Fatalf("%d mounts", len(mi.mounts))
	}
	m := mi.mounts[0]
	if m.id != 36 || m.parent != 35 || m.root != "/mnt1" || m.point != "/mnt2" || m.fsType != "ext3" || m.source != "/dev/root" || strings.Join(m.super, ",") != "rw,errors=continue" || m.line != 1 {
		t.Errorf("first mount %+v", m)
	}
	if p := mi.mounts[1].point; p != "/mnt/with space\ttab" {
		t.Errorf("escapes: %q", p)
	}
	if m := mi.mounts[2]; m.source != "" || m.fsType != "cgroup2" {
		t.Errorf("an empty source must not shift the fields: %+v", m)
	}
}

func TestParseMountInfoNamesBadLinesAndKeepsTheRest(t *testing.T) {
	cases := map[string]string{
		"no separator":         "1 0 8:1 / / rw ext4 /dev/sda1 rw",
		"separator too early":  "1 0 8:1 / - ext4 /dev/sda1 rw",
		"mount ID":             "x 0 8:1 / / rw - ext4 /dev/sda1 rw",
		"parent ID":            "1 -2 8:1 / / rw - ext4 /dev/sda1 rw",
		"device":               "1 0 81 / / rw - ext4 /dev/sda1 rw",
		"short escape":         `1 0 8:1 / /a\04 rw - ext4 /dev/sda1 rw`,
		"non-octal escape":     `1 0 8:1 / /a\999 rw - ext4 /dev/sda1 rw`,
		"relative mount point": "1 0 8:1 / a rw - ext4 /dev/sda1 rw",
		"too few after -":      "1 0 8:1 / / rw - ext4",
		"too many after -":     "1 0 8:1 / / rw - ext4 /dev/sda1 rw extra",
		"empty type":           "1 0 8:1 / / rw -  /dev/sda1 rw",
		"binary":               "\x7fELF\x02\x01\x00 - x y z",
		"too long":             "1 0 8:1 / /" + strings.Repeat("a", maxMountLine) + " rw - ext4 /dev/sda1 rw",
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			mi := parseMountInfo([]byte(v2Line + bad + "\n" + rootLine))
			if len(mi.problems) != 1 || !strings.HasPrefix(mi.problems[0], "line 2: ") {
				t.Fatalf("problems %q, want one about line 2", mi.problems)
			}
			if len(mi.mounts) != 2 || mi.mounts[1].line != 3 {
				t.Errorf("the good lines around it: %+v", mi.mounts)
			}
		})
	}
}

func TestParseMountInfoBoundsProblems(t *testing.T) {
	mi := parseMountInfo([]byte(strings.Repeat("junk\n", 100)))
	if len(mi.problems) != maxProblems || mi.skipped != 100-maxProblems {
		t.Errorf("%d named, %d skipped", len(mi.problems), mi.skipped)
	}
}

func TestDetectLayouts(t *testing.T) {
	cases := []struct {
		name    string
		lines   string
		mode    mode
		unified string
		v1      string // sorted controllers
	}{
		{"cgroup2 at the root is v2", rootLine + v2Line, v2, root, ""},
		{"tmpfs with v1 hierarchies is v1", v1Lines, v1, "", "blkio cpu cpuacct memory pids"},
		{"tmpfs with cgroup2 at unified is hybrid", hybridLine, hybrid, root + "/unified", "blkio cpu cpuacct memory pids"},
		{"systemd 232 hybrid: cgroup2 at /sys/fs/cgroup/systemd", rootLine + tmpfsLine + strings.Replace(systemdV1, "cgroup cgroup rw,xattr,name=systemd", "cgroup2 cgroup2 rw", 1) + memoryV1, hybrid, root + "/systemd", "memory"},
		{"a v1 hierarchy mounted at the root itself", rootLine + "25 18 0:21 / /sys/fs/cgroup rw - cgroup cgroup rw,cpu,cpuacct,memory\n", v1, "", "cpu cpuacct memory"},
		{"nothing mounted", rootLine, none, "", ""},
		{"an empty tmpfs", rootLine + tmpfsLine, none, "", ""},
		{"a later mount hides an earlier one", rootLine + tmpfsLine + memoryV1 + strings.Replace(v2Line, "30 24", "40 24", 1), v2, root, ""},
		{"a cgroup2 mount elsewhere is not the host's", rootLine + tmpfsLine + memoryV1 + "50 1 0:60 / /sys/fs/cgroup/memory/x rw - cgroup2 none rw\n", v1, "", "memory"},
		{"a container's cgroup2 at another path", rootLine + "50 1 0:60 / /run/c/cgroup rw - cgroup2 none rw\n", none, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mi := parseMountInfo([]byte(c.lines))
			if len(mi.problems) > 0 {
				t.Fatalf("fixture lines do not parse: %q", mi.problems)
			}
			l := detect(mi.mounts)
			if l.mode != c.mode || l.unified != c.unified || strings.Join(l.v1Names(), " ") != c.v1 {
				t.Errorf("mode %s unified %q v1 %q (%s)", l.mode, l.unified, l.v1Names(), l.describe())
			}
		})
	}
}
