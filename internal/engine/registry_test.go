package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

// The test families. Their kind names are unique to this test binary;
// registering from init is how real families do it.
const (
	kindMain   = "enginetest"        // section: {target: status}
	kindOther  = "enginetestother"   // section: {target: status}, category "other"
	kindAlways = "enginetestalways"  // builds one check even without a section
	kindDup    = "enginetestdup"     // section: [target]; IDs collide with kindMain's
	kindBroken = "enginetestbroken"  // any section is an error
	kindTwice  = "enginetest-twice"  // registered once here, again in a test
	kindExpl   = "enginetestexplain" // has an explainer
)

func init() {
	Register(Family{Name: kindMain, Build: statusBuilder("enginetest")})
	Register(Family{Name: kindOther, Build: statusBuilder("other")})
	Register(Family{Name: kindAlways, Build: func(sec *yaml.Node, p *profile.Profile) ([]Check, error) {
		return []Check{fixed("always/one", "always", Pass)}, nil
	}})
	Register(Family{Name: kindDup, Build: func(sec *yaml.Node, p *profile.Profile) ([]Check, error) {
		if sec == nil {
			return nil, nil
		}
		var out []Check
		for _, n := range sec.Content {
			out = append(out, fixed("enginetest/"+n.Value, "enginetest", Pass))
		}
		return out, nil
	}})
	Register(Family{Name: kindBroken, Build: func(sec *yaml.Node, p *profile.Profile) ([]Check, error) {
		if sec == nil {
			return nil, nil
		}
		return nil, p.Errorf(sec, "broken family rejects its section")
	}})
	Register(Family{Name: kindTwice, Build: func(*yaml.Node, *profile.Profile) ([]Check, error) { return nil, nil }})
	Register(Family{
		Name:  kindExpl,
		Build: func(*yaml.Node, *profile.Profile) ([]Check, error) { return nil, nil },
		Explain: func(id string) (Meta, bool) {
			if target, ok := strings.CutPrefix(id, "explained/"); ok {
				return Meta{ID: id, Category: "explained", Title: "explains " + target}, true
			}
			return Meta{}, false
		},
	})
}

// statusBuilder reads a mapping of target -> status and builds one check
// per entry, in the order written.
func statusBuilder(category string) Builder {
	return func(sec *yaml.Node, p *profile.Profile) ([]Check, error) {
		if sec == nil {
			return nil, nil
		}
		if sec.Kind != yaml.MappingNode {
			return nil, p.Errorf(sec, "%s: expected a mapping", category)
		}
		var out []Check
		for i := 0; i+1 < len(sec.Content); i += 2 {
			out = append(out, fixed(category+"/"+sec.Content[i].Value, category, Status(sec.Content[i+1].Value)))
		}
		return out, nil
	}
}

// funcCheck is a check whose Run is a function.
type funcCheck struct {
	Base
	run func(ctx context.Context) Result
}

func (c *funcCheck) Run(ctx context.Context, _ *host.Host) Result { return c.run(ctx) }

func fixed(id, category string, s Status) Check {
	return &funcCheck{Base: Base{M: Meta{ID: id, Category: category}}, run: func(context.Context) Result {
		return Result{Status: s}
	}}
}

func ids(checks []Check) []string {
	out := make([]string, len(checks))
	for i, c := range checks {
		out[i] = c.ID()
	}
	return out
}

func resolve(t *testing.T, content string) (*profile.Profile, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Resolve(profile.Request{Profile: file})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return p, file
}

func TestPlanFollowsProfileOrder(t *testing.T) {
	p, _ := resolve(t, `extends: none
enginetestother:
  z: pass
  a: warn
enginetest:
  second: fail
  first: pass
`)
	checks, err := Build(p)
	if err != nil {
		t.Fatal(err)
	}
	// Sections in the order written, keys in the order written, then the
	// families the profile does not name (sorted by kind).
	want := []string{"other/z", "other/a", "enginetest/second", "enginetest/first", "always/one"}
	if got := ids(checks); !reflect.DeepEqual(got, want) {
		t.Errorf("Plan = %v, want %v", got, want)
	}
}

func TestPlanOfAProfileWithoutSections(t *testing.T) {
	p, _ := resolve(t, "extends: none\n")
	checks, err := Build(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(checks); !reflect.DeepEqual(got, []string{"always/one"}) {
		t.Errorf("Plan = %v, want only the sectionless family's check", got)
	}
}

func TestPlanErrors(t *testing.T) {
	t.Run("unknown section", func(t *testing.T) {
		p, file := resolve(t, "extends: none\nenginetest:\n  a: pass\n\nbogus:\n  x: 1\n")
		_, err := Build(p)
		var pe *profile.Error
		if !errors.As(err, &pe) {
			t.Fatalf("Plan error = %v (%T), want *profile.Error", err, err)
		}
		if pe.File != file || pe.Line != 5 {
			t.Errorf("error at %s:%d, want %s:5", pe.File, pe.Line, file)
		}
		if !strings.Contains(err.Error(), `unknown top-level key "bogus"`) || !strings.Contains(err.Error(), kindMain) {
			t.Errorf("error %q should name the section and the known kinds", err)
		}
	})
	t.Run("builder error passes through", func(t *testing.T) {
		p, file := resolve(t, "extends: none\nenginetestbroken:\n  x: 1\n")
		_, err := Build(p)
		var pe *profile.Error
		if !errors.As(err, &pe) || pe.File != file || pe.Line != 3 {
			t.Fatalf("Plan error = %v, want the builder's *profile.Error at %s:3", err, file)
		}
	})
	t.Run("section of the wrong shape", func(t *testing.T) {
		p, file := resolve(t, "extends: none\nenginetest: [a]\n")
		_, err := Build(p)
		var pe *profile.Error
		if !errors.As(err, &pe) || pe.File != file || pe.Line != 2 {
			t.Fatalf("Plan error = %v, want *profile.Error at %s:2", err, file)
		}
	})
	t.Run("duplicate IDs", func(t *testing.T) {
		p, _ := resolve(t, "extends: none\nenginetest:\n  x: pass\nenginetestdup: [x]\n")
		_, err := Build(p)
		if err == nil || !strings.Contains(err.Error(), `"enginetest/x"`) {
			t.Fatalf("Plan error = %v, want one naming the duplicated ID", err)
		}
	})
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if v := recover(); v == nil || !strings.Contains(v.(string), kindTwice) {
			t.Errorf("second Register recovered %v, want a panic naming %s", v, kindTwice)
		}
	}()
	Register(Family{Name: kindTwice, Build: func(*yaml.Node, *profile.Profile) ([]Check, error) { return nil, nil }})
}

func TestRegisterWithoutBuilderPanics(t *testing.T) {
	defer func() {
		if v := recover(); v == nil {
			t.Error("Register of a family without a builder did not panic")
		}
	}()
	Register(Family{Name: "enginetest-no-builder"})
}

func TestKindsAndExplain(t *testing.T) {
	kinds := Kinds()
	for _, k := range []string{kindMain, kindOther, kindAlways, kindExpl} {
		found := false
		for _, got := range kinds {
			found = found || got == k
		}
		if !found {
			t.Errorf("Kinds() = %v lacks %s", kinds, k)
		}
	}
	for i := 1; i < len(kinds); i++ {
		if kinds[i-1] >= kinds[i] {
			t.Errorf("Kinds() not sorted: %v", kinds)
		}
	}
	m, ok := Explain("explained/thing")
	if !ok || m.Title != "explains thing" {
		t.Errorf("Explain(explained/thing) = %+v, %v", m, ok)
	}
	if _, ok := Explain("nobody/claims-this"); ok {
		t.Error("Explain of an unclaimed ID succeeded")
	}
	// The engine explains its own waiver checks, and documents them last.
	if m, ok := Explain("waiver/sysctl/*"); !ok || m.Category != WaiverCategory {
		t.Errorf("Explain(waiver/sysctl/*) = %+v, %v", m, ok)
	}
	fams := Families()
	if len(fams) != len(kinds)+1 || fams[len(fams)-1].Name != WaiverCategory || fams[len(fams)-1].Doc == "" {
		t.Errorf("Families() has %d families, want the %d kinds and then waiver with its doc", len(fams), len(kinds))
	}
	for i, k := range kinds {
		if fams[i].Name != k {
			t.Errorf("Families()[%d] = %s, want %s (sorted like Kinds)", i, fams[i].Name, k)
		}
	}
}

func TestBaseCarriesMeta(t *testing.T) {
	b := Base{M: Meta{ID: "x/y", Category: "x", Network: true}}
	if b.ID() != "x/y" || !reflect.DeepEqual(b.Meta(), b.M) {
		t.Errorf("Base = %q %+v", b.ID(), b.Meta())
	}
}
