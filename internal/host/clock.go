package host

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// ErrNotLive is returned for a question only the running system answers
// (the kernel clock) when the host is rooted elsewhere: an image has no
// kernel to ask, and the machine golive runs on is not the image's.
var ErrNotLive = errors.New("needs the running system: a root directory has no kernel clock")

// KernelClock is the kernel's own view of its clock discipline, as
// adjtimex(2) reports it: the same whichever daemon (chronyd, ntpd,
// systemd-timesyncd) disciplines the clock.
type KernelClock struct {
	// Status is the STA_* bits; STA_UNSYNC set means no daemon has told the
	// kernel the clock is synchronised (or it stopped doing so).
	Status int32
	// State is adjtimex's return value: TIME_OK, TIME_INS, ..., TIME_ERROR.
	State int
	// MaxError and EstError are the kernel's maximum and estimated error.
	MaxError, EstError time.Duration
	// Offset is the remaining offset the kernel is slewing away.
	Offset time.Duration
}

// Unsynchronised reports STA_UNSYNC (or the TIME_ERROR state, which the
// kernel answers while STA_UNSYNC is set).
func (k KernelClock) Unsynchronised() bool {
	return k.Status&unix.STA_UNSYNC != 0 || k.State == unix.TIME_ERROR
}

// Clock reads the kernel clock state with adjtimex(2) and modes 0, which
// changes nothing and needs no privilege. Only the running system has one.
func (h *Host) Clock() (KernelClock, error) {
	if !h.Live() {
		return KernelClock{}, ErrNotLive
	}
	var tx unix.Timex // Modes 0: read only
	state, err := unix.Adjtimex(&tx)
	if err != nil {
		return KernelClock{}, err
	}
	k := KernelClock{
		Status: tx.Status, State: state,
		MaxError: time.Duration(tx.Maxerror) * time.Microsecond,
		EstError: time.Duration(tx.Esterror) * time.Microsecond,
	}
	// The offset is in microseconds unless STA_NANO says nanoseconds.
	if tx.Status&unix.STA_NANO != 0 {
		k.Offset = time.Duration(tx.Offset)
	} else {
		k.Offset = time.Duration(tx.Offset) * time.Microsecond
	}
	return k, nil
}
