package systemd

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// shared is what the checks of one unit have in common: its name. What
// they read (the unit's files, whether systemd runs the system, the live
// properties) is read once per run through internal/facts.
type shared struct {
	name     string
	dialLive func(ctx context.Context, name string) (*liveProps, error)
}

type bootState struct {
	ok  bool
	why string
}

// liveProps are the unit's D-Bus properties: the Unit interface's and the
// Service interface's.
type liveProps struct {
	unit    map[string]any
	service map[string]any
}

// liveCell keeps the live properties of one unit for the run; it is made
// once per run (facts.Memo) and filled by the first check that reads them.
type liveCell struct {
	mu sync.Mutex
	lp *liveProps
}

// The family's own facts, each kept for the run (facts.Memo).
type (
	bootKey struct{}
	liveKey struct{ name string }
)

func newShared(name string) *shared {
	return &shared{name: name, dialLive: readLiveProps}
}

func (s *shared) unitFile(h *host.Host) (*unit.File, error) { return facts.Unit(h, s.name) }

func (s *shared) booted(h *host.Host) (bool, string) {
	b := facts.Memo(h, bootKey{}, func(h *host.Host) bootState {
		ok, why := unit.Booted(h)
		return bootState{ok: ok, why: why}
	})
	return b.ok, b.why
}

// liveProps asks the running systemd once per run; a failure is not kept,
// so a later check (with its own deadline) asks again.
func (s *shared) liveProps(ctx context.Context, h *host.Host) (*liveProps, error) {
	cell := facts.Memo(h, liveKey{s.name}, func(*host.Host) *liveCell { return &liveCell{} })
	cell.mu.Lock()
	lp := cell.lp
	cell.mu.Unlock()
	if lp != nil {
		return lp, nil
	}
	// Not under the lock: a dial that hangs must not hold the other
	// checks (each has its own deadline) behind it.
	lp, err := s.dialLive(ctx, s.name)
	if err != nil {
		return nil, err
	}
	cell.mu.Lock()
	defer cell.mu.Unlock()
	if cell.lp == nil {
		cell.lp = lp
	}
	return cell.lp, nil
}

func readLiveProps(ctx context.Context, name string) (*liveProps, error) {
	bus, err := unit.DialBus(ctx)
	if err != nil {
		return nil, err
	}
	defer bus.Close()
	up, err := bus.UnitProperties(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read %s over D-Bus: %w", name, err)
	}
	lp := &liveProps{unit: up}
	// Only services have the Service interface; a missing unit has none.
	if sp, err := bus.ServiceProperties(ctx, name); err == nil {
		lp.service = sp
	}
	return lp, nil
}

// mode is how a check can look at the host: the files of an image, the
// files and the live state of a running systemd, or nothing.
type mode int

const (
	modeImage mode = iota
	modeLive
)

// prepare decides the mode, or returns the skip result when systemd does
// not manage this system.
func (s *shared) prepare(h *host.Host) (mode, *engine.Result) {
	if h.Live() {
		if ok, why := s.booted(h); !ok {
			return 0, &engine.Result{Status: engine.Skip, Message: "systemd does not run this system (" + why + ")"}
		}
		return modeLive, nil
	}
	if !h.Exists("/etc/systemd") && !h.Exists("/usr/lib/systemd") && !h.Exists("/lib/systemd") {
		return 0, &engine.Result{Status: engine.Skip, Message: "no systemd in this root (no /etc/systemd, /usr/lib/systemd or /lib/systemd)"}
	}
	return modeImage, nil
}

// loadUnit returns the unit, or the result of a check that cannot go on
// without it: not found, masked, unreadable.
func (s *shared) loadUnit(h *host.Host) (*unit.File, *engine.Result) {
	f, err := s.unitFile(h)
	switch {
	case err != nil && errors.Is(err, unit.ErrNotFound):
		return nil, &engine.Result{Status: engine.Fail, Observed: "not found", Message: err.Error()}
	case h.NeedsRoot(err):
		res := engine.SkipNeedsRoot(engine.Result{}, err)
		return nil, &res
	case err != nil:
		return nil, &engine.Result{Status: engine.Error, Message: "cannot read the unit: " + err.Error()}
	case f.Masked:
		return nil, &engine.Result{Status: engine.Fail, Observed: "masked",
			Message: fmt.Sprintf("masked: %s links to /dev/null and systemd refuses to start it", f.Path)}
	}
	return f, nil
}
