package disk

import (
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
)

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"10GiB", "1.5T", "500MB", "0", "", "1e9", "..", "18446744073709551615", "16EiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseSize(s)
		_, _ = parseCount(s)
	})
}

// FuzzResolveStack feeds hostile sysfs values (rotational, model, the
// link targets of /sys/dev/block and slaves) to the resolver.
func FuzzResolveStack(f *testing.F) {
	f.Add("1\n", "ST2000\n", "../../devices/virtual/block/dm-0", "../../../../devices/x/block/sda/sda2")
	f.Add("0", "", "../../devices/x/block/sda", "/")
	f.Add("yes", "\xff\x00", "../../../..", "../../../../devices/virtual/block/dm-0")
	f.Fuzz(func(t *testing.T, rot, model, devLink, slaveLink string) {
		s := sysTree{
			"sys/dev/block/253:0":                        "->" + devLink,
			"sys/devices/virtual/block/dm-0/slaves/sda2": "->" + slaveLink,
			"sys/devices/x/block/sda/queue/rotational":   rot,
			"sys/devices/x/block/sda/device/model":       model,
			"sys/devices/x/block/sda/sda2/partition":     "2",
		}
		if devLink == "" || slaveLink == "" {
			return
		}
		h := hosttest.Root(t, s)
		_, _ = resolveStack(h, "253:0")
	})
}
