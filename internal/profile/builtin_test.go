package profile

import (
	"io/fs"
	"reflect"
	"testing"

	"github.com/golive-sh/golive/profiles"
)

func TestMatchBlockAgreesWithFullParse(t *testing.T) {
	for _, n := range Builtins() {
		data, err := fs.ReadFile(profiles.FS, n+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		full, err := parseDocument(n, n, data, positions{})
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		part, err := parseDocument(n, n, matchBlock(data), positions{})
		if err != nil {
			t.Fatalf("%s match block: %v", n, err)
		}
		if !reflect.DeepEqual(full.match, part.match) {
			t.Errorf("%s: match block %+v, full parse %+v", n, part.match, full.match)
		}
		if n != Generic && len(full.match) == 0 {
			t.Errorf("%s: a distro profile without match rules is never detected", n)
		}
	}
}

func TestEveryBuiltinResolves(t *testing.T) {
	for _, n := range Builtins() {
		p, err := Resolve(Request{Profile: n})
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if p.Name != n {
			t.Errorf("%s resolved as %s", n, p.Name)
		}
		if _, err := p.Rules(p.Section("sysctl")); err != nil {
			t.Errorf("%s sysctl rules: %v", n, err)
		}
	}
}
