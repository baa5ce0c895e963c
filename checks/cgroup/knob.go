package cgroup

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/golive-sh/golive/internal/expect"
)

// quantity is what a knob measures; it decides how values are written and
// shown.
type quantity int

const (
	bytesQ quantity = iota
	coresQ          // CPU cores: cpu.max quota / period
	countQ          // tasks
)

// knob is one cgroup v2 interface file golive judges, with the systemd
// directives that set it (systemd.resource-control(5)).
type knob struct {
	Name       string // the cgroup v2 file: memory.max
	Controller string
	Directive  string // MemoryMax
	// Legacy is the directive systemd before 231 knows for the same
	// limit (CentOS 7's systemd 219): MemoryLimit=. Newer systemd still
	// honours it when the new one is unset.
	Legacy string
	// V2Only knobs have no v1 equivalent.
	V2Only bool
	Q      quantity
	// Unset is the value when no directive sets it (nil: systemd's
	// DefaultTasksMax=, resolved separately).
	Unset *amount
	Why   string
}

var knobs = []knob{
	{
		Name: "memory.max", Controller: "memory", Directive: "MemoryMax", Legacy: "MemoryLimit", Q: bytesQ, Unset: &amount{Max: true},
		Why: "the hard memory limit: above it the kernel's OOM killer ends the service inside its cgroup instead of letting a leak take the " +
			"whole host down; a Go service should also get GOMEMLIMIT below it so the GC works harder before the kill",
	},
	{
		Name: "memory.high", Controller: "memory", Directive: "MemoryHigh", V2Only: true, Q: bytesQ, Unset: &amount{Max: true},
		Why: "the throttle point below memory.max: above it the kernel reclaims aggressively and slows the service instead of killing it " +
			"(systemd.resource-control(5)); it exists only on cgroup v2",
	},
	{
		Name: "memory.low", Controller: "memory", Directive: "MemoryLow", V2Only: true, Q: bytesQ, Unset: &amount{V: new(big.Rat)},
		Why: "memory protected from reclaim while the host is under pressure (systemd.resource-control(5)); it exists only on cgroup v2",
	},
	{
		Name: "cpu.max", Controller: "cpu", Directive: "CPUQuota", Q: coresQ, Unset: &amount{Max: true},
		Why: "the CPU bandwidth limit, in cores: a Go service runs GOMAXPROCS threads at once, and when GOMAXPROCS exceeds the quota the " +
			"kernel throttles the whole service for the rest of each period — latency spikes. Go 1.25+ sets GOMAXPROCS from the quota " +
			"(rounded up, at least 2); older Go uses every online CPU (the runtime package's GOMAXPROCS documentation)",
	},
	{
		Name: "pids.max", Controller: "pids", Directive: "TasksMax", Q: countQ,
		Why: "the limit on the service's processes and threads: a Go service starts an OS thread per blocking syscall and cgo call, and " +
			"at the limit thread creation fails and the runtime aborts (\"failed to create new OS thread\")",
	},
}

func knobByName(name string) (knob, bool) {
	for _, k := range knobs {
		if k.Name == name {
			return k, true
		}
	}
	return knob{}, false
}

func knobNames() []string {
	out := make([]string, len(knobs))
	for i, k := range knobs {
		out[i] = k.Name
	}
	return out
}

func (k knob) directives() string {
	d := k.Directive + "="
	switch {
	case k.Legacy != "":
		d += ", or " + k.Legacy + "= on systemd before 231 and when " + k.Directive + "= is unset"
	case k.Q == coresQ:
		d += ", CPUQuotaPeriodSec="
	case k.Q == countQ:
		d += ", else DefaultTasksMax= in /etc/systemd/system.conf and system.conf.d"
	}
	return d
}

func (k knob) v1Files() string {
	switch k.Name {
	case "memory.max":
		return "memory.limit_in_bytes"
	case "cpu.max":
		return "cpu.cfs_quota_us and cpu.cfs_period_us"
	case "pids.max":
		return "pids.max"
	}
	return "nothing"
}

func (k knob) readsMore() string {
	switch k.Q {
	case coresQ:
		return "/sys/devices/system/cpu/online (or, live, the CPUs golive may run on), CPUAffinity= and GOMAXPROCS/GODEBUG in the unit's environment, and the Go build information of service.binaries, for the GOMAXPROCS the service will run with"
	case bytesQ:
		return "/proc/meminfo (MemTotal) for a percentage"
	}
	return "/proc/sys/kernel/pid_max and threads-max for a percentage"
}

// amount is a knob's value: a number (bytes, cores, tasks) or unlimited.
type amount struct {
	Max bool
	V   *big.Rat
}

func num(n int64) amount { return amount{V: big.NewRat(n, 1)} }

func (a amount) cmp(b amount) int {
	switch {
	case a.Max && b.Max:
		return 0
	case a.Max:
		return 1
	case b.Max:
		return -1
	}
	return a.V.Cmp(b.V)
}

// text is the value as a profile writes it: an integer, cores with up to
// three decimals, or max.
func (a amount) text() string {
	if a.Max {
		return "max"
	}
	if a.V.IsInt() {
		return a.V.Num().String()
	}
	return strings.TrimRight(strings.TrimRight(a.V.FloatString(3), "0"), ".")
}

// show is the value for Observed: bytes also in binary units.
func (a amount) show(q quantity) string {
	if a.Max {
		return "max"
	}
	switch q {
	case bytesQ:
		if !a.V.IsInt() || a.V.Sign() == 0 {
			return a.text()
		}
		return a.text() + " (" + humanBytes(a.V.Num()) + ")"
	case coresQ:
		if a.V.Cmp(big.NewRat(1, 1)) == 0 {
			return "1 core"
		}
		return a.text() + " cores"
	}
	return a.text()
}

func humanBytes(n *big.Int) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v := new(big.Rat).SetInt(n)
	i := 0
	for i < len(units)-1 && v.Cmp(big.NewRat(1024, 1)) >= 0 {
		v.Quo(v, big.NewRat(1024, 1))
		i++
	}
	s := strings.TrimRight(strings.TrimRight(v.FloatString(2), "0"), ".")
	return s + " " + units[i]
}

// knobExpect is a rule's expectation with its operands parsed for the
// knob's quantity, so that max compares as unlimited: "<= 2147483648"
// fails on max, ">= 4096" holds for max, "!= max" asks for any limit.
type knobExpect struct {
	op   expect.Op
	alts []amount // the operand, or the alternatives of in
}

func compileExpect(k knob, e expect.Expectation) (knobExpect, error) {
	ke := knobExpect{op: e.Op}
	operands := [][]string{e.Fields}
	if e.Op == expect.In {
		operands = e.Set
	}
	for _, f := range operands {
		if len(f) != 1 {
			return ke, fmt.Errorf("one value per alternative, not %q", strings.Join(f, " "))
		}
		a, err := parseOperand(k.Q, f[0])
		if err != nil {
			return ke, err
		}
		if a.Max && e.Op != expect.EQ && e.Op != expect.NE && e.Op != expect.In {
			return ke, errors.New("max (unlimited) can only be compared with ==, != or in [...]")
		}
		ke.alts = append(ke.alts, a)
	}
	return ke, nil
}

// parseOperand reads a value written in a profile: max (or infinity), a
// non-negative integer, or for cores also a decimal such as 1.5.
func parseOperand(q quantity, s string) (amount, error) {
	switch s {
	case "max", "infinity":
		return amount{Max: true}, nil
	}
	unit := map[quantity]string{bytesQ: "bytes", coresQ: "CPU cores", countQ: "tasks"}[q]
	r, ok := decimal(s)
	if !ok {
		return amount{}, fmt.Errorf("%q is not a number of %s or max", s, unit)
	}
	if q != coresQ && !r.IsInt() {
		return amount{}, fmt.Errorf("%q: %s are whole numbers (write sizes in bytes: 2 GiB is 2147483648)", s, unit)
	}
	return amount{V: r}, nil
}

// decimal parses digits with at most one decimal point between digits
// (big.Rat alone would also take 1e3, 0x10 and 1/2).
func decimal(s string) (*big.Rat, bool) {
	intPart, frac, hasDot := strings.Cut(s, ".")
	if len(s) > 40 || !digits(intPart) || hasDot && !digits(frac) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// holds reports whether a satisfies the expectation.
func (e knobExpect) holds(a amount) bool {
	switch e.op {
	case expect.EQ:
		return a.cmp(e.alts[0]) == 0
	case expect.NE:
		return a.cmp(e.alts[0]) != 0
	case expect.In:
		for _, alt := range e.alts {
			if a.cmp(alt) == 0 {
				return true
			}
		}
		return false
	}
	c := a.cmp(e.alts[0])
	switch e.op {
	case expect.GE:
		return c >= 0
	case expect.GT:
		return c > 0
	case expect.LE:
		return c <= 0
	case expect.LT:
		return c < 0
	}
	return false
}

// fix is the value a remediation sets: the bound itself for >=, <=, ==,
// the first alternative of in, one past the bound for > and < on whole
// numbers. ok is false when no single value follows (!=, strict bounds on
// cores).
func (e knobExpect) fix(q quantity) (amount, bool) {
	b := e.alts[0]
	switch e.op {
	case expect.GE, expect.LE, expect.EQ, expect.In:
		return b, true
	case expect.GT, expect.LT:
		if q == coresQ || b.Max {
			return amount{}, false
		}
		d := big.NewRat(1, 1)
		if e.op == expect.LT {
			if b.V.Sign() == 0 {
				return amount{}, false
			}
			d.Neg(d)
		}
		return amount{V: new(big.Rat).Add(b.V, d)}, true
	}
	return amount{}, false
}
