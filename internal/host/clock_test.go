package host

import (
	"errors"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawAdjtimex reads the kernel clock through the raw system call, not
// through x/sys's wrapper that Clock uses: a second, independent read.
func rawAdjtimex(t *testing.T) (unix.Timex, int) {
	t.Helper()
	var tx unix.Timex
	r, _, errno := unix.Syscall(unix.SYS_ADJTIMEX, uintptr(unsafe.Pointer(&tx)), 0, 0)
	if errno != 0 {
		t.Fatalf("adjtimex: %v", errno)
	}
	return tx, int(r)
}

// TestClockAgreesWithTheKernel: Clock reports what adjtimex(2) says on
// this machine: the same STA_* bits and state, and errors within what the
// kernel adds between two reads (maxerror grows 500 µs a second while
// unsynchronised).
func TestClockAgreesWithTheKernel(t *testing.T) {
	h, err := New("/")
	if err != nil {
		t.Fatal(err)
	}
	before, state := rawAdjtimex(t)
	k, err := h.Clock()
	if err != nil {
		t.Fatal(err)
	}
	after, _ := rawAdjtimex(t)
	// STA_UNSYNC and STA_NANO are what Clock interprets; a daemon may flip
	// others (STA_PLL) between reads, but not these within microseconds.
	const bits = unix.STA_UNSYNC | unix.STA_NANO
	if k.Status&bits != before.Status&bits || k.Status&bits != after.Status&bits {
		t.Errorf("status %#x, raw reads %#x and %#x", k.Status, before.Status, after.Status)
	}
	wantUnsync := before.Status&unix.STA_UNSYNC != 0 || state == unix.TIME_ERROR
	if k.Unsynchronised() != wantUnsync {
		t.Errorf("Unsynchronised %v, raw status %#x state %d", k.Unsynchronised(), before.Status, state)
	}
	lo := time.Duration(min(before.Maxerror, after.Maxerror)) * time.Microsecond
	hi := time.Duration(max(before.Maxerror, after.Maxerror)) * time.Microsecond
	if k.MaxError < lo-time.Millisecond || k.MaxError > hi+time.Millisecond {
		t.Errorf("maxerror %v, raw reads %v and %v", k.MaxError, lo, hi)
	}
	if k.MaxError > 16*time.Second {
		t.Errorf("maxerror %v beyond the kernel's NTP_PHASE_LIMIT (16 s)", k.MaxError)
	}
	t.Logf("status %#x state %d maxerror %v esterror %v offset %v", k.Status, k.State, k.MaxError, k.EstError, k.Offset)
}

// TestClockNeedsTheRunningSystem: a root directory has no kernel clock,
// and this machine's is not the image's.
func TestClockNeedsTheRunningSystem(t *testing.T) {
	h, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Clock(); !errors.Is(err, ErrNotLive) {
		t.Fatalf("Clock under a root: %v, want ErrNotLive", err)
	}
}

func TestUnsynchronised(t *testing.T) {
	cases := []struct {
		k    KernelClock
		want bool
	}{
		{KernelClock{Status: unix.STA_PLL, State: unix.TIME_OK}, false},
		{KernelClock{Status: unix.STA_UNSYNC, State: unix.TIME_OK}, true},
		{KernelClock{Status: 0, State: unix.TIME_ERROR}, true},
	}
	for _, c := range cases {
		if got := c.k.Unsynchronised(); got != c.want {
			t.Errorf("%+v: %v, want %v", c.k, got, c.want)
		}
	}
}
