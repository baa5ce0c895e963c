// Package memory checks how the host treats a service's memory: whether
// swap is active (memory/swap), and how eagerly the kernel swaps.
//
// Profile section (all optional; memory/swap runs without it):
//
//	memory:
//	  swap: {expect: "off", level: warn}    # off or on; default: off, level warn
//	  swappiness: "<= 10"                   # judged only while swap is active
package memory

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/expect"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and the checks' category.
const kind = "memory"

// defaultSwappiness is the value golive sets when swap stays on and the
// profile has no swappiness rule: what RHEL's tuned profiles for latency
// and throughput (latency-performance, throughput-performance) set.
const defaultSwappiness = 10

type section struct {
	Swap       yaml.Node `yaml:"swap" shape:"rule" doc:"Whether swap must be off or on." example:"off"`      // a rule: off or on
	Swappiness yaml.Node `yaml:"swappiness" shape:"rule" doc:"A rule on vm.swappiness." example:"\"<= 10\""` // a rule on vm.swappiness
}

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "Memory: swap and swappiness.", profile.Named{"rule": profile.RuleShape("", "")})
		},
		Checks: []engine.CheckDoc{
			{Heading: "`memory/swap`", Example: "memory/swap"},
		},
	})
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	var s section
	if sec != nil {
		if err := p.DecodeStrict(sec, &s); err != nil {
			return nil, err
		}
	}
	swap, err := swapRule(sec, &s, p)
	if err != nil {
		return nil, err
	}
	m := metaSwap().WithRule(swap)
	if swap.Expect.Op == expect.EQ {
		m.Expected = strings.Join(swap.Expect.Fields, " ") // "off", not "== off"
	}
	c := &swapCheck{Base: engine.Base{M: m}, rule: swap}
	if s.Swappiness.Kind != 0 {
		n := profile.FieldNode(sec, "swappiness")
		r, err := p.Rule("swappiness", n)
		if err != nil {
			return nil, err
		}
		if err := validSwappiness(r.Expect); err != nil {
			return nil, p.Errorf(n, "memory.swappiness: %v", err)
		}
		c.swappiness = &r
		c.M.Expected += "; vm.swappiness " + r.Expect.String() + " while swap is on"
	}
	return []engine.Check{c}, nil
}

// swapRule is the profile's swap rule, or "off" at level warn: seed 002
// asks for swap off on etcd members, and a latency-sensitive Go service
// suffers the same way, but a host with swap still runs.
func swapRule(sec *yaml.Node, s *section, p *profile.Profile) (profile.Rule, error) {
	if s.Swap.Kind == 0 {
		e, _ := expect.Parse("off")
		return profile.Rule{Key: "swap", Expect: e, Level: profile.LevelWarn, Where: "default"}, nil
	}
	n := profile.FieldNode(sec, "swap")
	r, err := p.Rule("swap", n)
	if err != nil {
		return r, err
	}
	valid := func(f []string) bool { return len(f) == 1 && (f[0] == "off" || f[0] == "on") }
	switch r.Expect.Op {
	case expect.EQ, expect.NE:
		if valid(r.Expect.Fields) {
			return r, nil
		}
	case expect.In:
		ok := true
		for _, alt := range r.Expect.Set {
			ok = ok && valid(alt)
		}
		if ok {
			return r, nil
		}
	}
	return r, p.Errorf(n, "memory.swap: expected off or on (quote them in YAML), not %q", r.Expect.String())
}

// validSwappiness accepts expectations whose operands are swappiness
// values: integers from 0 to 200 (200 since Linux 5.8, 100 before).
func validSwappiness(e expect.Expectation) error {
	operands := [][]string{e.Fields}
	if e.Op == expect.In {
		operands = e.Set
	}
	for _, f := range operands {
		if len(f) != 1 {
			return fmt.Errorf("one value per alternative, not %q", strings.Join(f, " "))
		}
		n, err := strconv.Atoi(f[0])
		if err != nil || n < 0 || n > 200 {
			return fmt.Errorf("%q is not a swappiness (0 to 200)", f[0])
		}
	}
	return nil
}

func explain(id string) (engine.Meta, bool) {
	if id == "memory/swap" {
		return metaSwap(), true
	}
	return engine.Meta{}, false
}

func metaSwap() engine.Meta {
	return engine.Meta{
		ID: "memory/swap", Category: kind, Title: "swap is off",
		Expected: "off", Level: profile.LevelWarn, Severity: "medium",
		Reads: []string{
			swapsPath + " (active swap areas; a root without it is an image)",
			"/proc/sys/vm/swappiness",
			fstab + " swap lines (what the next boot activates; noauto lines do not count)",
		},
		Why: "a swapped-out page costs a disk read on the next touch: a Go service's heap and the GC's scan of it, or etcd's raft loop, " +
			"stall for milliseconds to seconds, heartbeats time out and leaders flap; etcd's production guidance is swap off " +
			"(deployment planning). With swap on, vm.swappiness says how eagerly anonymous memory is swapped",
		Fix: fmt.Sprintf("swapoff -a now; comment out the swap lines of %s so it stays off; vm.swappiness=%d (or the profile's value) in case swap returns", fstab, defaultSwappiness),
	}
}

// plural is "s" for counts other than one.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func join(items []string) string { return strings.Join(items, ", ") }
