package cgroup

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// state is what every cgroup check of a run needs to know about the host,
// read once.
type state struct {
	// Runtime is set when the root stands for a running system: the
	// machine golive runs on, or a root with /proc/self/mountinfo (a
	// fixture, a captured /proc). Without it the root is an image, whose
	// hierarchy is chosen only when it boots.
	Runtime bool
	Info    *mountInfo
	Layout  layout
	// PermErr is set when the mount table is unreadable as non-root.
	PermErr error
	// Err is set when the mount table cannot be read or understood.
	Err error

	Support  support
	Boot     bootConfig
	BootMode mode
	BootWhy  string
	// BootExplicit is set when a kernel argument decides BootMode; a
	// mode that comes only from the distro's default says nothing about
	// a running system that shows another.
	BootExplicit bool
}

// stateCache gives the family's checks the state, loaded once per run
// (facts.Memo) for the profile's distro default.
type stateCache struct {
	distroDefault mode
}

// stateKey keys the state on the one profile parameter it depends on.
type stateKey struct{ distroDefault mode }

func (c *stateCache) get(h *host.Host) *state {
	return facts.Memo(h, stateKey{c.distroDefault}, func(h *host.Host) *state {
		return loadState(h, c.distroDefault)
	})
}

func loadState(h *host.Host, distroDefault mode) *state {
	st := &state{Layout: layout{Mode: none, V1: map[string]mount{}}}
	data, err := h.ReadFileLimit(mountInfoPath, maxMountInfo)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !h.Live():
		// An image: no running system to ask.
	case h.NeedsRoot(err):
		st.Runtime, st.PermErr = true, err
	case err != nil:
		st.Runtime, st.Err = true, fmt.Errorf("read mount table: %w", err)
	default:
		st.Runtime = true
		st.Info = parseMountInfo(data)
		if len(st.Info.Mounts) == 0 {
			st.Err = fmt.Errorf("%s: no line could be parsed (%d problems)", mountInfoPath, len(st.Info.Problems)+st.Info.Skipped)
		}
		st.Layout = detect(st.Info.Mounts)
	}
	st.Support = kernelSupport(h, st.Runtime)
	st.Boot = readBootConfig(h)
	st.BootMode, st.BootWhy, st.BootExplicit = bootModeArgs(st.Boot.Args, distroDefault)
	return st
}

// mode is the hierarchy the checks judge: the mounted one on a running
// system, the one the next boot sets up on an image ("" when unknown).
func (st *state) mode() mode {
	if st.Runtime {
		return st.Layout.Mode
	}
	return st.BootMode
}

// problems lists the mount table's malformed lines for details.
func (st *state) problems() []string {
	if st.Info == nil || len(st.Info.Problems) == 0 {
		return nil
	}
	out := append([]string(nil), st.Info.Problems...)
	if st.Info.Skipped > 0 {
		out = append(out, fmt.Sprintf("and %d more", st.Info.Skipped))
	}
	return out
}
