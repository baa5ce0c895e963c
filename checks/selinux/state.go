package selinux

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"

	runfacts "github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// shared is how the family's checks reach what every check of a run needs
// once: the configuration, the running mode and, when a label check asks,
// the policy's file contexts. The snapshot is kept for the run on the host
// (facts.Memo); checks run in parallel.
type shared struct {
	// read and getxattr are the host's own; tests replace them to play a
	// non-root run.
	read     reader
	getxattr func(h *host.Host, name, attr string) ([]byte, error)
}

// snapshotKey keys the run's snapshot. hooked is nil but for a test that
// replaced the readers: its snapshot is its own, read through them.
type snapshotKey struct{ hooked *shared }

func (s *shared) get(h *host.Host) *snapshot {
	key := snapshotKey{}
	if s.read != nil || s.getxattr != nil {
		key.hooked = s
	}
	return runfacts.Memo(h, key, func(h *host.Host) *snapshot {
		read, getxattr := s.read, s.getxattr
		if read == nil {
			read = (*host.Host).ReadFileLimit
		}
		if getxattr == nil {
			getxattr = (*host.Host).Lgetxattr
		}
		return &snapshot{h: h, read: read, getxattr: getxattr}
	})
}

type snapshot struct {
	h        *host.Host
	read     reader
	getxattr func(h *host.Host, name, attr string) ([]byte, error)

	cfgOnce sync.Once
	cfg     *config // nil when there is no configuration file
	cfgErr  error

	rtOnce sync.Once
	rt     runtime
	rtErr  error

	fcOnce sync.Once
	fc     *fileContexts
	fcErr  error

	custOnce sync.Once
	cust     map[string]bool
}

// config is /etc/selinux/config; nil, nil when the file does not exist.
func (s *snapshot) config() (*config, error) {
	s.cfgOnce.Do(func() {
		data, err := s.read(s.h, configPath, maxConfig)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			s.cfgErr = err
		default:
			c := parseConfig(data)
			s.cfg = &c
		}
	})
	return s.cfg, s.cfgErr
}

func (s *snapshot) runtime() (runtime, error) {
	s.rtOnce.Do(func() { s.rt, s.rtErr = readRuntime(s.h, s.read) })
	return s.rt, s.rtErr
}

// policyName is the policy whose files the next relabel uses: the
// configuration's SELINUXTYPE, or libselinux's default without one.
func (s *snapshot) policyName() (string, error) {
	cfg, err := s.config()
	switch {
	case err != nil:
		return "", fmt.Errorf("read %s: %w", configPath, err)
	case cfg == nil:
		return defaultPolicy, nil
	case cfg.policy == "":
		return "", fmt.Errorf("%s %s", configPath, cfg.policyProblem)
	}
	return cfg.policy, nil
}

// fileContexts loads the policy's file contexts once.
func (s *snapshot) fileContexts() (*fileContexts, error) {
	s.fcOnce.Do(func() {
		policy, err := s.policyName()
		if err != nil {
			s.fcErr = err
			return
		}
		s.fc, s.fcErr = loadFileContexts(s.h, policy, s.read)
	})
	return s.fc, s.fcErr
}

// customizable is the policy's customizable_types; empty when there is
// none (or it cannot be read: restorecon then treats no type as such).
func (s *snapshot) customizable() map[string]bool {
	s.custOnce.Do(func() {
		s.cust = map[string]bool{}
		policy, err := s.policyName()
		if err != nil {
			return
		}
		if data, err := s.read(s.h, customizableTypesPath(policy), maxConfig); err == nil {
			s.cust = parseCustomizableTypes(data)
		}
	})
	return s.cust
}
