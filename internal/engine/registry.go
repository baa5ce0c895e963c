package engine

import (
	"fmt"
	"sort"
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

// Family is everything a checks/ package registers: the profile section it
// reads, how it builds and explains its checks, and its part of the check
// reference, docs/checks.md, which tools/genchecks writes from the
// registered families (go run ./tools/genchecks, make docs).
type Family struct {
	// Name is the profile section and the category of the family's checks.
	Name  string
	Build Builder
	// Explain is nil only for a family built for tests (checks/testsleep).
	Explain Explainer
	// Doc is the family's section of docs/checks.md: Markdown that starts
	// with a "## " heading (the section or category name), the family's
	// embedded doc.md.
	Doc string
	// Section is what the family's profile section accepts
	// (profile.Describe of the struct it decodes the section into): the
	// profile's JSON Schema and reference are generated from it. Nil only
	// for a family built for tests. A function, so that the reflection it
	// takes runs when the docs are generated, not at every process's init.
	Section func() *profile.Shape
	// Unplanned names the parts of the family's section in a profile that
	// Build read and found sound but that plan no check on that profile,
	// and why (rlimits.unit with no service.unit): each an error placed at
	// the part with p.Errorf. golive validate warns about the ones in a
	// file the user wrote. Nil when every part of the section plans.
	Unplanned func(s profile.Section, p *profile.Profile) []error
	// Checks are the kinds of check Doc describes, in its order; the
	// reference prints each one's Meta, as explain gives it, under its
	// heading, so the title, reads, why and fix are written once, in Go.
	Checks []CheckDoc
}

// CheckDoc ties a heading of a family's Doc to the check it describes.
type CheckDoc struct {
	// Heading is the text of the "### " heading, usually the ID pattern in
	// backquotes: "`sysctl/<key>`".
	Heading string
	// Example is an ID of the check the family's Explain knows; its Meta is
	// printed under the heading.
	Example string
}

var (
	mu       sync.RWMutex
	families = map[string]Family{}
)

// Register adds a family. It is called from the family package's init;
// registering a name twice panics, as database/sql does for drivers.
func Register(f Family) {
	mu.Lock()
	defer mu.Unlock()
	if f.Name == "" || f.Build == nil {
		panic("engine: family needs a name and a builder: " + f.Name)
	}
	if _, dup := families[f.Name]; dup {
		panic("engine: family registered twice: " + f.Name)
	}
	families[f.Name] = f
}

// Kinds lists the registered families, sorted.
func Kinds() []string {
	mu.RLock()
	defer mu.RUnlock()
	return kindsLocked()
}

// Families returns the registered families sorted by name, then the
// engine's own waiver checks: the sections of docs/checks.md, in order.
func Families() []Family {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Family, 0, len(families)+1)
	for _, k := range kindsLocked() {
		out = append(out, families[k])
	}
	return append(out, waiverFamily)
}

// Explain describes an ID through the explainer of the family (or the
// engine's waiver checks) that can build it.
func Explain(id string) (Meta, bool) {
	mu.RLock()
	defer mu.RUnlock()
	for _, f := range families {
		if f.Explain == nil {
			continue
		}
		if m, ok := f.Explain(id); ok {
			return m, true
		}
	}
	return waiverFamily.Explain(id)
}

// Unplanned lists, in profile order, the parts of the profile's sections
// that plan no check on it, with why: what each family's Unplanned says.
// Call it after Build has accepted the profile.
func Unplanned(p *profile.Profile) []error {
	mu.RLock()
	defer mu.RUnlock()
	var out []error
	for _, s := range p.Sections {
		if f, ok := families[s.Kind]; ok && f.Unplanned != nil {
			out = append(out, f.Unplanned(s, p)...)
		}
	}
	return out
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
		f, ok := families[s.Kind]
		if !ok {
			known := append(append([]string(nil), profile.TopLevelKeys...), kindsLocked()...)
			sort.Strings(known)
			return nil, p.Errorf(s.Key, "%s", profile.UnknownKey("top-level key", s.Kind, known))
		}
		used[s.Kind] = true
		cs, err := f.Build(s.Node, p)
		if err != nil {
			return nil, err
		}
		checks = append(checks, cs...)
	}
	for _, k := range kindsLocked() {
		if used[k] {
			continue
		}
		cs, err := families[k].Build(nil, p)
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

// ProfileShape is the whole profile as the parser and the registered
// families read it, for docs/profile.schema.json and
// docs/profile-reference.md (tools/genprofile).
func ProfileShape() *profile.Shape {
	mu.RLock()
	defer mu.RUnlock()
	sections := map[string]*profile.Shape{}
	for name, f := range families {
		if f.Section != nil {
			sections[name] = f.Section()
		}
	}
	return profile.ProfileShape(sections)
}
