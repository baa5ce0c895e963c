package profile

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/expect"
)

// Levels a rule can fail at.
const (
	LevelFail = "fail"
	LevelWarn = "warn"
)

// Severities, most severe first.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// Rule is one expectation of a family's section: the key (a sysctl name, a
// limit), what it must satisfy, the status a miss gives (fail or warn), and
// why it matters. Written either as a bare expectation or as a mapping:
//
//	net.core.somaxconn: ">= 65535"
//	vm.swappiness: {expect: "<= 10", level: warn, why: "latency-sensitive"}
type Rule struct {
	Key      string
	Expect   expect.Expectation
	Level    string
	Severity string // empty: the family's default
	Why      string
	Where    string // file:line of the rule
	// Optional marks a rule whose subject may legitimately be absent (a
	// sysctl key of a module the host may not load): absent, it is a skip
	// instead of a failure. Only sections that allow it accept optional:.
	Optional bool
}

// Builtin reports a rule written in a built-in profile, not in a file of
// the user's: its key may be absent on old kernels without the user having
// made a mistake.
func (r Rule) Builtin() bool { return strings.HasPrefix(r.Where, "builtin:") }

// RuleOption changes what Rules and Rule accept.
type RuleOption int

// AllowOptional accepts optional: true on a rule.
const AllowOptional RuleOption = 1

func allows(opts []RuleOption, o RuleOption) bool {
	for _, x := range opts {
		if x == o {
			return true
		}
	}
	return false
}

type ruleFields struct {
	Expect   yaml.Node `yaml:"expect"` // a value: yaml.v3 cannot decode into *yaml.Node
	Level    string    `yaml:"level"`
	Severity string    `yaml:"severity"`
	Why      string    `yaml:"why"`
	Optional *bool     `yaml:"optional"`
}

// Rules parses a mapping of key to rule, keeping the order written (after
// merging: base keys first, then keys added by later files).
func (p *Profile) Rules(sec *yaml.Node, opts ...RuleOption) ([]Rule, error) {
	if sec == nil {
		return nil, nil
	}
	if sec.Kind != yaml.MappingNode {
		return nil, p.Errorf(sec, "expected a mapping of names to expectations")
	}
	rules := make([]Rule, 0, len(sec.Content)/2)
	for i := 0; i+1 < len(sec.Content); i += 2 {
		r, err := p.Rule(sec.Content[i].Value, sec.Content[i+1], opts...)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// Rule parses one rule value.
func (p *Profile) Rule(key string, n *yaml.Node, opts ...RuleOption) (Rule, error) {
	r := Rule{Key: key, Level: LevelFail, Where: p.Where(n)}
	exprNode := n
	switch n.Kind {
	case yaml.ScalarNode:
	case yaml.MappingNode:
		var f ruleFields
		if err := p.DecodeStrict(n, &f); err != nil {
			return r, err
		}
		if f.Expect.Kind == 0 {
			return r, p.Errorf(n, "%s: rule needs an expect: key", key)
		}
		exprNode = FieldNode(n, "expect")
		if f.Level != "" {
			if f.Level != LevelFail && f.Level != LevelWarn {
				return r, p.Errorf(n, "%s: level must be fail or warn, not %q", key, f.Level)
			}
			r.Level = f.Level
		}
		if f.Severity != "" {
			if !validSeverity(f.Severity) {
				return r, p.Errorf(n, "%s: severity must be one of critical, high, medium, low, info, not %q", key, f.Severity)
			}
			r.Severity = f.Severity
		}
		r.Why = f.Why
		if f.Optional != nil {
			if !allows(opts, AllowOptional) {
				return r, p.Errorf(FieldNode(n, "optional"), "%s: optional: is not supported in this section", key)
			}
			r.Optional = *f.Optional
		}
	default:
		return r, p.Errorf(n, "%s: expected an expectation such as \">= 65535\" or a mapping with expect:", key)
	}
	if exprNode.Kind != yaml.ScalarNode || exprNode.Tag == "!!null" {
		return r, p.Errorf(exprNode, "%s: the expectation must be a single value such as \">= 65535\"", key)
	}
	e, err := expect.Parse(exprNode.Value)
	if err != nil {
		return r, p.Errorf(exprNode, "%s: %v", key, err)
	}
	r.Expect = e
	return r, nil
}

func validSeverity(s string) bool {
	for _, v := range Severities {
		if v == s {
			return true
		}
	}
	return false
}

// FieldNode returns the node under key in mapping m (m itself when the key
// is absent). Families use it after decoding, because decoding copies nodes
// and only the originals know which file they came from.
func FieldNode(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return m
}

// FieldKeyNode is the node naming key in mapping m (where the key is
// written, for a message about the whole entry), or m itself when m lacks
// the key.
func FieldKeyNode(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return m
}
