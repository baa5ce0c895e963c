package rlimit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// capSysResource is CAP_SYS_RESOURCE's bit (linux/capability.h).
const capSysResource = 24

// pid1Limits is what systemd as PID 1 can give a service: a service's
// process is forked from PID 1 and inherits its limits, and systemd sets
// the unit's Limit*= with setrlimit_closest(): when the kernel refuses a
// value (EPERM: raising a hard limit without CAP_SYS_RESOURCE, or NOFILE
// above fs.nr_open), it sets min(value, PID 1's hard limit) instead.
type pid1Limits struct {
	known      bool
	canRaise   bool // PID 1 has CAP_SYS_RESOURCE in its effective set
	limits     procLimits
	why        string // why it is unknown
	capEffHex  string
	limitsFile string
	statusFile string
}

func readPID1(h *host.Host) *pid1Limits {
	p := &pid1Limits{limitsFile: "/proc/1/limits", statusFile: "/proc/1/status"}
	status, err := h.ReadFileLimit(p.statusFile, 64<<10)
	if err != nil {
		p.why = err.Error()
		return p
	}
	capEff, bits, err := parseCapEff(status)
	if err != nil {
		p.why = p.statusFile + ": " + err.Error()
		return p
	}
	data, err := h.ReadFileLimit(p.limitsFile, maxProcLimits)
	if err != nil {
		p.why = err.Error()
		return p
	}
	p.limits, _ = ParseProcLimits(data)
	p.capEffHex = capEff
	p.canRaise = bits&(1<<capSysResource) != 0
	p.known = true
	return p
}

// cap lowers a limit the way setrlimit_closest() does in the service's
// process: above what the kernel lets PID 1's child set, it gets
// min(value, PID 1's hard limit). nrOpen is fs.nr_open (NOFILE only).
func (p *pid1Limits) cap(r resource, l Limit, nrOpen nrOpen) (Limit, string) {
	if !p.known {
		return l, ""
	}
	ceiling, ok := p.limits[r.proc]
	if !ok {
		return l, ""
	}
	top := ceiling.Hard
	refused := l.Hard > top && !p.canRaise
	why := fmt.Sprintf("systemd (PID 1) lacks CAP_SYS_RESOURCE (CapEff %s) and its own hard %s limit is %s", p.capEffHex, r.name, formatValue(top))
	if r.name == "nofile" && nrOpen.known && l.Hard > nrOpen.value {
		refused = true
		why = fmt.Sprintf("fs.nr_open is %d and systemd (PID 1)'s own hard nofile limit is %s", nrOpen.value, formatValue(top))
	}
	if !refused || top == Infinity {
		return l, ""
	}
	capped := Limit{Soft: min(l.Soft, top), Hard: min(l.Hard, top)}
	return capped, fmt.Sprintf("%s is more than systemd can give: %s, so the kernel refuses it and systemd sets %s (setrlimit_closest)", l, why, capped)
}

// parseCapEff reads the effective capability set from /proc/<pid>/status
// ("CapEff:\t000001ffffffffff").
func parseCapEff(status []byte) (string, uint64, error) {
	capEff, found := "", false
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			capEff, found = strings.TrimSpace(v), true
		}
	}
	if !found {
		return "", 0, fmt.Errorf("no CapEff line")
	}
	bits, err := strconv.ParseUint(capEff, 16, 64)
	if err != nil {
		return "", 0, fmt.Errorf("CapEff %q is not a capability mask", truncate(capEff, 40))
	}
	return capEff, bits, nil
}
