package profile

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The facts the tests of this package write, declared as a family would:
// this test binary links no family. glibc, ca_update_command and
// sysctl_defaults have the types their families give them.
var (
	testGlibc          = DeclareFact(FactSpec[string]{Key: "glibc", Family: "profile tests"})
	testUpdateCommand  = DeclareFact(FactSpec[[]string]{Key: "ca_update_command", Family: "profile tests"})
	testSysctlDefaults = DeclareFact(FactSpec[map[string]string]{Key: "sysctl_defaults", Family: "profile tests"})

	// A test family's own facts: a vetted scalar, a map and an optional bool.
	testLevel = DeclareFact(FactSpec[string]{Key: "test_level", Family: "testfamily", Doc: "low or high",
		Check: func(s string) error {
			if s != "low" && s != "high" {
				return errors.New("must be low or high")
			}
			return nil
		}})
	testLimits = DeclareFact(FactSpec[map[string]int]{Key: "test_limits", Family: "testfamily"})
	testSwitch = DeclareFact(FactSpec[*bool]{Key: "test_switch", Family: "testfamily"})
	// Two families that read one fact, as dns and libc both read glibc.
	testSharedOne = DeclareFact(FactSpec[string]{Key: "test_shared", Family: "reader one"})
	testSharedTwo = DeclareFact(FactSpec[string]{Key: "test_shared", Family: "reader two"})
)

func TestDeclaredFactResolvesThroughExtends(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"base.yaml": `extends: none
facts:
  distro: Base
  test_level: low
  test_limits:
    a: 1
    b: 2
    c: 3
  test_switch: false
`,
		"mid.yaml": `extends: base.yaml
facts:
  test_limits:
    b: 20
    c: null
`,
		"top.yaml": `extends: mid.yaml
facts:
  test_level: high
  test_limits:
    d: 4
  test_switch:
`,
	})
	p, err := resolveFile(t, filepath.Join(dir, "top.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := testLevel.Get(p); got != "high" {
		t.Errorf("test_level = %q, want high (the most specific file's)", got)
	}
	// Maps merge key by key, a null removes the base's key.
	if got, want := testLimits.Get(p), map[string]int{"a": 1, "b": 20, "d": 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("test_limits = %v, want %v", got, want)
	}
	// A key with no value adds nothing: the base's false stays.
	if got := testSwitch.Get(p); got == nil || *got {
		t.Errorf("test_switch = %v, want false from base.yaml", got)
	}
	if p.Facts.Distro != "Base" {
		t.Errorf("Facts.Distro = %q, want Base", p.Facts.Distro)
	}
	if got := testGlibc.Get(p); got != "" {
		t.Errorf("unset glibc = %q, want the zero value", got)
	}
	show, err := p.YAML()
	if err != nil || !strings.Contains(string(show), "test_level: high") {
		t.Errorf("profiles show:\n%s (%v)\nwants the merged declared facts", show, err)
	}
}

func TestDeclaredFactErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name       string
		base, top  string
		file, part string
		line       int
	}{
		{"wrong type in the base", "extends: none\nfacts:\n  distro: x\n  test_limits: {a: many}\n", "extends: base.yaml\n",
			"base.yaml", "expected ", 4},
		{"a list where a mapping is declared", "extends: none\n", "extends: base.yaml\nfacts:\n  test_limits: [1, 2]\n",
			"top.yaml", "expected ", 3},
		{"undeclared key", "extends: none\nfacts:\n  distro: x\n", "extends: base.yaml\nfacts:\n  test_levl: high\n",
			"top.yaml", `unknown key "test_levl" (known: `, 3},
		{"undeclared key in the base", "extends: none\nfacts:\n  cgroup: v2\n", "extends: base.yaml\n",
			"base.yaml", `unknown key "cgroup"`, 3},
		{"the declaration's check", "extends: none\nfacts:\n\n  test_level: medium\n", "extends: base.yaml\nfacts:\n  test_level: high\n",
			"base.yaml", `facts.test_level must be low or high`, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"base.yaml": tt.base, "top.yaml": tt.top})
			_, err := resolveFile(t, filepath.Join(dir, "top.yaml"))
			wantError(t, err, filepath.Join(dir, tt.file), tt.line, tt.part)
		})
	}
}

func TestUnknownFactListsDeclaredKeys(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.yaml": "extends: none\nfacts:\n  nope: 1\n"})
	_, err := resolveFile(t, filepath.Join(dir, "a.yaml"))
	if err == nil {
		t.Fatal("an undeclared fact resolved")
	}
	for _, key := range []string{"distro", "family", "package_manager", "glibc", "test_level", "test_limits"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("%v: the known keys lack %s", err, key)
		}
	}
}

func TestDeclareFactRefusesConflicts(t *testing.T) {
	for name, declare := range map[string]func(){
		"a second type":    func() { DeclareFact(FactSpec[int]{Key: "test_level", Family: "other"}) },
		"a field of Facts": func() { DeclareFact(FactSpec[string]{Key: "distro", Family: "other"}) },
		"no key":           func() { DeclareFact(FactSpec[string]{Family: "other"}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("declared without a panic")
				}
			}()
			declare()
		})
	}
}

func TestFactDeclaredTwiceIsOneFact(t *testing.T) {
	var families []string
	for _, f := range DeclaredFacts() {
		if f.Key == "test_shared" {
			families = f.Families
		}
	}
	if want := []string{"reader one", "reader two"}; !reflect.DeepEqual(families, want) {
		t.Errorf("test_shared declared by %v, want %v", families, want)
	}
	dir := writeFiles(t, map[string]string{"a.yaml": "extends: none\nfacts: {test_shared: x}\n"})
	p, err := resolveFile(t, filepath.Join(dir, "a.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if testSharedOne.Get(p) != "x" || testSharedTwo.Get(p) != "x" {
		t.Errorf("readers see %q and %q, want x for both", testSharedOne.Get(p), testSharedTwo.Get(p))
	}
}
