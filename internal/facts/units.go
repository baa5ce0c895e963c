package facts

import (
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

type unitKey struct{ name string }

type unitEnvKey struct{ name string }

// Unit is the unit called name with its drop-ins (unit.Load), loaded once
// per run: the systemd, rlimit, cgroup and cabundle checks of one service
// share one read of its files. The error is unit.Load's.
func Unit(h *host.Host, name string) (*unit.File, error) {
	return memoErr(h, unitKey{name}, func(h *host.Host) (*unit.File, error) {
		return unit.Load(h, name)
	})
}

// UnitEnvironment is the [Service] environment of the unit called name,
// its environment files read once per run; nil when the unit cannot be
// loaded or is masked (systemd starts nothing, so no environment).
func UnitEnvironment(h *host.Host, name string) *unit.Environment {
	return Memo(h, unitEnvKey{name}, func(h *host.Host) *unit.Environment {
		f, err := Unit(h, name)
		if err != nil || f.Masked {
			return nil
		}
		return f.Environment(h)
	})
}
