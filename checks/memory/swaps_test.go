package memory

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSwapsReadsKernelFormats(t *testing.T) {
	// 5.x+ writes two tabs between the columns, 3.10 one; both pad the name.
	newer := "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/swap.img                               file\t\t2097148\t\t0\t\t-2\n"
	older := "Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n/dev/dm-1                               partition\t2097148\t10240\t-2\n"
	escaped := "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/var/swap\\040file\\040(deleted)          file\t\t1024\t\t0\t\t-3\n/dev/zram0                              partition\t4096\t\t4\t\t100\n"
	cases := []struct {
		data string
		want []swap
	}{
		{newer, []swap{{Filename: "/swap.img", Type: "file", SizeKiB: 2097148, Priority: -2, Line: 2}}},
		{older, []swap{{Filename: "/dev/dm-1", Type: "partition", SizeKiB: 2097148, UsedKiB: 10240, Priority: -2, Line: 2}}},
		{escaped, []swap{{Filename: "/var/swap file (deleted)", Type: "file", SizeKiB: 1024, Priority: -3, Line: 2}, {Filename: "/dev/zram0", Type: "partition", SizeKiB: 4096, UsedKiB: 4, Priority: 100, Line: 3}}},
		{"Filename\tType\tSize\tUsed\tPriority\n", nil},
		{"", nil},
	}
	for _, c := range cases {
		s := parseSwaps([]byte(c.data))
		if len(s.problems) > 0 || !reflect.DeepEqual(s.areas, c.want) {
			t.Errorf("%q:\n%+v %q\nwant %+v", c.data, s.areas, s.problems, c.want)
		}
	}
}

func TestParseSwapsNamesBadLines(t *testing.T) {
	header := "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
	good := "/dev/sdb2 partition 100 0 -2\n"
	for name, bad := range map[string]string{
		"size":          "/dev/x partition lots 0 -2",
		"used":          "/dev/x partition 100 -1 -2",
		"used > size":   "/dev/x partition 100 200 -2",
		"priority":      "/dev/x partition 100 0 high",
		"few fields":    "/dev/x partition 100",
		"many fields":   "/dev/x partition 100 0 -2 extra",
		"relative name": "x partition 100 0 -2",
		"bad escape":    `/dev/\99 partition 100 0 -2`,
		"binary":        "\x00\x01\xff",
	} {
		s := parseSwaps([]byte(header + bad + "\n" + good))
		if len(s.problems) != 1 || !strings.HasPrefix(s.problems[0], "line 2: ") || len(s.areas) != 1 || s.areas[0].Line != 3 {
			t.Errorf("%s: areas %+v problems %q", name, s.areas, s.problems)
		}
	}
	s := parseSwaps([]byte(good))
	if len(s.problems) != 1 || !strings.Contains(s.problems[0], "header") || len(s.areas) != 1 {
		t.Errorf("no header: the line is still read, and the header named: %+v %q", s.areas, s.problems)
	}
	s = parseSwaps([]byte(header + strings.Repeat(good, 400)))
	if len(s.areas) != maxSwapLines-1 || len(s.problems) != 1 {
		t.Errorf("%d areas, %q: the kernel has at most 32", len(s.areas), s.problems)
	}
}

func TestParseFstabSwaps(t *testing.T) {
	fstab := `# /etc/fstab
/dev/mapper/rl-root     /                       xfs     defaults        0 0
UUID=3e4c-1d2a none swap defaults 0 0
#/dev/mapper/rl-swap     none                    swap    defaults        0 0
   /swap\040file none swap sw,noauto 0 0
/dev/sdb1 swap swap
LABEL=data /data ext4 defaults 0 2
broken
/dev/sdc1 none swap pri=10,discard
`
	got := parseFstabSwaps([]byte(fstab))
	var specs []string
	for _, e := range got {
		specs = append(specs, e.Spec+"|"+e.Options+"|"+map[bool]string{true: "noauto", false: "auto"}[e.NoAuto])
	}
	want := []string{"UUID=3e4c-1d2a|defaults|auto", "/swap file|sw,noauto|noauto", "/dev/sdb1|defaults|auto", "/dev/sdc1|pri=10,discard|auto"}
	if !reflect.DeepEqual(specs, want) {
		t.Errorf("%q", specs)
	}
	if got[0].Line != 3 || got[0].Text != "UUID=3e4c-1d2a none swap defaults 0 0" {
		t.Errorf("first: %+v", got[0])
	}
	if n := len(active(got)); n != 3 {
		t.Errorf("%d entries a boot activates", n)
	}
}
