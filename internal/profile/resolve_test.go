package profile

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/host"
)

// keys lists a mapping node's keys in order.
func keys(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i].Value)
	}
	return out
}

// value returns the scalar value under key in a mapping node.
func value(n *yaml.Node, key string) (string, bool) {
	for i := 0; n != nil && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Value, true
		}
	}
	return "", false
}

func TestExtendsChainMergesInOrder(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"c.yaml": `name: base-c
description: the bottom
extends: none
facts:
  distro: C
  family: rhel
  glibc: "2.17"
sysctl:
  a: ">= 1"
  b: ">= 2"
  c: ">= 3"
os:
  kernel: ">= 3.10"
`,
		"sub/b.yaml": `name: middle-b
description: the middle
extends: ../c.yaml
facts:
  distro: B
sysctl:
  b: ">= 20"
  d: ">= 4"
`,
		"sub/a.yaml": `extends: b.yaml
facts:
  glibc: "2.28"
sysctl:
  a: ">= 100"
  e: ">= 5"
cgroup:
  version: v2
`,
	})
	p, err := resolveFile(t, filepath.Join(dir, "sub/a.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"c.yaml", "b.yaml", "a.yaml"}; !reflect.DeepEqual(p.Chain, want) {
		t.Errorf("Chain = %v, want %v", p.Chain, want)
	}
	// The most specific file names the profile: a.yaml has no name, so its
	// file name does.
	if p.Name != "a" {
		t.Errorf("Name = %q, want a (the file chosen with --profile)", p.Name)
	}
	want := Facts{Distro: "B", Family: "rhel"}
	if !reflect.DeepEqual(p.Facts, want) {
		t.Errorf("Facts = %+v, want %+v", p.Facts, want)
	}
	if got := testGlibc.Get(p); got != "2.28" {
		t.Errorf("facts.glibc = %q, want 2.28", got)
	}
	var kinds []string
	for _, s := range p.Sections {
		kinds = append(kinds, s.Kind)
	}
	if !reflect.DeepEqual(kinds, []string{"sysctl", "os", "cgroup"}) {
		t.Errorf("sections = %v, want base order then new ones: [sysctl os cgroup]", kinds)
	}
	sysctl := p.Section("sysctl")
	if got, want := keys(sysctl), []string{"a", "b", "c", "d", "e"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sysctl keys = %v, want %v (base order kept, new keys appended)", got, want)
	}
	for k, want := range map[string]string{"a": ">= 100", "b": ">= 20", "c": ">= 3", "d": ">= 4", "e": ">= 5"} {
		if got, _ := value(sysctl, k); got != want {
			t.Errorf("sysctl.%s = %q, want %q", k, got, want)
		}
	}
	// Positions survive merging: each rule says where it was written.
	rules, err := p.Rules(sysctl)
	if err != nil {
		t.Fatal(err)
	}
	where := map[string]string{}
	for _, r := range rules {
		where[r.Key] = r.Where
	}
	wantWhere := map[string]string{
		"a": filepath.Join(dir, "sub/a.yaml") + ":5",
		"b": filepath.Join(dir, "sub/b.yaml") + ":7",
		"c": filepath.Join(dir, "c.yaml") + ":11",
		"d": filepath.Join(dir, "sub/b.yaml") + ":8",
		"e": filepath.Join(dir, "sub/a.yaml") + ":6",
	}
	if !reflect.DeepEqual(where, wantWhere) {
		t.Errorf("rule positions = %v, want %v", where, wantWhere)
	}
}

func TestProfileNameComesFromTheMostSpecificFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"base.yaml":  "name: the-base\ndescription: base desc\nextends: none\n",
		"named.yaml": "name: the-child\ndescription: child desc\nextends: base.yaml\n",
	})
	p, err := resolveFile(t, filepath.Join(dir, "named.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "the-child" || p.Description != "child desc" {
		t.Errorf("Name %q Description %q, want the-child / child desc", p.Name, p.Description)
	}
}

func TestNullRemovesInheritedKeys(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"base.yaml": `extends: none
sysctl:
  a: ">= 1"
  b: ">= 2"
  c: ">= 3"
os:
  kernel: ">= 3.10"
selinux:
  mode: enforcing
`,
		"child.yaml": `extends: base.yaml
sysctl:
  b: null
  c: ~
  new: null
os: null
selinux: {mode: permissive}
`,
	})
	p, err := resolveFile(t, filepath.Join(dir, "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(p.Section("sysctl")); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("sysctl keys = %v, want [a]: null removes b and c, and a null new key is not added", got)
	}
	if p.Section("os") != nil {
		t.Errorf("os section survived `os: null` in the child")
	}
	if got, _ := value(p.Section("selinux"), "mode"); got != "permissive" {
		t.Errorf("selinux.mode = %q, want permissive", got)
	}
}

func TestNonMappingValueReplacesWholesale(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"base.yaml":  "extends: none\ndns:\n  names: [a, b]\nmysql:\n  - name: one\n",
		"child.yaml": "extends: base.yaml\ndns:\n  names: [c]\nmysql:\n  - name: two\n",
	})
	p, err := resolveFile(t, filepath.Join(dir, "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var dns struct {
		Names []string `yaml:"names"`
	}
	if err := p.DecodeStrict(p.Section("dns"), &dns); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dns.Names, []string{"c"}) {
		t.Errorf("dns.names = %v, want [c]: lists replace, they do not append", dns.Names)
	}
	if n := p.Section("mysql"); n.Kind != yaml.SequenceNode || len(n.Content) != 1 {
		t.Errorf("mysql = %v items, want the child's one", len(n.Content))
	}
}

func TestExtendsErrors(t *testing.T) {
	t.Run("cycle", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{
			"a.yaml": "extends: b.yaml\n",
			"b.yaml": "name: b\nextends: a.yaml\n",
		})
		_, err := resolveFile(t, filepath.Join(dir, "a.yaml"))
		wantError(t, err, filepath.Join(dir, "a.yaml"), 1, "cycle")
		if !strings.Contains(err.Error(), "b.yaml") {
			t.Errorf("cycle error %q does not show the chain", err)
		}
	})
	t.Run("self", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"self.yaml": "name: s\nextends: ./self.yaml\n"})
		_, err := resolveFile(t, filepath.Join(dir, "self.yaml"))
		wantError(t, err, filepath.Join(dir, "self.yaml"), 2, "cycle")
	})
	t.Run("depth limit", func(t *testing.T) {
		files := map[string]string{}
		for i := 0; i < maxChain+3; i++ {
			files[fmt.Sprintf("p%d.yaml", i)] = fmt.Sprintf("extends: p%d.yaml\n", i+1)
		}
		files[fmt.Sprintf("p%d.yaml", maxChain+3)] = "extends: none\n"
		dir := writeFiles(t, files)
		_, err := resolveFile(t, filepath.Join(dir, "p0.yaml"))
		var pe *Error
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "longer than") {
			t.Fatalf("error = %v, want *profile.Error about the chain length", err)
		}
	})
	t.Run("chain at the limit is fine", func(t *testing.T) {
		files := map[string]string{}
		for i := 0; i < maxChain; i++ {
			files[fmt.Sprintf("p%d.yaml", i)] = fmt.Sprintf("extends: p%d.yaml\n", i+1)
		}
		files[fmt.Sprintf("p%d.yaml", maxChain)] = "extends: none\nsysctl: {a: \"1\"}\n"
		dir := writeFiles(t, files)
		p, err := resolveFile(t, filepath.Join(dir, "p0.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Chain) != maxChain+1 {
			t.Errorf("Chain has %d files, want %d", len(p.Chain), maxChain+1)
		}
	})
	t.Run("missing parent names the extending file's line", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"a.yaml": "name: a\nextends: nothere.yaml\n"})
		_, err := resolveFile(t, filepath.Join(dir, "a.yaml"))
		var pe *Error
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "nothere.yaml") {
			t.Fatalf("error = %v, want a *profile.Error naming nothere.yaml", err)
		}
	})
	t.Run("unknown built-in", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"a.yaml": "extends: no-such-builtin-profile\n"})
		_, err := resolveFile(t, filepath.Join(dir, "a.yaml"))
		var pe *Error
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), `no built-in profile "no-such-builtin-profile"`) {
			t.Fatalf("error = %v, want a *profile.Error about the unknown built-in", err)
		}
	})
	t.Run("error in the parent names the parent", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{
			"base.yaml":  "extends: none\nfacts:\n  nope: 1\n",
			"child.yaml": "extends: base.yaml\nfacts:\n  distro: x\n",
		})
		_, err := resolveFile(t, filepath.Join(dir, "child.yaml"))
		wantError(t, err, filepath.Join(dir, "base.yaml"), 3, `unknown key "nope"`)
	})
	t.Run("wrong type in the parent names the parent", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{
			"base.yaml":  "extends: none\nfacts:\n  glibc: {v: 1}\n",
			"child.yaml": "extends: base.yaml\nfacts:\n  distro: x\n",
		})
		_, err := resolveFile(t, filepath.Join(dir, "child.yaml"))
		wantError(t, err, filepath.Join(dir, "base.yaml"), 3, "expected ")
	})
}

func TestRules(t *testing.T) {
	dir := writeFiles(t, map[string]string{"p.yaml": `extends: none
sysctl:
  net.core.somaxconn: ">= 65535"
  vm.swappiness: {expect: "<= 10", level: warn, why: "latency-sensitive service"}
  net.ipv4.tcp_rmem:
    expect: ">= 4096 87380 6291456"
    severity: high
  Kernel.Case_Kept: 1
`})
	file := filepath.Join(dir, "p.yaml")
	p, err := resolveFile(t, file)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := p.Rules(p.Section("sysctl"))
	if err != nil {
		t.Fatal(err)
	}
	type brief struct{ Key, Expect, Level, Severity, Why, Where string }
	var got []brief
	for _, r := range rules {
		got = append(got, brief{r.Key, r.Expect.String(), r.Level, r.Severity, r.Why, r.Where})
	}
	want := []brief{
		{"net.core.somaxconn", ">= 65535", LevelFail, "", "", file + ":3"},
		{"vm.swappiness", "<= 10", LevelWarn, "", "latency-sensitive service", file + ":4"},
		{"net.ipv4.tcp_rmem", ">= 4096 87380 6291456", LevelFail, "high", "", file + ":6"},
		{"Kernel.Case_Kept", "== 1", LevelFail, "", "", file + ":8"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Rules =\n%+v\nwant\n%+v", got, want)
	}
	if rules, err := p.Rules(nil); err != nil || rules != nil {
		t.Errorf("Rules(nil) = %v, %v; want nothing", rules, err)
	}
}

func TestRuleErrors(t *testing.T) {
	tests := []struct {
		name string
		rule string // the value of sysctl.k, on line 3 of the file
		line int
		part string
	}{
		{"bad level", `{expect: ">= 1", level: error}`, 3, "level must be fail or warn"},
		{"bad severity", `{expect: ">= 1", severity: urgent}`, 3, "severity must be one of"},
		{"unknown rule key", `{expect: ">= 1", levle: warn}`, 3, `unknown key "levle"`},
		{"missing expect", `{level: warn}`, 3, "needs an expect"},
		{"bad expectation", `"=> 5"`, 3, "unknown operator"},
		{"bad expectation in mapping", `{expect: ">= abc"}`, 3, "needs a number or version"},
		{"empty expectation", `""`, 3, "empty expectation"},
		{"null rule", `null`, 3, "must be a single value"},
		{"null expect", `{expect: null}`, 3, "must be a single value"},
		{"list rule", `[1, 2]`, 3, "expected an expectation"},
		{"list expect", `{expect: [1, 2]}`, 3, "must be a single value"},
		{"mapping expect", `{expect: {value: 1}}`, 3, "must be a single value"},
		{"level as a list", `{expect: ">= 1", level: [warn]}`, 3, "expected "},
		{"why as a mapping", `{expect: ">= 1", why: {a: b}}`, 3, "expected "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"p.yaml": "extends: none\nsysctl:\n  k: " + tt.rule + "\n"})
			file := filepath.Join(dir, "p.yaml")
			p, err := resolveFile(t, file)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Rules(p.Section("sysctl"))
			wantError(t, err, file, tt.line, tt.part)
		})
	}
	t.Run("section not a mapping", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"p.yaml": "extends: none\nsysctl: [a]\n"})
		file := filepath.Join(dir, "p.yaml")
		p, err := resolveFile(t, file)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Rules(p.Section("sysctl"))
		wantError(t, err, file, 2, "expected a mapping")
	})
}

// TestRuleErrorsNameTheChildFile: after merging, a rule the child wrote is
// reported at the child's file and line, not the base's.
func TestRuleErrorsNameTheChildFile(t *testing.T) {
	base := `extends: none
sysctl:
  a: ">= 1"
  b: {expect: "<= 10", level: warn}
  c: ">= 3"
`
	tests := []struct {
		name  string
		child string
		line  int
		part  string
	}{
		{"new key", "extends: base.yaml\n\nsysctl:\n  z: \">= abc\"\n", 4, "needs a number or version"},
		{"replaced scalar", "extends: base.yaml\nsysctl:\n  a: \"=> 1\"\n", 3, "unknown operator"},
		{"scalar replaced by a bad mapping", "extends: base.yaml\nsysctl:\n  a: {expect: \">= 1\", level: loud}\n", 3, "level must be"},
		{"mapping merged with a bad level", "extends: base.yaml\nsysctl:\n\n  b: {level: loud}\n", 4, "level must be"},
		{"mapping merged with an unknown key", "extends: base.yaml\nsysctl:\n  b:\n    severity: high\n    typo: 1\n", 5, `unknown key "typo"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"base.yaml": base, "child.yaml": tt.child})
			p, err := resolveFile(t, filepath.Join(dir, "child.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Rules(p.Section("sysctl"))
			wantError(t, err, filepath.Join(dir, "child.yaml"), tt.line, tt.part)
		})
	}
	t.Run("merged mapping keeps the base's expect", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"base.yaml": base, "child.yaml": "extends: base.yaml\nsysctl:\n  b: {level: fail, why: stricter here}\n"})
		p, err := resolveFile(t, filepath.Join(dir, "child.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		rules, err := p.Rules(p.Section("sysctl"))
		if err != nil {
			t.Fatal(err)
		}
		r := rules[1]
		if r.Key != "b" || r.Expect.String() != "<= 10" || r.Level != LevelFail || r.Why != "stricter here" {
			t.Errorf("merged rule = %+v", r)
		}
	})
}

func TestConfigLayersOnAuto(t *testing.T) {
	t.Run("no extends layers on the detected profile", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"golive.yaml": "sysctl:\n  my.own.key: \">= 1\"\n"})
		p, err := Resolve(Request{Config: filepath.Join(dir, "golive.yaml"), OS: nonexistentOS})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Chain) < 2 || p.Chain[0] != Generic || p.Chain[len(p.Chain)-1] != "golive.yaml" {
			t.Errorf("Chain = %v, want %s first and golive.yaml last", p.Chain, Generic)
		}
		if !p.Fallback {
			t.Error("Fallback not set for an os-release no profile matches")
		}
		if !strings.Contains(p.MatchedBy, "nonexistent-distro") {
			t.Errorf("MatchedBy = %q, want it to name the unmatched ID", p.MatchedBy)
		}
		if p.Name == "golive" {
			t.Errorf("Name = %q: a layered config must not name the profile", p.Name)
		}
		if _, ok := value(p.Section("sysctl"), "my.own.key"); !ok {
			t.Error("the config's own key is missing after layering")
		}
	})
	t.Run("explicit auto is the same", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"golive.yaml": "extends: auto\n"})
		p, err := Resolve(Request{Config: filepath.Join(dir, "golive.yaml"), OS: nonexistentOS})
		if err != nil {
			t.Fatal(err)
		}
		if p.Chain[0] != Generic || !p.Fallback {
			t.Errorf("Chain = %v Fallback %v, want %s first and Fallback", p.Chain, p.Fallback, Generic)
		}
	})
	t.Run("none stands alone", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"golive.yaml": "name: mine\nextends: none\nsysctl:\n  k: \"1\"\n"})
		p, err := Resolve(Request{Config: filepath.Join(dir, "golive.yaml"), OS: nonexistentOS})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p.Chain, []string{"golive.yaml"}) {
			t.Errorf("Chain = %v, want [golive.yaml]", p.Chain)
		}
		if p.Name != "mine" || p.Fallback {
			t.Errorf("Name %q Fallback %v, want mine, false", p.Name, p.Fallback)
		}
		if got := keys(p.Section("sysctl")); !reflect.DeepEqual(got, []string{"k"}) {
			t.Errorf("sysctl keys = %v, want only the config's", got)
		}
	})
	t.Run("auto in the config means the --profile choice", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{
			"base.yaml":   "name: chosen\nextends: none\nsysctl:\n  from.base: \"1\"\n",
			"golive.yaml": "sysctl:\n  from.config: \"2\"\n",
		})
		p, err := Resolve(Request{
			Profile: filepath.Join(dir, "base.yaml"),
			Config:  filepath.Join(dir, "golive.yaml"),
			OS:      nonexistentOS,
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p.Chain, []string{"base.yaml", "golive.yaml"}) {
			t.Errorf("Chain = %v, want [base.yaml golive.yaml]", p.Chain)
		}
		if p.Name != "chosen" || p.Fallback || p.MatchedBy != "chosen with --profile" {
			t.Errorf("Name %q Fallback %v MatchedBy %q", p.Name, p.Fallback, p.MatchedBy)
		}
		if got := keys(p.Section("sysctl")); !reflect.DeepEqual(got, []string{"from.base", "from.config"}) {
			t.Errorf("sysctl keys = %v", got)
		}
	})
	t.Run("config extending a file", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{
			"team/base.yaml": "extends: none\nname: team\n",
			"golive.yaml":    "extends: team/base.yaml\n",
		})
		p, err := Resolve(Request{Config: filepath.Join(dir, "golive.yaml"), OS: nonexistentOS})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p.Chain, []string{"base.yaml", "golive.yaml"}) || p.Name != "team" {
			t.Errorf("Chain = %v Name %q", p.Chain, p.Name)
		}
	})
	t.Run("error in the config", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"golive.yaml": "extends: none\nservice:\n  unit: a\n  nope: b\n"})
		file := filepath.Join(dir, "golive.yaml")
		_, err := Resolve(Request{Config: file, OS: nonexistentOS})
		wantError(t, err, file, 4, `unknown key "nope"`)
	})
}

func TestAutoFallsBackToGeneric(t *testing.T) {
	for _, rel := range []host.OSRelease{
		nonexistentOS,
		{ID: "nonexistent-distro", IDLike: []string{"also-nonexistent"}, VersionID: "1"},
	} {
		name, why, ok := Detect(rel)
		if ok || name != Generic {
			t.Errorf("Detect(%+v) = %q, %v; want %q, false", rel, name, ok, Generic)
		}
		if !strings.Contains(why, "nonexistent-distro") {
			t.Errorf("Detect why = %q, want it to name the ID", why)
		}
		for _, ref := range []string{"", Auto} {
			p, err := Resolve(Request{Profile: ref, OS: rel})
			if err != nil {
				t.Fatal(err)
			}
			if !p.Fallback || p.Chain[len(p.Chain)-1] != Generic {
				t.Errorf("Resolve(%q) Chain %v Fallback %v, want the generic profile as a fallback", ref, p.Chain, p.Fallback)
			}
		}
	}
}

func TestBuiltinsAreSortedNames(t *testing.T) {
	names := Builtins()
	found := false
	for i, n := range names {
		if strings.HasSuffix(n, ".yaml") {
			t.Errorf("Builtins()[%d] = %q keeps the extension", i, n)
		}
		if i > 0 && names[i-1] >= n {
			t.Errorf("Builtins() not sorted: %v", names)
		}
		if n == Generic {
			found = true
		}
	}
	if !found {
		t.Errorf("Builtins() = %v lacks the generic %q fallback", names, Generic)
	}
}

func TestMatchRule(t *testing.T) {
	rel := host.OSRelease{ID: "rocky", IDLike: []string{"rhel", "centos", "fedora"}, VersionID: "9.3"}
	tests := []struct {
		rule        MatchRule
		exact, like bool
	}{
		{MatchRule{ID: "rocky"}, true, false},
		{MatchRule{ID: "rocky", VersionID: "9*"}, true, false},
		{MatchRule{ID: "rocky", VersionID: "8*"}, false, false},
		{MatchRule{ID: "almalinux"}, false, false},
		{MatchRule{IDLike: "rhel", VersionID: "9.*"}, false, true},
		{MatchRule{IDLike: "debian"}, false, false},
		{MatchRule{VersionID: "9.3"}, false, false},
		{MatchRule{ID: "[", VersionID: "9.3"}, false, false}, // bad pattern never matches
	}
	for _, tt := range tests {
		exact, like := tt.rule.matches(rel)
		if exact != tt.exact || like != tt.like {
			t.Errorf("%+v.matches = %v, %v; want %v, %v", tt.rule, exact, like, tt.exact, tt.like)
		}
	}
}

func TestEmptySectionKeepsTheBaseButNullRemovesIt(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"base.yaml":   "description: the base\nsysctl:\n  kernel.a: \"1\"\n  kernel.b: \"2\"\n",
		"empty.yaml":  "extends: base.yaml\nsysctl:\n  # every entry commented out\n",
		"remove.yaml": "extends: base.yaml\nsysctl: null\n",
		"tilde.yaml":  "extends: base.yaml\nsysctl:\n  kernel.a: ~\n",
		"alone.yaml":  "sysctl:\n",
	})
	count := func(name string) (int, *Profile) {
		p, err := Resolve(Request{Profile: filepath.Join(dir, name)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rules, err := p.Rules(p.Section("sysctl"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return len(rules), p
	}
	if n, p := count("empty.yaml"); n != 2 || p.Description != "the base" {
		t.Errorf("empty section: %d rules, description %q; want the base's 2 rules and its description", n, p.Description)
	}
	if n, _ := count("remove.yaml"); n != 0 {
		t.Errorf("sysctl: null kept %d rules", n)
	}
	if n, _ := count("tilde.yaml"); n != 1 {
		t.Errorf("kernel.a: ~ left %d rules, want 1", n)
	}
	if n, _ := count("alone.yaml"); n != 0 {
		t.Errorf("an empty standalone section has %d rules", n)
	}
}

func TestFIFOAsProfileIsRefusedWithoutBlocking(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "p.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Resolve(Request{Profile: fifo}); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Resolve blocked on a FIFO")
	}
}
