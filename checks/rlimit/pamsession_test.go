package rlimit

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
)

// sessionFor resolves limits.conf text for the "app" user of loginFor and
// opens a session from the given start.
func sessionFor(t *testing.T, f pamFlavor, limits string, st sessionStart) *session {
	t.Helper()
	return f.openSession(loginFor(t, limits, "app", f.Debian), st)
}

func callerOf(l map[string]Limit) map[string]startLimit {
	out := map[string]startLimit{}
	for name := range resources {
		v, ok := l[name]
		if !ok {
			v = Limit{Infinity, Infinity}
		}
		out[name] = startLimit{Limit: v, known: true, from: "sshd"}
	}
	return out
}

var (
	debian152 = pamFlavor{Version: [3]int{1, 5, 2}, Debian: true}
	rocky9    = pamFlavor{Version: [3]int{1, 5, 1}}
	centos7   = pamFlavor{Version: [3]int{1, 1, 8}}
	nr1M      = nrOpen{value: 1 << 20, known: true, from: "runtime"}
	sshdStart = map[string]Limit{"nofile": {1024, 524288}, "nproc": {7000, 7000}, "core": {0, Infinity}}
	pid1Rows  = map[string]Limit{"nofile": {1 << 20, 1 << 20}, "nproc": {63000, 63000}, "core": {0, Infinity}, "memlock": {8 << 20, 8 << 20}}
)

func pidStart(state pid1State) sessionStart {
	return sessionStart{caller: callerOf(sshdStart), pid1: pid1Rows, pid1State: state, nrOpen: nr1M, canRaiseHard: true}
}

func limitOf(t *testing.T, s *session, res string) Limit {
	t.Helper()
	sl := s.limits[res]
	if !sl.soft.known || !sl.hard.known {
		t.Fatalf("%s not known: %+v", res, sl)
	}
	return Limit{sl.soft.value, sl.hard.value}
}

// Debian's patch 027: every session starts from PID 1's limits; Ubuntu's
// cap keeps the soft nofile at 1024 unless a line sets it.
func TestDebianSessionStartsFromPID1(t *testing.T) {
	s := sessionFor(t, debian152, "app soft nproc 16384\n", pidStart(pid1Read))
	if got := limitOf(t, s, "nofile"); got != (Limit{1024, 1 << 20}) {
		t.Errorf("nofile %v, want 1024:1048576 (PID 1's, soft capped)", got)
	}
	if got := limitOf(t, s, "nproc"); got != (Limit{16384, 63000}) {
		t.Errorf("nproc %v, want the line's soft and PID 1's hard", got)
	}
	if got := limitOf(t, s, "memlock"); got != (Limit{8 << 20, 8 << 20}) {
		t.Errorf("memlock %v", got)
	}
	if !strings.Contains(s.limits["nofile"].soft.from, "capped at FD_SETSIZE 1024") {
		t.Errorf("nofile soft from %q", s.limits["nofile"].soft.from)
	}
	// Upstream (RHEL) starts from the process opening the session.
	s = sessionFor(t, rocky9, "app soft nproc 16384\n", pidStart(pid1Read))
	if got := limitOf(t, s, "nofile"); got != (Limit{1024, 524288}) {
		t.Errorf("rocky nofile %v, want sshd's", got)
	}
	if got := limitOf(t, s, "nproc"); got != (Limit{7000, 7000}) {
		t.Errorf("rocky nproc %v", got)
	}
}

func TestDebianSessionWithoutPID1(t *testing.T) {
	s := sessionFor(t, debian152, "", pidStart(pid1Unknown))
	if sl := s.limits["nofile"]; sl.hard.known || !strings.Contains(sl.hard.from, "an image has none") {
		t.Errorf("image: %+v", sl)
	}
	s = sessionFor(t, debian152, "", pidStart(pid1Unreadable))
	if got := limitOf(t, s, "nofile"); got != (Limit{1024, 1024}) {
		t.Errorf("unreadable /proc/1/limits: nofile %v, want pam_limits' default 1024", got)
	}
	if got := limitOf(t, s, "stack"); got != (Limit{8 << 20, Infinity}) {
		t.Errorf("stack %v", got)
	}
	if sl := s.limits["rtprio"]; !sl.soft.known || sl.soft.value != Infinity || !strings.Contains(sl.soft.from, "process opening") {
		t.Errorf("rtprio has no default: the caller's stays, got %+v", sl)
	}
}

// Debian's patch 032: setrlimit's EPERM is not fatal; upstream refuses.
func TestOverNrOpenIsFatalOnlyUpstream(t *testing.T) {
	conf := "app hard nofile 2000000\napp soft nofile 65536\n"
	s := sessionFor(t, debian152, conf, pidStart(pid1Read))
	if len(s.refused) != 0 {
		t.Errorf("Debian refused: %v", s.refused)
	}
	if got := limitOf(t, s, "nofile"); got != (Limit{1024, 524288}) {
		t.Errorf("Debian nofile %v, want sshd's (setrlimit failed, nothing changed)", got)
	}
	if !strings.Contains(strings.Join(s.limits["nofile"].notes, " "), "ignores the failure") {
		t.Errorf("notes %v", s.limits["nofile"].notes)
	}
	s = sessionFor(t, rocky9, conf, pidStart(pid1Read))
	if len(s.refused) != 1 || !strings.Contains(s.refused[0], "above fs.nr_open 1048576") {
		t.Errorf("Rocky refused %v", s.refused)
	}
}

func TestNofileUnlimited(t *testing.T) {
	s := sessionFor(t, rocky9, "app - nofile unlimited\n", pidStart(pid1Read))
	if got := limitOf(t, s, "nofile"); got != (Limit{1 << 20, 1 << 20}) || len(s.refused) != 0 {
		t.Errorf("1.5: nofile %v refused %v, want fs.nr_open", got, s.refused)
	}
	s = sessionFor(t, centos7, "app - nofile unlimited\n", pidStart(pid1Read))
	if len(s.refused) != 1 {
		t.Errorf("1.1.8 keeps RLIM_INFINITY, above fs.nr_open: refused %v", s.refused)
	}
}

func TestRaisingAHardLimitNeedsCapSysResource(t *testing.T) {
	st := pidStart(pid1Read)
	st.canRaiseHard = false
	s := sessionFor(t, debian152, "", st)
	if got := limitOf(t, s, "nproc"); got != (Limit{7000, 7000}) || s.limits["nproc"].failed == "" {
		t.Errorf("PID 1's nproc 63000 above the caller's 7000: %v, failed %q", got, s.limits["nproc"].failed)
	}
	s = sessionFor(t, rocky9, "app hard nproc 9000\n", st)
	if len(s.refused) != 1 || !strings.Contains(s.refused[0], "nproc hard 9000") {
		t.Errorf("upstream refused %v", s.refused)
	}
}

func TestNoLimitsLineKeepsTheCallersLimits(t *testing.T) {
	s := sessionFor(t, debian152, "app -\n", pidStart(pid1Read))
	if got := limitOf(t, s, "nofile"); got != (Limit{1024, 524288}) {
		t.Errorf("nofile %v: pam_limits sets nothing, not even PID 1's", got)
	}
}

func TestParsePamVersion(t *testing.T) {
	for in, ok := range map[string]bool{"1.5.2": true, "1.4": true, "1": false, "1.x.2": false, "1.2.3.4": false, "": false, "-1.2": false} {
		if _, err := parsePamVersion(in); (err == nil) != ok {
			t.Errorf("%q: %v", in, err)
		}
	}
	if !(pamFlavor{}).atLeast(1, 4) || (pamFlavor{Version: [3]int{1, 1, 8}}).atLeast(1, 4) {
		t.Error("atLeast")
	}
}

// The generic profile names no family: os-release decides the build.
func TestFlavorFromOSRelease(t *testing.T) {
	for rel, debian := range map[string]bool{
		"ID=debian\nVERSION_ID=\"12\"\n":            true,
		"ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n": true,
		"ID=centos\nID_LIKE=\"rhel fedora\"\n":      false,
	} {
		h := hosttest.Root(t, map[string]string{"etc/os-release": rel})
		if got := (pamFlavor{FromOSRelease: true}).forHost(h); got.Debian != debian || got.FromOSRelease {
			t.Errorf("%q: %+v", rel, got)
		}
		if got := (pamFlavor{}).forHost(h); got.Debian {
			t.Errorf("%q: a flavor the profile set is kept", rel)
		}
	}
}

// Debian's pam 1.7.0 (Debian 13) no longer starts a session from PID 1's
// limits (pam 1.7.0-1: "do not override systemd's limits by default",
// #995236): sshd's limits stay, as upstream; EPERM stays non-fatal and "*"
// still skips root.
func TestDebian17SessionStartsFromTheCaller(t *testing.T) {
	debian170 := pamFlavor{Version: [3]int{1, 7, 0}, Debian: true}
	if debian170.setAll() || !debian152.setAll() || rocky9.setAll() || !(pamFlavor{Debian: true}).setAll() {
		t.Fatal("setAll: want only Debian's builds before 1.7 (an unknown version counts as 1.5)")
	}
	for _, state := range []pid1State{pid1Read, pid1Unknown, pid1Unreadable} {
		s := sessionFor(t, debian170, "app soft nproc 4096\n", pidStart(state))
		if got := limitOf(t, s, "nofile"); got != (Limit{1024, 524288}) {
			t.Errorf("pid1 state %d: nofile %v, want sshd's 1024:524288", state, got)
		}
		if got := limitOf(t, s, "nproc"); got != (Limit{4096, 7000}) {
			t.Errorf("pid1 state %d: nproc %v, want the line's soft and sshd's hard", state, got)
		}
		if from := s.limits["nofile"].soft.from; strings.Contains(from, "PID 1") {
			t.Errorf("nofile from %q", from)
		}
	}
	s := sessionFor(t, debian170, "app hard nofile 2000000\n", pidStart(pid1Read))
	if len(s.refused) != 0 {
		t.Errorf("Debian 1.7 refused: %v (EPERM is still not fatal)", s.refused)
	}
	if ll := loginFor(t, "* soft nofile 99\n", "root", debian170.Debian); ll.soft["nofile"].value == 99 {
		t.Error("Debian 1.7: * applied to root")
	}
}
