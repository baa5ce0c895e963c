package rlimit

import (
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/unit"
)

// shared is what every check of a plan knows: the profile's settings and
// rules. What they read (the unit, system.conf, the pam_limits files, the
// accounts, the process table) is read once per run through internal/facts.
type shared struct {
	set        settings
	unitRules  []profile.Rule
	loginRules []profile.Rule
}

type loadedUnit struct {
	file *unit.File
	err  error
}

type bootState struct {
	ok  bool
	why string
}

// nrOpen is fs.nr_open: no process can have a NOFILE limit above it.
type nrOpen struct {
	value uint64
	known bool
	from  string // "runtime" or "distro default"
}

// The family's own facts, each kept for the run (facts.Memo).
type (
	pamKey     struct{ flavor pamFlavor }
	accountKey struct{ name string }
	procsKey   struct{ name string }
	goBinKey   struct{ name string }
	nrOpenKey  struct{ distroDefault string }
	bootKey    struct{}
	pid1Key    struct{}
)

func (s *shared) unit(h *host.Host, name string) *loadedUnit {
	f, err := facts.Unit(h, name)
	return &loadedUnit{file: f, err: err}
}

func (s *shared) manager(h *host.Host) *managerConfig { return facts.Manager(h) }

func (s *shared) pamConfig(h *host.Host) *pamConfig {
	return facts.Memo(h, pamKey{s.set.pam}, func(h *host.Host) *pamConfig { return loadPamConfig(h, s.set.pam) })
}

func (s *shared) account(h *host.Host, name string) *account {
	return facts.Memo(h, accountKey{name}, func(h *host.Host) *account { return lookupAccount(h, name) })
}

func (s *shared) booted(h *host.Host) (bool, string) {
	b := facts.Memo(h, bootKey{}, func(h *host.Host) bootState {
		ok, why := unit.Booted(h)
		return bootState{ok: ok, why: why}
	})
	return b.ok, b.why
}

// nrOpenOf reads fs.nr_open from the running kernel under the root, or
// takes the distro's boot value from the profile for an image.
func (s *shared) nrOpenOf(h *host.Host) nrOpen {
	return facts.Memo(h, nrOpenKey{s.set.nrOpenDefault}, func(h *host.Host) nrOpen {
		var n nrOpen
		if data, err := facts.Sysctl(h, "fs/nr_open", 64); err == nil {
			if v, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64); err == nil {
				n.value, n.known, n.from = v, true, "runtime"
			}
		}
		if !n.known && s.set.nrOpenDefault != "" {
			if v, err := strconv.ParseUint(s.set.nrOpenDefault, 10, 64); err == nil {
				n.value, n.known, n.from = v, true, "distro default"
			}
		}
		return n
	})
}

// pid1 reads what systemd as PID 1 can give its services, once per run
// (a running system only).
func (s *shared) pid1Of(h *host.Host) *pid1Limits {
	return facts.Memo(h, pid1Key{}, readPID1)
}

// goBinary reads the Go version of the unit's main binary once per run.
func (s *shared) goBinary(h *host.Host, name string, f *unit.File) goBinary {
	return facts.Memo(h, goBinKey{name}, func(h *host.Host) goBinary { return serviceBinary(h, f) })
}
