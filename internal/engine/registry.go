package engine

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/profile"
)

// Builder turns a family's profile section into checks. sec is nil when the
// profile has no section for the family; a family with checks that need no
// section (os/distro) still builds them. Errors about the section are
// *profile.Error values placed with p.Errorf.
type Builder func(sec *yaml.Node, p *profile.Profile) ([]Check, error)

// Explainer describes a check ID that no profile asked for (`golive explain
// sysctl/kernel.pid_max`), so explain works for any ID a family can build.
type Explainer func(id string) (Meta, bool)

var (
	mu       sync.RWMutex
	families = map[string]Builder{}
	// explainers, by category: the families' and the engine's own (the
	// waiver checks, see waiver.go).
	explainers = map[string]Explainer{}
)

// Register adds a family under its profile section name. It is called from
// the family package's init; registering a kind twice panics, as
// database/sql does for drivers.
func Register(kind string, b Builder) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := families[kind]; dup {
		panic("engine: family registered twice: " + kind)
	}
	families[kind] = b
}

// RegisterExplainer adds an explainer to a registered family.
func RegisterExplainer(kind string, e Explainer) {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := families[kind]; !ok {
		panic("engine: explainer for unregistered family: " + kind)
	}
	explainers[kind] = e
}

// Kinds lists the registered families, sorted.
func Kinds() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(families))
	for k := range families {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Explain describes an ID through the explainer of the family (or the
// engine's waiver checks) that can build it.
func Explain(id string) (Meta, bool) {
	mu.RLock()
	defer mu.RUnlock()
	for _, explain := range explainers {
		if m, ok := explain(id); ok {
			return m, true
		}
	}
	return Meta{}, false
}

// Build builds the checks the families make of a profile, in profile
// order: the families named by the profile's sections in the order
// written, then the families it does not name. A section no family claims
// is a profile error. Commands use Prepare, which starts here.
func Build(p *profile.Profile) ([]Check, error) {
	mu.RLock()
	defer mu.RUnlock()
	var checks []Check
	used := map[string]bool{}
	for _, s := range p.Sections {
		build, ok := families[s.Kind]
		if !ok {
			return nil, p.Errorf(s.Key, "unknown section %q (known: %s)", s.Kind, strings.Join(kindsLocked(), ", "))
		}
		used[s.Kind] = true
		cs, err := build(s.Node, p)
		if err != nil {
			return nil, err
		}
		checks = append(checks, cs...)
	}
	for _, k := range kindsLocked() {
		if used[k] {
			continue
		}
		cs, err := families[k](nil, p)
		if err != nil {
			return nil, err
		}
		checks = append(checks, cs...)
	}
	seen := make(map[string]bool, len(checks))
	for _, c := range checks {
		id := c.ID()
		if seen[id] {
			return nil, fmt.Errorf("two checks have the ID %q", id)
		}
		seen[id] = true
	}
	return checks, nil
}

func kindsLocked() []string {
	out := make([]string, 0, len(families))
	for k := range families {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
