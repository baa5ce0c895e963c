package rlimit

import (
	"strconv"
	"strings"
	"sync"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/unit"
)

// shared holds what every check of a run reads once per host: the unit,
// system.conf, the pam_limits files, the accounts, the process table.
type shared struct {
	set        settings
	unitRules  []profile.Rule
	loginRules []profile.Rule

	mu       sync.Mutex
	h        *host.Host
	units    map[string]*loadedUnit
	mgr      *managerConfig
	pam      *pamConfig
	accounts map[string]*account
	procs    map[string]*processSet
	nrOpen   *nrOpen
	boot     *bootState
	pid1     *pid1Limits
	goBins   map[string]goBinary
}

type loadedUnit struct {
	File *unit.File
	Err  error
}

type bootState struct {
	ok  bool
	why string
}

// nrOpen is fs.nr_open: no process can have a NOFILE limit above it.
type nrOpen struct {
	Value uint64
	Known bool
	From  string // "runtime" or "distro default"
}

// reset starts over when the checks run on another host (tests reuse a
// plan on several roots).
func (s *shared) resetLocked(h *host.Host) {
	if s.h == h {
		return
	}
	s.h = h
	s.units = map[string]*loadedUnit{}
	s.mgr, s.pam, s.nrOpen, s.boot, s.pid1 = nil, nil, nil, nil, nil
	s.goBins = map[string]goBinary{}
	s.accounts = map[string]*account{}
	s.procs = map[string]*processSet{}
}

func (s *shared) unit(h *host.Host, name string) *loadedUnit {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked(h)
	if u, ok := s.units[name]; ok {
		return u
	}
	f, err := unit.Load(h, name)
	u := &loadedUnit{File: f, Err: err}
	s.units[name] = u
	return u
}

func (s *shared) manager(h *host.Host) *managerConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked(h)
	if s.mgr == nil {
		s.mgr = loadManagerConfig(h)
	}
	return s.mgr
}

func (s *shared) pamConfig(h *host.Host) *pamConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked(h)
	if s.pam == nil {
		s.pam = loadPamConfig(h, s.set.pam)
	}
	return s.pam
}

func (s *shared) account(h *host.Host, name string) *account {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked(h)
	if a, ok := s.accounts[name]; ok {
		return a
	}
	a := lookupAccount(h, name)
	s.accounts[name] = a
	return a
}

func (s *shared) booted(h *host.Host) (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked(h)
	if s.boot == nil {
		ok, why := unit.Booted(h)
		s.boot = &bootState{ok: ok, why: why}
	}
	return s.boot.ok, s.boot.why
}

// nrOpenOf reads fs.nr_open from the running kernel under the root, or
// takes the distro's boot value from the profile for an image.
func (s *shared) nrOpenOf(h *host.Host) nrOpen {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked(h)
	if s.nrOpen != nil {
		return *s.nrOpen
	}
	n := &nrOpen{}
	if data, err := facts.Sysctl(h, "fs/nr_open", 64); err == nil {
		if v, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64); err == nil {
			n.Value, n.Known, n.From = v, true, "runtime"
		}
	}
	if !n.Known && s.set.nrOpenDefault != "" {
		if v, err := strconv.ParseUint(s.set.nrOpenDefault, 10, 64); err == nil {
			n.Value, n.Known, n.From = v, true, "distro default"
		}
	}
	s.nrOpen = n
	return *n
}

// pid1 reads what systemd as PID 1 can give its services, once per run
// (a running system only).
func (s *shared) pid1Of(h *host.Host) *pid1Limits {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked(h)
	if s.pid1 == nil {
		s.pid1 = readPID1(h)
	}
	return s.pid1
}

// goBinary reads the Go version of the unit's main binary once per run.
func (s *shared) goBinary(h *host.Host, name string, f *unit.File) goBinary {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked(h)
	if b, ok := s.goBins[name]; ok {
		return b
	}
	b := serviceBinary(h, f)
	s.goBins[name] = b
	return b
}
