package cgroup

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// onlineCPUs is where the kernel lists the CPUs that run tasks.
const onlineCPUs = "/sys/devices/system/cpu/online"

// maxCPUs bounds a CPU list: the kernel's NR_CPUS is at most 8192.
const maxCPUs = 8192

// parseCPUList reads a kernel CPU list ("0-3,8,10-11") or systemd's
// CPUAffinity= (the same, with spaces allowed as separators) and returns
// how many CPUs it names.
func parseCPUList(s string) (int, error) {
	type span struct{ lo, hi int }
	var spans []span
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		lo, hi, isRange := strings.Cut(item, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 || a >= maxCPUs {
			return 0, fmt.Errorf("%q is not a CPU number", clip(item))
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a || b >= maxCPUs {
				return 0, fmt.Errorf("%q is not a CPU range", clip(item))
			}
		}
		spans = append(spans, span{a, b})
	}
	if len(spans) == 0 {
		return 0, errors.New("no CPU listed")
	}
	// Overlaps count once: merge the sorted spans.
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	n, end := 0, -1
	for _, sp := range spans {
		if sp.lo > end {
			n += sp.hi - sp.lo + 1
		} else if sp.hi > end {
			n += sp.hi - end
		}
		end = max(end, sp.hi)
	}
	return n, nil
}

// cpuCount is how many CPUs the host has online and where that came from;
// 0 when unknown (an image).
func cpuCount(h *host.Host) (int, string) {
	data, err := h.ReadFileLimit(onlineCPUs, 64<<10)
	if err == nil {
		if n, err := parseCPUList(string(data)); err == nil {
			return n, onlineCPUs
		}
	}
	if h.Live() {
		return runtime.NumCPU(), "runtime.NumCPU (the CPUs golive may run on)"
	}
	return 0, ""
}

// goMaxProcs is what the Go runtime picks as GOMAXPROCS for the service.
type goMaxProcs struct {
	cpus int // the CPUs the service may run on: online, or CPUAffinity=
	// aware and Before are the defaults of a Go 1.25+ runtime (cgroup
	// aware: ceil(quota), at least 2, at most CPUs; runtime/cgroup_linux.go
	// adjustCgroupGOMAXPROCS) and of older ones (CPUs).
	aware, before int
	// env is GOMAXPROCS from the unit's environment (0: unset), which
	// overrides both.
	env       int
	envSource string
	// binaries are the service binaries' Go versions and which default
	// they get.
	binaries []goBinary
}

type goBinary struct {
	Path      string `json:"path"`
	GoVersion string `json:"go_version,omitempty"`
	Aware     bool   `json:"cgroup_aware"`
	Why       string `json:"why"`
}

// awareProcs is Go 1.25's default for a quota of q cores on n CPUs.
func awareProcs(q amount, n int) int {
	if q.Max {
		return n
	}
	c := new(big.Int).Quo(q.V.Num(), q.V.Denom())
	if !q.V.IsInt() {
		c.Add(c, big.NewInt(1))
	}
	limit := int64(2)
	if c.IsInt64() && c.Int64() > limit {
		limit = c.Int64()
	}
	if int64(n) < limit {
		return n
	}
	return int(limit)
}

// goRuntime works out GOMAXPROCS for a quota.
func goRuntime(h *host.Host, f *unit.File, section string, env *unit.Environment, q amount, online int, binaries []string) goMaxProcs {
	g := goMaxProcs{cpus: online}
	if v, ok := f.Last(section, "CPUAffinity"); ok {
		if n, err := parseCPUList(v); err == nil && (online == 0 || n < online) {
			g.cpus = n
		}
	}
	if g.cpus > 0 {
		g.aware, g.before = awareProcs(q, g.cpus), g.cpus
	}
	if v, ok := env.Lookup("GOMAXPROCS"); ok {
		if n, err := strconv.Atoi(v.Value); err == nil && n > 0 {
			g.env, g.envSource = n, v.Source
		}
	}
	godebugOff := false
	if v, ok := env.Lookup("GODEBUG"); ok && hasSetting(v.Value, "containermaxprocs=0") {
		godebugOff = true
	}
	for _, b := range binaries {
		g.binaries = append(g.binaries, inspectBinary(h, b, godebugOff))
	}
	return g
}

// inspectBinary reads a Go binary's build information (no code runs): Go
// 1.25+ with a go.mod saying go 1.25 or later gets the cgroup-aware
// default; an older go line sets containermaxprocs=0 in DefaultGODEBUG.
func inspectBinary(h *host.Host, p string, godebugOff bool) goBinary {
	b := goBinary{Path: p}
	f, err := h.Open(p)
	if err != nil {
		b.Why = "not read: " + err.Error()
		return b
	}
	defer f.Close()
	bi, err := buildinfo.Read(f)
	if err != nil {
		b.Why = "no Go build information: " + err.Error()
		return b
	}
	b.GoVersion = bi.GoVersion
	var defaultGodebug string
	for _, s := range bi.Settings {
		if s.Key == "DefaultGODEBUG" {
			defaultGodebug = s.Value
		}
	}
	switch {
	case !goAtLeast(bi.GoVersion, 1, 25):
		b.Why = bi.GoVersion + " predates the cgroup-aware default (Go 1.25)"
	case hasSetting(defaultGodebug, "containermaxprocs=0"):
		b.Why = "built with a go.mod older than go 1.25 (DefaultGODEBUG containermaxprocs=0)"
	case godebugOff:
		b.Why = "GODEBUG=containermaxprocs=0 in the unit's environment"
	default:
		b.Aware = true
		b.Why = bi.GoVersion + " sets GOMAXPROCS from the cgroup's CPU limit"
	}
	return b
}

func hasSetting(list, setting string) bool {
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == setting {
			return true
		}
	}
	return false
}

// goAtLeast compares "go1.25.3" (or "go1.26rc1") with major.minor.
func goAtLeast(v string, major, minor int) bool {
	v = strings.TrimPrefix(v, "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi := parts[1]
	for i := 0; i < len(mi); i++ {
		if mi[i] < '0' || mi[i] > '9' {
			mi = mi[:i]
			break
		}
	}
	mn, err2 := strconv.Atoi(mi)
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mn >= minor
}

// summary is one line for Observed.
func (g goMaxProcs) summary() string {
	switch {
	case g.env > 0:
		return fmt.Sprintf("GOMAXPROCS=%d from the environment (%s)", g.env, g.envSource)
	case g.cpus == 0:
		return "GOMAXPROCS unknown (CPU count unknown)"
	case len(g.binaries) > 0 && g.binaries[0].GoVersion != "":
		n := g.before
		if g.binaries[0].Aware {
			n = g.aware
		}
		return fmt.Sprintf("GOMAXPROCS %d for %s (%s)", n, g.binaries[0].Path, g.binaries[0].GoVersion)
	case g.aware == g.before:
		return fmt.Sprintf("GOMAXPROCS %d", g.aware)
	}
	return fmt.Sprintf("GOMAXPROCS %d with Go 1.25+, %d with older Go", g.aware, g.before)
}

// procs is the GOMAXPROCS the service will run with; known is false when
// the service's Go version is not known (then it is an older Go's value,
// the worse case).
func (g goMaxProcs) procs() (n int, known bool) {
	switch {
	case g.env > 0:
		return g.env, true
	case len(g.binaries) > 0 && g.binaries[0].GoVersion != "":
		if g.binaries[0].Aware {
			return g.aware, true
		}
		return g.before, true
	}
	return g.before, false
}

// oversubscribed reports whether the service runs more Ps than Go 1.25's
// cgroup-aware default for its quota: every P can burn the quota, and the
// kernel then throttles the whole service until the next period.
func (g goMaxProcs) oversubscribed(q amount) bool {
	if q.Max || g.cpus == 0 {
		return false
	}
	n, _ := g.procs()
	return n > g.aware
}
