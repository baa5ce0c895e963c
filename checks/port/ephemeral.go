package port

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/kerneltext"
	"github.com/golive-sh/golive/internal/remediate"
)

const (
	rangeKey    = "net.ipv4.ip_local_port_range"
	reservedKey = "net.ipv4.ip_local_reserved_ports"
)

type ephemeralCheck struct {
	engine.Base
	rule rule
	all  []rule // every port of the profile: one fix reserves them all
}

// portRange is an inclusive range of ports.
type portRange struct{ lo, hi uint16 }

func (r portRange) has(p uint16) bool { return p >= r.lo && p <= r.hi }

func (r portRange) String() string {
	if r.lo == r.hi {
		return strconv.Itoa(int(r.lo))
	}
	return fmt.Sprintf("%d-%d", r.lo, r.hi)
}

func (c *ephemeralCheck) Run(_ context.Context, h *host.Host) engine.Result {
	raw, err := facts.Sysctl(h, "net/ipv4/ip_local_port_range", 256)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return engine.Result{Status: engine.Skip, Message: "no running kernel under the root (no /proc/sys/net/ipv4/ip_local_port_range): an image's range is set when it boots"}
	case h.NeedsRoot(err):
		return engine.SkipNeedsRoot(engine.Result{}, err)
	case err != nil:
		return engine.Result{Status: engine.Error, Message: err.Error()}
	}
	eph, err := parsePortRange(string(raw))
	if err != nil {
		return engine.Result{Status: engine.Error, Message: "/proc/sys/net/ipv4/ip_local_port_range: " + err.Error()}
	}
	var reserved []portRange
	raw, err = facts.Sysctl(h, "net/ipv4/ip_local_reserved_ports", 64<<10)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Absent on kernels before 2.6.35 and in a root that did not keep it: nothing reserved.
	case err != nil:
		return engine.Result{Status: engine.Error, Message: err.Error()}
	default:
		if reserved, err = parsePortList(string(raw)); err != nil {
			return engine.Result{Status: engine.Error, Message: "/proc/sys/net/ipv4/ip_local_reserved_ports: " + err.Error()}
		}
	}
	return judgeEphemeral(c.rule, c.all, eph, reserved)
}

func judgeEphemeral(r rule, all []rule, eph portRange, reserved []portRange) engine.Result {
	res := engine.Result{Details: map[string]any{"ip_local_port_range": eph.String(), "ip_local_reserved_ports": joinRanges(reserved)}}
	switch {
	case !eph.has(r.Port):
		res.Status, res.Observed = engine.Pass, fmt.Sprintf("outside %s", eph)
		res.Message = fmt.Sprintf("%d is outside the ephemeral range %s (%s)", r.Port, eph, rangeKey)
		return res
	case inAny(reserved, r.Port):
		res.Status, res.Observed = engine.Pass, "reserved"
		res.Message = fmt.Sprintf("%d is inside the ephemeral range %s but reserved (%s)", r.Port, eph, reservedKey)
		return res
	}
	res.Status, res.Observed = engine.Warn, fmt.Sprintf("inside %s, not reserved", eph)
	res.Message = fmt.Sprintf("%d is inside the ephemeral range %s and not in %s: an outgoing connection can take it before the service binds it", r.Port, eph, reservedKey)
	value := reserve(reserved, all, eph)
	res.Remediation = &remediate.Plan{
		Summary: "reserve the service's ports in " + reservedKey,
		Actions: []remediate.Action{remediate.SetSysctl(reservedKey, value)},
	}
	return res
}

// reserve is the reserved list with every service port inside the
// ephemeral range added: the same value from every port's check, so two
// fixes of one run do not undo each other.
func reserve(reserved []portRange, all []rule, eph portRange) string {
	out := slices.Clone(reserved)
	for _, r := range all {
		if eph.has(r.Port) && !inAny(out, r.Port) {
			out = append(out, portRange{r.Port, r.Port})
		}
	}
	slices.SortFunc(out, func(a, b portRange) int { return int(a.lo) - int(b.lo) })
	return joinRanges(out)
}

func inAny(rs []portRange, p uint16) bool {
	return slices.ContainsFunc(rs, func(r portRange) bool { return r.has(p) })
}

func joinRanges(rs []portRange) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.String()
	}
	return strings.Join(s, ",")
}

// parsePortRange reads ip_local_port_range: "32768\t60999".
func parsePortRange(s string) (portRange, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return portRange{}, fmt.Errorf("%q is not two ports", clip(s))
	}
	lo, err1 := strconv.ParseUint(f[0], 10, 16)
	hi, err2 := strconv.ParseUint(f[1], 10, 16)
	if err1 != nil || err2 != nil || lo > hi {
		return portRange{}, fmt.Errorf("%q is not a range of ports (low high)", clip(s))
	}
	return portRange{uint16(lo), uint16(hi)}, nil
}

// maxReserved bounds the entries of ip_local_reserved_ports read.
const maxReserved = 4096

// parsePortList reads ip_local_reserved_ports: "8080,9000-9010", or empty.
func parsePortList(s string) ([]portRange, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	items := strings.SplitN(s, ",", maxReserved+1)
	if len(items) > maxReserved {
		return nil, fmt.Errorf("more than %d entries", maxReserved)
	}
	out := make([]portRange, 0, len(items))
	for _, it := range items {
		a, b, isRange := strings.Cut(strings.TrimSpace(it), "-")
		lo, err := strconv.ParseUint(a, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("%q is not a port or range", clip(it))
		}
		hi := lo
		if isRange {
			if hi, err = strconv.ParseUint(b, 10, 16); err != nil || hi < lo {
				return nil, fmt.Errorf("%q is not a port or range", clip(it))
			}
		}
		out = append(out, portRange{uint16(lo), uint16(hi)})
	}
	return out, nil
}

func clip(s string) string { return kerneltext.Clip(s, 64) }
