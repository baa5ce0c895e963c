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
	// runtime is set when the root stands for a running system: the
	// machine golive runs on, or a root with /proc/self/mountinfo (a
	// fixture, a captured /proc). Without it the root is an image, whose
	// hierarchy is chosen only when it boots.
	runtime bool
	info    *mountInfo
	layout  layout
	// permErr is set when the mount table is unreadable as non-root.
	permErr error
	// err is set when the mount table cannot be read or understood.
	err error

	support  support
	boot     bootConfig
	bootMode mode
	bootWhy  string
	// bootExplicit is set when a kernel argument decides bootMode; a
	// mode that comes only from the distro's default says nothing about
	// a running system that shows another.
	bootExplicit bool
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
	st := &state{layout: layout{mode: none, v1: map[string]mount{}}}
	data, err := facts.MountInfo(h) // shared with the disk family: read once per run
	switch {
	case errors.Is(err, fs.ErrNotExist) && !h.Live():
		// An image: no running system to ask.
	case h.NeedsRoot(err):
		st.runtime, st.permErr = true, err
	case err != nil:
		st.runtime, st.err = true, fmt.Errorf("read mount table: %w", err)
	default:
		st.runtime = true
		st.info = parseMountInfo(data)
		if len(st.info.mounts) == 0 {
			st.err = fmt.Errorf("%s: no line could be parsed (%d problems)", mountInfoPath, len(st.info.problems)+st.info.skipped)
		}
		st.layout = detect(st.info.mounts)
	}
	st.support = kernelSupport(h, st.runtime)
	st.boot = readBootConfig(h)
	st.bootMode, st.bootWhy, st.bootExplicit = bootModeArgs(st.boot.args, distroDefault)
	return st
}

// mode is the hierarchy the checks judge: the mounted one on a running
// system, the one the next boot sets up on an image ("" when unknown).
func (st *state) mode() mode {
	if st.runtime {
		return st.layout.mode
	}
	return st.bootMode
}

// problems lists the mount table's malformed lines for details.
func (st *state) problems() []string {
	if st.info == nil || len(st.info.problems) == 0 {
		return nil
	}
	out := append([]string(nil), st.info.problems...)
	if st.info.skipped > 0 {
		out = append(out, fmt.Sprintf("and %d more", st.info.skipped))
	}
	return out
}
