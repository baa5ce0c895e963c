package profile

import (
	"path/filepath"
	"testing"
)

func TestOptionalRules(t *testing.T) {
	const yaml = "extends: none\nsysctl:\n  a: {expect: \">= 1\", optional: true}\n  b: {expect: \">= 1\", optional: false}\n  c: \">= 1\"\n"
	dir := writeFiles(t, map[string]string{"p.yaml": yaml})
	file := filepath.Join(dir, "p.yaml")
	p, err := resolveFile(t, file)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := p.Rules(p.Section("sysctl"), AllowOptional)
	if err != nil {
		t.Fatal(err)
	}
	if !rules[0].Optional || rules[1].Optional || rules[2].Optional {
		t.Errorf("optional = %v %v %v, want true false false", rules[0].Optional, rules[1].Optional, rules[2].Optional)
	}
	if rules[0].Builtin() {
		t.Errorf("a rule of %s reported as built-in", file)
	}
	// A section that does not allow optional: rejects it at its line.
	_, err = p.Rules(p.Section("sysctl"))
	wantError(t, err, file, 3, "optional: is not supported")
}

func TestOptionalRuleErrors(t *testing.T) {
	for name, rule := range map[string]string{
		"not a boolean": `{expect: ">= 1", optional: maybe}`,
		"a list":        `{expect: ">= 1", optional: [true]}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"p.yaml": "extends: none\nsysctl:\n  k: " + rule + "\n"})
			file := filepath.Join(dir, "p.yaml")
			p, err := resolveFile(t, file)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Rules(p.Section("sysctl"), AllowOptional)
			wantError(t, err, file, 3, "expected ")
		})
	}
}

func TestBuiltinRulesKnowTheirOrigin(t *testing.T) {
	p, err := Resolve(Request{Profile: "linux"})
	if err != nil {
		t.Fatal(err)
	}
	rules, err := p.Rules(p.Section("sysctl"), AllowOptional)
	if err != nil || len(rules) == 0 {
		t.Fatal(rules, err)
	}
	for _, r := range rules {
		if !r.Builtin() {
			t.Errorf("%s at %s: not built-in", r.Key, r.Where)
		}
	}
}
