package all

import (
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// Every family says what its section accepts, and every key it accepts
// says what it is: docs/profile.schema.json and docs/profile-reference.md
// are generated from these descriptions.
func TestEveryFamilyDescribesItsSection(t *testing.T) {
	for _, f := range engine.Families() {
		if f.Name == engine.WaiverCategory || f.Name == "testsleep" {
			continue // no section: the engine's own checks; a test family
		}
		if f.Section == nil {
			t.Errorf("family %s registers no Section", f.Name)
			continue
		}
		sec := f.Section()
		if sec.Doc == "" {
			t.Errorf("%s: the section has no doc", f.Name)
		}
		walk(t, f.Name, sec)
	}
}

func walk(t *testing.T, path string, s *profile.Shape) {
	for _, fl := range s.Fields {
		if fl.Doc == "" {
			t.Errorf("%s.%s has no doc", path, fl.Key)
		}
		walk(t, path+"."+fl.Key, fl.Shape)
	}
	for _, a := range s.OneOf {
		walk(t, path, a)
	}
	if s.Items != nil {
		walk(t, path+"[]", s.Items)
	}
	if s.Values != nil {
		walk(t, path+".<key>", s.Values)
	}
}
