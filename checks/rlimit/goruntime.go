package rlimit

import (
	"debug/buildinfo"
	"fmt"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// goBinary is what the service's main binary says about its Go runtime:
// the version from its build information (read, never run).
type goBinary struct {
	path    string
	version string // "go1.26.1"; "" when unknown
	why     string // why the version is unknown
	// notGo: the file was read and has no Go build information (a C
	// program, or a wrapper script that may exec the Go program).
	notGo bool
}

// serviceBinary reads the Go version of the program the unit's last
// ExecStart= runs (the main process of a simple service). A relative or
// unreadable path, or a binary without Go build information, leaves the
// version unknown.
func serviceBinary(h *host.Host, f *unit.File) goBinary {
	var b goBinary
	if f == nil {
		return b
	}
	cmd, ok := f.Last("Service", "ExecStart")
	if !ok || strings.TrimSpace(cmd) == "" {
		b.why = "no ExecStart="
		return b
	}
	fields := strings.Fields(cmd)
	// The prefixes systemd.service(5) allows before the path: @-:+!
	b.path = strings.TrimLeft(fields[0], "@-:+!")
	if !strings.HasPrefix(b.path, "/") {
		b.why = "ExecStart= names " + b.path + " without an absolute path"
		return b
	}
	return goBinaryAt(h, b.path)
}

// goBinaryAt reads the Go version of the program at p (a path under the
// root, or /proc/<pid>/exe for a running process).
func goBinaryAt(h *host.Host, p string) goBinary {
	b := goBinary{path: p}
	fh, err := h.Open(p)
	if err != nil {
		b.why = "not read: " + err.Error()
		return b
	}
	defer fh.Close()
	bi, err := buildinfo.Read(fh)
	if err != nil {
		b.why = "no Go build information: " + err.Error()
		b.notGo = true
		return b
	}
	b.version = bi.GoVersion
	return b
}

// goRunning is every NOFILE limit a process started with l may run with,
// given what is known of its program: a Go program's raise, or for a
// program without Go build information (a wrapper that may exec one) l
// itself as well.
func goRunning(l Limit, b goBinary) []Limit {
	if b.notGo {
		return uniqueLimits(append([]Limit{l}, goRaise(l, "")...)...)
	}
	return goRaise(l, b.version)
}

// goRaise is how a Go program's runtime changes its NOFILE limit at start
// (syscall's init in src/syscall/rlimit.go), by Go release:
//
//   - before Go 1.19: it leaves the limit alone;
//   - Go 1.19 to 1.23: `if lim.Cur != lim.Max { lim.Cur = lim.Max }` — the
//     soft limit becomes the hard limit;
//   - Go 1.26 (the source of this toolchain): `if lim.Max > 0 && lim.Cur <
//     lim.Max-1 { nlim.Cur = nlim.Max - 1 }` — one short of the hard
//     limit, so that exec can tell a prlimit from outside (exec_linux.go);
//   - Go 1.24 and 1.25: one of the two (the release that changed it is not
//     pinned here), so both are accepted.
//
// It returns every limit the program may run with after start; the first
// is the one golive shows. An unknown version (no build information) is a
// current Go: both raised forms are accepted.
func goRaise(l Limit, version string) []Limit {
	toHard := Limit{Soft: l.Hard, Hard: l.Hard}
	oneShort := l
	if l.Hard > 0 && l.Soft < l.Hard-1 {
		oneShort.Soft = l.Hard - 1
	}
	maj, mnr, known := goVersion(version)
	switch {
	case known && (maj < 1 || maj == 1 && mnr < 19):
		return []Limit{l}
	case known && maj == 1 && mnr <= 23:
		return []Limit{toHard}
	case known && (maj > 1 || mnr >= 26):
		return []Limit{oneShort}
	}
	return uniqueLimits(oneShort, toHard)
}

// goRaisesNofile reports whether a Go program of version raises its soft
// NOFILE limit at start (an unknown version: yes, every Go since 1.19).
func goRaisesNofile(version string) bool {
	maj, mnr, known := goVersion(version)
	return !known || maj > 1 || maj == 1 && mnr >= 19
}

func uniqueLimits(ls ...Limit) []Limit {
	var out []Limit
	for _, l := range ls {
		dup := false
		for _, o := range out {
			dup = dup || o == l
		}
		if !dup {
			out = append(out, l)
		}
	}
	return out
}

// goVersion parses "go1.26.1", "go1.19rc2" or "go1.21" into major and minor.
func goVersion(v string) (major, minor int, ok bool) {
	rest, found := strings.CutPrefix(v, "go")
	if !found {
		return 0, 0, false
	}
	ma, mi, found := strings.Cut(rest, ".")
	if !found {
		return 0, 0, false
	}
	end := 0
	for end < len(mi) && mi[end] >= '0' && mi[end] <= '9' {
		end++
	}
	major, err1 := strconv.Atoi(ma)
	minor, err2 := strconv.Atoi(mi[:end])
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return major, minor, true
}

// goRaiseText says what the Go runtime does to the limit, for messages.
func goRaiseText(l Limit, b goBinary) string {
	if b.notGo {
		return fmt.Sprintf("%s has no Go build information: it keeps the soft limit %s, unless it starts a Go program, whose runtime raises it", b.path, formatValue(l.Soft))
	}
	raised := goRaise(l, b.version)
	who := "the Go runtime"
	if b.version != "" {
		who = "the Go runtime (" + b.version + ", " + b.path + ")"
	}
	if len(raised) == 1 && raised[0] == l {
		if b.version != "" && !goRaisesNofile(b.version) {
			return who + " predates Go 1.19 and leaves its soft limit alone"
		}
		return who + " leaves it as it is"
	}
	if len(raised) == 1 {
		return fmt.Sprintf("%s raises its soft limit to %s at start", who, formatValue(raised[0].Soft))
	}
	return fmt.Sprintf("%s raises its soft limit at start to %s (hard − 1, Go 1.26 and later) or %s (the hard limit, Go 1.19 to 1.23)",
		who, formatValue(raised[0].Soft), formatValue(raised[1].Soft))
}
