package rlimit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// pamFlavor is what the distro's build of pam_limits does beyond reading
// limits.conf (rlimits.pam in the profile).
type pamFlavor struct {
	// Version is the Linux-PAM release; zero when the profile does not
	// say, which is taken as a 1.5 release.
	Version [3]int
	// Debian is the patch set of Debian's libpam-modules, which Ubuntu
	// carries too (debian/patches-applied in the pam source package):
	//   - 027_pam_limits_better_init_allow_explicit_root: init_limits()
	//     always calls parse_kernel_limits(), upstream's "set_all"
	//     option: every session starts from PID 1's limits
	//     (/proc/1/limits), not from the limits of the process opening it,
	//     and sets every resource; "*", "@group" and "%group" lines do
	//     not apply to uid 0.
	//   - pam-limits-nofile-fd-setsize-cap: the soft nofile taken from
	//     PID 1 is capped at FD_SETSIZE (1024).
	//   - 032_pam_limits_EPERM_NOT_FATAL: a setrlimit() failing with
	//     EPERM (a hard limit raised without CAP_SYS_RESOURCE, nofile
	//     above fs.nr_open) is skipped: the limit stays what the process
	//     had and the session opens. Upstream (and RHEL) refuse it.
	// Since Debian's pam 1.7.0-1 (Debian 13) the first two are gone:
	// "pam_limits: do not override systemd's limits by default; add the
	// set_all option to restore previous behavior" (debian/changelog,
	// Closes: #995236). A session starts from the limits of the process
	// opening it, as upstream; root stays exempt from "*" and group lines
	// (pam_limits_explicit_root) and EPERM stays non-fatal. See setAll.
	Debian bool
	// FromOSRelease: neither the profile nor its family says (the generic
	// profile), so the host's os-release decides: Debian's patches where
	// ID or ID_LIKE is debian.
	FromOSRelease bool
}

// forHost settles a flavor the profile left open from the host's
// os-release.
func (f pamFlavor) forHost(h *host.Host) pamFlavor {
	if !f.FromOSRelease {
		return f
	}
	f.FromOSRelease = false
	rel, err := facts.OSRelease(h)
	if err != nil {
		return f
	}
	f.Debian = rel.ID == "debian" || slices.Contains(rel.IDLike, "debian")
	return f
}

// setAll reports whether every session starts from PID 1's limits
// (/proc/1/limits, upstream's set_all option made the default, with the
// soft nofile capped at FD_SETSIZE): Debian's patch 027, in Debian's and
// Ubuntu's pam before 1.7. Debian's 1.7.0 (trixie) dropped that default;
// golive does not read the pam_limits line of each PAM service, so an
// explicit set_all there is not seen.
func (f pamFlavor) setAll() bool {
	return f.Debian && !f.atLeast(1, 7)
}

// atLeast compares the release; an unknown one counts as 1.5.0.
func (f pamFlavor) atLeast(major, minor int) bool {
	v := f.Version
	if v == [3]int{} {
		v = [3]int{1, 5, 0}
	}
	return v[0] > major || v[0] == major && v[1] >= minor
}

// syntax is how the release splits a line (see lineSyntax).
func (f pamFlavor) syntax() lineSyntax {
	if f.atLeast(1, 6) {
		return restSyntax
	}
	return wordSyntax
}

// String names the flavor for messages: "Linux-PAM 1.4.0 with Debian's patches".
func (f pamFlavor) String() string {
	s := "Linux-PAM"
	if f.Version != [3]int{} {
		s += fmt.Sprintf(" %d.%d.%d", f.Version[0], f.Version[1], f.Version[2])
	}
	if f.Debian {
		s += " with Debian's patches"
	}
	return s
}

// parsePamVersion reads "1.5.2" (two or three numbers).
func parsePamVersion(s string) ([3]int, error) {
	var v [3]int
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return v, fmt.Errorf("%q is not a Linux-PAM release (write it as 1.5.2)", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 1000 {
			return v, fmt.Errorf("%q is not a Linux-PAM release (write it as 1.5.2)", s)
		}
		v[i] = n
	}
	return v, nil
}

// startLimit is a limit a session starts from.
type startLimit struct {
	Limit
	known bool
	from  string
}

// pid1State is what pam_limits finds in /proc/1/limits.
type pid1State int

const (
	// pid1Unknown: no running system to read (an image under --root).
	pid1Unknown pid1State = iota
	// pid1Read: the rows were read.
	pid1Read
	// pid1Unreadable: fopen failed; Debian's pam_limits then uses its
	// own table of defaults ("Could not read /proc/1/limits, using PAM
	// defaults").
	pid1Unreadable
)

// sessionStart is what pam_sm_open_session works from besides the files.
type sessionStart struct {
	// caller are the limits of the process that opens the session (sshd,
	// login, su): what getrlimit returns in init_limits, and what stays
	// where pam_limits sets nothing or setrlimit fails.
	caller map[string]startLimit
	// pid1 are the rows of /proc/1/limits (Debian flavor), by resource.
	pid1      map[string]Limit
	pid1State pid1State
	// nrOpen is fs.nr_open: setrlimit refuses a hard nofile above it, and
	// pam_limits 1.4+ turns "unlimited" nofile into it.
	nrOpen nrOpen
	// canRaiseHard: the caller has CAP_SYS_RESOURCE (sshd and login run
	// as root), so setrlimit may raise a hard limit.
	canRaiseHard bool
}

// sessionLimit is one resource of an opened session.
type sessionLimit struct {
	soft, hard side
	// failed says why setrlimit failed for the resource (EPERM).
	failed string
	notes  []string
}

// session is what pam_limits leaves a session with.
type session struct {
	limits map[string]*sessionLimit
	// refused are the reasons pam_limits fails the session (PAM_PERM_DENIED
	// or a configuration error); with "session required" the login fails.
	refused []string
}

// debianDefaults is the table 027_pam_limits_better_init_allow_explicit_root
// falls back to for a resource /proc/1/limits does not give: these values
// with the priority of a "*" line. Resources not listed keep the caller's.
var debianDefaults = map[string]Limit{
	"fsize": {Infinity, Infinity}, "data": {Infinity, Infinity}, "rss": {Infinity, Infinity},
	"nproc": {Infinity, Infinity}, "as": {Infinity, Infinity}, "locks": {Infinity, Infinity},
	"memlock":    {64 << 10, 64 << 10}, // MLOCK_LIMIT, or the page size when larger (4 KiB pages here)
	"sigpending": {16382, 16382}, "msgqueue": {819200, 819200},
	"core": {0, Infinity}, "stack": {8192 << 10, Infinity}, "nofile": {1024, 1024},
}

// fdSetSize is glibc's FD_SETSIZE, the cap Ubuntu's patch puts on the soft
// nofile read from PID 1.
const fdSetSize = 1024

// openSession is pam_sm_open_session for one user (Linux-PAM 1.1.8 to 1.5,
// with or without Debian's patches) over every resource golive knows:
// init_limits, the files' settings (ll), setup_limits.
func (f pamFlavor) openSession(ll *loginLimits, st sessionStart) *session {
	s := &session{limits: map[string]*sessionLimit{}}
	for _, f := range ll.fatal {
		s.refused = append(s.refused, "cannot read "+f+" (pam_limits then fails every session it handles)")
	}
	for name, r := range resources {
		s.limits[name] = f.openResource(ll, st, r, &s.refused)
	}
	return s
}

func (f pamFlavor) openResource(ll *loginLimits, st sessionStart, r resource, refused *[]string) *sessionLimit {
	caller := st.caller[r.name]
	callerSide := func(v uint64, why string) side {
		return side{value: v, known: caller.known, from: why + " (" + caller.from + ")"}
	}
	sl := &sessionLimit{}
	keep := func(why string) {
		sl.soft, sl.hard = callerSide(caller.Soft, why), callerSide(caller.Hard, why)
	}
	if ll.noLimits != nil {
		keep("the limit of the process opening the session, kept: pam_limits sets nothing")
		return sl
	}
	// init_limits: the caller's limits, with Debian's patch PID 1's.
	keep("the limit of the process opening the session")
	set := false
	if f.setAll() {
		set = true
		switch l, ok := st.pid1[r.name]; {
		case st.pid1State == pid1Read && ok:
			sl.soft = side{value: l.Soft, known: true, from: "PID 1's limit (/proc/1/limits), where every session starts", tag: "PID 1"}
			sl.hard = side{value: l.Hard, known: true, from: sl.soft.from, tag: "PID 1"}
			if r.name == "nofile" && l.Soft > fdSetSize {
				sl.soft.value = fdSetSize
				sl.soft.from = fmt.Sprintf("PID 1's soft limit %s capped at FD_SETSIZE %d", formatValue(l.Soft), fdSetSize)
			}
		case st.pid1State == pid1Unknown:
			why := "PID 1's limit on the running system (/proc/1/limits), where every session starts: an image has none"
			sl.soft, sl.hard = side{from: why}, side{from: why}
			if r.name == "nofile" {
				sl.notes = append(sl.notes, "a session's soft nofile is PID 1's capped at 1024")
			}
		default:
			if d, ok := debianDefaults[r.name]; ok {
				why := "pam_limits' own default (it cannot read /proc/1/limits)"
				sl.soft = side{value: d.Soft, known: true, from: why, tag: "pam_limits default"}
				sl.hard = side{value: d.Hard, known: true, from: why, tag: "pam_limits default"}
			} else {
				set = false
			}
		}
	}
	fileSide := func(sd *side, from setting) {
		*sd = fromSetting(from)
		set = true
	}
	if s, ok := ll.soft[r.name]; ok {
		fileSide(&sl.soft, s)
	}
	if s, ok := ll.hard[r.name]; ok {
		fileSide(&sl.hard, s)
	}
	if !set {
		return sl // setup_limits skips a resource nothing initialised
	}
	if r.name == "nofile" && f.atLeast(1, 4) {
		for _, sd := range []*side{&sl.soft, &sl.hard} {
			if sd.set != nil && sd.value == Infinity {
				if st.nrOpen.known {
					sd.value = st.nrOpen.value
					sl.notes = append(sl.notes, fmt.Sprintf("%s sets nofile unlimited: pam_limits 1.4 and later use fs.nr_open (%d) instead", sd.set.from.where(), st.nrOpen.value))
				} else {
					sl.notes = append(sl.notes, sd.set.from.where()+" sets nofile unlimited: pam_limits uses fs.nr_open instead, which is not known here")
				}
			}
		}
	}
	if sl.soft.known && sl.hard.known && sl.soft.value > sl.hard.value {
		sl.notes = append(sl.notes, fmt.Sprintf("the soft limit %s is above the hard limit %s: pam_limits lowers it to %s",
			formatValue(sl.soft.value), formatValue(sl.hard.value), formatValue(sl.hard.value)))
		sl.soft.value = sl.hard.value
	}
	// setrlimit: EPERM for a hard nofile above fs.nr_open, or a raised
	// hard limit without CAP_SYS_RESOURCE.
	var eperm string
	switch {
	case r.name == "nofile" && st.nrOpen.known && sl.hard.known && sl.hard.value > st.nrOpen.value:
		eperm = fmt.Sprintf("nofile %s (%s) is above fs.nr_open %d (%s): setrlimit fails",
			formatValue(sl.hard.value), sl.hard.from, st.nrOpen.value, st.nrOpen.from)
	case !st.canRaiseHard && caller.known && sl.hard.known && sl.hard.value > caller.Hard:
		eperm = fmt.Sprintf("%s hard %s is above the hard limit %s of the process opening the session, which may not raise it: setrlimit fails",
			r.name, formatValue(sl.hard.value), formatValue(caller.Hard))
	}
	if eperm == "" {
		return sl
	}
	sl.failed = eperm
	if f.Debian {
		sl.notes = append(sl.notes, eperm+"; Debian's pam_limits ignores the failure (EPERM), so the session keeps the limit of the process opening it")
		keep("the limit of the process opening the session, kept because setrlimit failed")
		return sl
	}
	*refused = append(*refused, eperm)
	return sl
}
