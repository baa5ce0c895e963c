package mount

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// FuzzUnitName: any path gives a unit name of only the characters
// systemd allows in one, ending in .mount, never starting with ".".
func FuzzUnitName(f *testing.F) {
	for _, s := range []string{"/", "/data", "//a/./b/", "/.x", "/a b", "/é", "/a-b\\c", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		n := UnitName(p)
		if !strings.HasSuffix(n, ".mount") || strings.HasPrefix(n, ".") {
			t.Fatalf("%q -> %q", p, n)
		}
		for i := 0; i < len(n); i++ {
			c := n[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(":_.\\-", c) >= 0) {
				t.Fatalf("%q -> %q: byte %q", p, n, c)
			}
		}
	})
}

// FuzzFstabBoot: any fstab text gives a boot verdict for any path without
// a panic; the line a verdict cites exists.
func FuzzFstabBoot(f *testing.F) {
	f.Add("UUID=abc /data xfs noatime 0 0\n/dev/sdb1 /data ext4 noauto,x-systemd.automount 0 2\n", "/data")
	f.Add("# c\n  \n/dev/x\t/my\\040dir auto\n", "/my dir")
	f.Add("a b\n\\\\ / swap sw\n", "/")
	h, _ := host.New("/")
	f.Fuzz(func(t *testing.T, fstab, p string) {
		entries := facts.ParseFstab([]byte(fstab))
		e, ok := fstabEntry(entries, p)
		if !ok {
			return
		}
		if e.Line < 1 || e.Line > strings.Count(fstab, "\n")+1 {
			t.Fatalf("line %d", e.Line)
		}
		b := fromFstab(e)
		s := &spec{path: p, mounted: true, atBoot: true, fstype: "xfs", source: "/dev/vdb1", options: []string{"noatime", "rw"}}
		_ = differences(h, s, b.fstype, b.source, strings.Split(b.opts, ","), kernelDefault)
		_ = fstabLine(s)
	})
}
