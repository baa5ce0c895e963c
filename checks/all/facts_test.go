package all_test

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/profile"
	builtin "github.com/golive-sh/golive/profiles"
)

// TestBuiltinFactsAreDeclared: a built-in profile's facts may name a family
// a binary does not link (profile.Resolve lets a built-in through for
// that), so here, with every family linked, each key a built-in writes
// under facts: must be a field of profile.Facts or declared by a family,
// and every built-in must resolve.
func TestBuiltinFactsAreDeclared(t *testing.T) {
	known := map[string]bool{}
	for _, f := range profile.DeclaredFacts() {
		known[f.Key] = true
	}
	ft := reflect.TypeFor[profile.Facts]()
	for i := 0; i < ft.NumField(); i++ {
		name, _, _ := strings.Cut(ft.Field(i).Tag.Get("yaml"), ",")
		known[name] = true
	}
	for _, name := range profile.Builtins() {
		data, err := fs.ReadFile(builtin.FS, name+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Facts map[string]yaml.Node `yaml:"facts"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for key := range doc.Facts {
			if !known[key] {
				t.Errorf("%s: facts.%s is declared by no family", name, key)
			}
		}
		if _, err := profile.Resolve(profile.Request{Profile: name}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
