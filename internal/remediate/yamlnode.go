package remediate

import "go.yaml.in/yaml/v3"

// The playbook is built as YAML nodes, never as text: the encoder quotes.
// Ansible evaluates Jinja2 in every string it reads, so any value that
// comes from a report or a profile is tagged !unsafe (inert: "{{ }}" in it
// stays text); only golive's own expressions are plain strings.

// unsafe is outside text, never templated. Double quotes let any
// character, newlines included, round-trip.
func unsafe(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!unsafe", Value: s, Style: yaml.DoubleQuotedStyle}
}

// expr is golive's own string: a Jinja2 expression or a fixed word.
func expr(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func boolean(b bool) *yaml.Node {
	v := "false"
	if b {
		v = "true"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v}
}

// mapping builds a map from key, value pairs; a nil value leaves the pair out.
func mapping(pairs ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(pairs); i += 2 {
		v, _ := pairs[i+1].(*yaml.Node)
		if v == nil {
			continue
		}
		m.Content = append(m.Content, expr(pairs[i].(string)), v)
	}
	return m
}

func sequence(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
}

// unsafeList is a list of outside strings (a command's argv).
func unsafeList(ss []string) *yaml.Node {
	n := sequence()
	for _, s := range ss {
		n.Content = append(n.Content, unsafe(s))
	}
	return n
}
