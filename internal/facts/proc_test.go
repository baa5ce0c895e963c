package facts

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

func TestParseMeminfo(t *testing.T) {
	got := ParseMeminfo([]byte("MemTotal:       16318236 kB\nMemFree:  x kB\nHugePages_Total:       0\nMemTotal: 1 kB\nnoise\n\n"))
	want := map[string]uint64{"MemTotal": 16318236, "HugePages_Total": 0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseMeminfo = %v, want %v", got, want)
	}
}

func FuzzParseMeminfo(f *testing.F) {
	f.Add([]byte("MemTotal:       16318236 kB\nSwapTotal: 0 kB\n"))
	f.Add([]byte("MemTotal: 18446744073709551616 kB\n:\n: 1\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		for name := range ParseMeminfo(data) {
			if !strings.Contains(string(data), name+":") || strings.ContainsAny(name, " \t\n") {
				t.Fatalf("field name %q from %q", name, data)
			}
		}
	})
}

func TestMeminfoReadOncePerRun(t *testing.T) {
	h, log := rootWith(t, map[string]string{"proc/meminfo": "MemTotal: 2048 kB\n"})
	concurrently(func() {
		if m, err := Meminfo(h); err != nil || m["MemTotal"] != 2048 {
			t.Errorf("Meminfo = %v, %v", m, err)
		}
	})
	wantReadOnce(t, log, MeminfoPath)

	h, _ = rootWith(t, nil)
	if m, err := Meminfo(h); m != nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no /proc/meminfo: %v, %v", m, err)
	}
}

// Callers with different limits share one read, and each is answered as
// its own host.ReadFileLimit would answer.
func TestSysctlSharesOneReadAcrossLimits(t *testing.T) {
	h, log := rootWith(t, map[string]string{"proc/sys/fs/nr_open": "1048576\n", "proc/sys/kernel/big": strings.Repeat("9", 100)})
	plain, _ := rootWith(t, map[string]string{"proc/sys/fs/nr_open": "1048576\n", "proc/sys/kernel/big": strings.Repeat("9", 100)})
	concurrently(func() {
		for _, limit := range []int64{64, 4096, 64 << 10} {
			got, err := Sysctl(h, "fs/nr_open", limit)
			want, werr := plain.ReadFileLimit("/proc/sys/fs/nr_open", limit)
			if string(got) != string(want) || (err == nil) != (werr == nil) {
				t.Errorf("limit %d: %q, %v; host says %q, %v", limit, got, err, want, werr)
			}
		}
		got, err := Sysctl(h, "kernel/big", 64)
		_, werr := plain.ReadFileLimit("/proc/sys/kernel/big", 64)
		if got != nil || !errors.Is(err, host.ErrTooLarge) || err.Error() != werr.Error() {
			t.Errorf("over the limit: %q, %v; host says %v", got, err, werr)
		}
		if got, err := Sysctl(h, "kernel/big", 4096); len(got) != 100 || err != nil {
			t.Errorf("under the limit: %d bytes, %v", len(got), err)
		}
		if _, err := Sysctl(h, "vm/absent", 64); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("absent: %v", err)
		}
	})
	wantReadOnce(t, log, "/proc/sys/fs/nr_open", "/proc/sys/kernel/big", "/proc/sys/vm/absent")
}

func TestSysctlLimitAboveTheSharedReadIsABug(t *testing.T) {
	h, _ := rootWith(t, nil)
	defer func() {
		if recover() == nil {
			t.Error("no panic for a limit above 64 KiB")
		}
	}()
	Sysctl(h, "fs/nr_open", 1<<20)
}

func TestBootFileReadOncePerRun(t *testing.T) {
	grub := "GRUB_CMDLINE_LINUX=\"quiet\"\n"
	h, log := rootWith(t, map[string]string{"etc/default/grub": grub, "boot/grub2/grubenv": strings.Repeat("#", 70<<10)})
	concurrently(func() {
		if got, err := BootFile(h, "/etc/default/grub", 64<<10); string(got) != grub || err != nil {
			t.Errorf("grub = %q, %v", got, err)
		}
		// sysctl reads grubenv with 64 KiB, cgroup with 1 MiB.
		if _, err := BootFile(h, "/boot/grub2/grubenv", 64<<10); !errors.Is(err, host.ErrTooLarge) || !strings.Contains(err.Error(), "(65536 bytes)") {
			t.Errorf("grubenv at 64 KiB: %v", err)
		}
		if got, err := BootFile(h, "/boot/grub2/grubenv", 1<<20); len(got) != 70<<10 || err != nil {
			t.Errorf("grubenv at 1 MiB: %d bytes, %v", len(got), err)
		}
	})
	wantReadOnce(t, log, "/etc/default/grub", "/boot/grub2/grubenv")
}
