//go:build golive_testfamily

// Package testsleep is a check family that exists only in binaries built
// with -tags golive_testfamily: the CLI tests use it to prove what the
// runner does with a check that never finishes (--timeout, signals, exit
// code 3 with a partial report). It is never in a release build.
//
//	testsleep:
//	  slow: 1h     # check testsleep/slow sleeps, ignoring its context
//	  quick: 0s    # passes at once
package testsleep

import (
	"context"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

func init() { engine.Register(engine.Family{Name: "testsleep", Build: build}) }

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	var spec map[string]string
	if sec == nil {
		return nil, nil
	}
	if err := p.DecodeStrict(sec, &spec); err != nil {
		return nil, err
	}
	var out []engine.Check
	for i := 0; i+1 < len(sec.Content); i += 2 {
		name := sec.Content[i].Value
		d, err := time.ParseDuration(spec[name])
		if err != nil {
			return nil, p.Errorf(sec.Content[i+1], "testsleep: %v", err)
		}
		out = append(out, &sleeper{Base: engine.Base{M: engine.Meta{ID: "testsleep/" + name, Category: "testsleep", Title: "sleeps " + d.String()}}, d: d})
	}
	return out, nil
}

type sleeper struct {
	engine.Base
	d time.Duration
}

// Run deliberately ignores ctx: the runner must cope with such checks.
func (s *sleeper) Run(context.Context, *host.Host) engine.Result {
	time.Sleep(s.d)
	return engine.Result{Status: engine.Pass, Observed: "slept " + s.d.String()}
}
