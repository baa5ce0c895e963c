package profiles

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestEveryValueNamesItsSource: every scalar value of a built-in profile
// (each leaf of a mapping or a sequence, block or flow style) carries a
// comment naming where it comes from — on its own line, or on the line of
// its key, or of the flow collection it is written in — or has one
// directly above that line.
func TestEveryValueNamesItsSource(t *testing.T) {
	names, err := fs.Glob(FS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no built-in profile")
	}
	values := 0
	for _, name := range names {
		data, err := fs.ReadFile(FS, name)
		if err != nil {
			t.Fatal(err)
		}
		missing, n, err := uncommentedValues(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		values += n
		for _, m := range missing {
			t.Errorf("%s:%s has no source comment", name, m)
		}
	}
	t.Logf("%d profiles, %d values", len(names), values)
}

// TestUncommentedValuesFindsEach pins the rule on small texts: what counts
// as a source comment, and that a value without one is found in every
// place a value can be.
func TestUncommentedValuesFindsEach(t *testing.T) {
	cases := []struct {
		name, text string
		missing    []string // "line: key" of each value without a comment
	}{
		{"same-line comment", "a: 1 # src\n", nil},
		{"head comment", "# src\na: 1\n", nil},
		{"no comment", "a: 1\n", []string{"1: a"}},
		{"head comment on the parent only", "# src\nm:\n  a: 1\n", []string{"3: m.a"}},
		{"head comment of a sibling does not carry over", "m:\n  # src\n  a: 1\n  b: 2\n", []string{"4: m.b"}},
		{"comment above a blank line is not directly above", "# src\n\na: 1\n", []string{"3: a"}},
		{"hash inside quotes is no comment", "a: \"x # y\"\nb: 'p # q'\n", []string{"1: a", "2: b"}},
		{"hash without a blank before it is no comment", "a: x#y\n", []string{"1: a"}},
		{"comment after a quoted hash", "a: \"x # y\" # src\n", nil},
		{"block sequence", "s:\n  - 1 # src\n  - 2\n", []string{"3: s[1]"}},
		{"block sequence, head comment", "s:\n  # src\n  - 1\n", nil},
		{"flow sequence on a commented line", "s: [1, 2] # src\n", nil},
		{"flow sequence without", "s: [1, 2]\n", []string{"1: s[0]", "1: s[1]"}},
		{"flow mapping in a sequence, head comment", "m:\n  # src\n  - {id: x, v: \"9*\"}\n  - {id: y}\n", []string{"4: m[1].id"}},
		{"flow mapping on a commented line", "m:\n  - {id: x, v: \"9*\"} # src\n", nil},
		{"multi-line flow mapping, comment on its first line", "m: {a: 1, # src\n  b: 2}\n", nil},
		{"multi-line flow mapping, comment on a later line", "m: {a: 1,\n  b: 2} # src\n", []string{"1: m.a"}},
		{"multi-line flow sequence, comment on its first line", "s: [1, # src\n  2]\n", nil},
		{"null leaf", "a:\n", []string{"1: a"}},
		{"nested mapping", "# top\nm:\n  n:\n    a: 1 # src\n    b: 2\n", []string{"5: m.n.b"}},
		{"indented comment above a key", "m:\n    # src\n  a: 1\n", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _, err := uncommentedValues([]byte(c.text))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(c.missing, "|") {
				t.Errorf("%q: missing %q, want %q", c.text, got, c.missing)
			}
		})
	}
}

// uncommentedValues returns "line: path" for every scalar value of a YAML
// document that has no source comment, and how many values it has.
func uncommentedValues(data []byte) (missing []string, values int, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, 0, err
	}
	lines := strings.Split(string(data), "\n")
	// commented is a line (1-based) that ends in a comment or has a whole
	// comment line directly above it.
	commented := func(n int) bool {
		if n < 1 || n > len(lines) {
			return false
		}
		if hasComment(lines[n-1]) {
			return true
		}
		return n >= 2 && strings.HasPrefix(strings.TrimSpace(lines[n-2]), "#")
	}
	// flows are the first lines of the flow collections a value is
	// written in: a comment there covers the whole collection.
	var walk func(n *yaml.Node, path string, flows []int)
	walk = func(n *yaml.Node, path string, flows []int) {
		if (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle != 0 {
			flows = append(flows[:len(flows):len(flows)], n.Line)
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path, flows)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				if v.Kind == yaml.ScalarNode && v.Line != k.Line && commented(k.Line) {
					values++ // a value on the line after its key: the key's comment
					continue
				}
				walk(v, p, flows)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, fmt.Sprintf("%s[%d]", path, i), flows)
			}
		case yaml.ScalarNode, yaml.AliasNode:
			values++
			if commented(n.Line) {
				return
			}
			for _, l := range flows {
				if commented(l) {
					return
				}
			}
			missing = append(missing, fmt.Sprintf("%d: %s", n.Line, path))
		}
	}
	walk(&doc, "", nil)
	return missing, values, nil
}

// hasComment reports whether a YAML line ends in a comment: a # at the
// start of the line or after a blank, outside quotes.
func hasComment(line string) bool {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == '"' && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				if quote == '\'' && i+1 < len(line) && line[i+1] == '\'' {
					i++
					continue
				}
				quote = 0
			}
		case c == '"' || c == '\'':
			if i == 0 || strings.ContainsRune(" \t:[{,-", rune(line[i-1])) {
				quote = c
			}
		case c == '#':
			if i == 0 || line[i-1] == ' ' || line[i-1] == '\t' {
				return true
			}
		}
	}
	return false
}
