package fleet

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/golive-sh/golive/internal/sshclient"
)

// Options configure a fan-out.
type Options struct {
	User     string // login user for targets that name none
	Auth     *sshclient.Auth
	HostKeys *sshclient.HostKeys
	// Binaries are golive executables by GOARCH; the host's `uname -m`
	// picks one.
	Binaries map[string]string
	// Bundle holds the profile files to copy; nil for none.
	Bundle *Bundle
	// CheckArgs are passed to the remote `golive check` after
	// --format json --fail-on none. Each is quoted for the remote shell.
	CheckArgs []string
	Sudo      bool // run golive through sudo -n
	// NoCache copies the binary into the temp dir on every run, as it is,
	// instead of keeping it in the host's cache (~/.cache/golive).
	NoCache bool
	// EnvFrame, when set, is sent on the remote golive check's stdin
	// (--env-stdin): the secrets it needs, never on a command line or
	// disk. See internal/envframe.
	EnvFrame []byte
	// Parallel bounds how many hosts are worked on at once.
	Parallel int
	// HostTimeout bounds everything done for one host, cleanup included.
	HostTimeout time.Duration
	// MaxReport bounds a fetched report; 0 is DefaultMaxReport.
	MaxReport int64
	// Start and Done, when set, are called as each host starts and
	// finishes (progress output); calls are serialised.
	Start func(Target)
	Done  func(HostResult)
}

// Validate refuses options that could not work or would be unsafe.
func (o *Options) Validate() error {
	switch {
	case o.Auth == nil:
		return errors.New("fleet: no ssh authentication")
	case o.HostKeys == nil:
		return errors.New("fleet: no host key verification")
	case len(o.Binaries) == 0:
		return errors.New("fleet: no golive binary to copy")
	case o.Parallel < 1:
		return errors.New("fleet: parallel must be at least 1")
	case o.HostTimeout <= 0:
		return errors.New("fleet: host timeout must be positive")
	}
	for _, a := range o.CheckArgs {
		// A NUL cannot pass through a shell command line.
		if strings.ContainsRune(a, 0) {
			return errors.New("fleet: an argument holds a NUL byte")
		}
	}
	return nil
}

// checkOne is checkHost; tests replace it to watch the scheduling.
var checkOne = checkHost

// Run checks every target, at most Parallel at a time, and returns the
// results in target order. A host that fails never stops the others;
// cancelling ctx stops new hosts and cuts running ones short (their temp
// dirs are still removed).
func Run(ctx context.Context, targets []Target, opts Options) ([]HostResult, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	results := make([]HostResult, len(targets))
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	var doneMu sync.Mutex
	for i, t := range targets {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			results[i] = HostResult{Target: t, Kind: KindTimeout, Err: "not started: " + context.Cause(ctx).Error()}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if opts.Start != nil {
				doneMu.Lock()
				opts.Start(t)
				doneMu.Unlock()
			}
			results[i] = checkOne(ctx, t, &opts)
			if opts.Done != nil {
				doneMu.Lock()
				opts.Done(results[i])
				doneMu.Unlock()
			}
		}()
	}
	wg.Wait()
	return results, nil
}
