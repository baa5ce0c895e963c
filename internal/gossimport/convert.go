package gossimport

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Result is the imported profile and what it says about the import.
type Result struct {
	YAML []byte
	// Imported counts resources written as golive configuration, Skipped
	// those written only as comments (with the reason).
	Imported, Skipped int
}

// section collects one golive section's entries and comments.
type section struct {
	name    string
	entries []*yaml.Node // key, value pairs
	list    []*yaml.Node // for list-shaped sections (service.ports, dns.names)
}

type converter struct {
	sections map[string]*section
	notes    []string
	res      *Result
	ports    map[string]bool // service.ports entries written, port/proto
}

// notImported are goss resource types golive has no family for, and why.
var notImported = map[string]string{
	"command":   "golive check never runs programs on the host (it only reads); a command's question needs its own family",
	"addr":      "golive has no generic TCP reachability check; name the dependency (etcd, mysql, tls, http sections) instead",
	"interface": "golive has no network interface family",
	"matching":  "golive has no family comparing arbitrary values",
	"service":   "golive's systemd family checks the service's own unit (service.unit and the systemd section), not every unit on the host",
}

// Convert writes golive.yaml sections for the resources.
func Convert(r *Resources) (*Result, error) {
	c := &converter{sections: map[string]*section{}, res: &Result{}}
	types := make([]string, 0, len(r.ByType))
	for t := range r.ByType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		keys := make([]string, 0, len(r.ByType[t]))
		for k := range r.ByType[t] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			res := r.ByType[t][k]
			if why, ok := notImported[t]; ok {
				c.skip(t, k, res.From, why)
				continue
			}
			conv, ok := converters[t]
			if !ok {
				c.skip(t, k, res.From, "golive does not know this goss resource type")
				continue
			}
			if err := conv(c, k, res); err != nil {
				c.skip(t, k, res.From, err.Error())
				continue
			}
			c.res.Imported++
		}
	}
	return c.res, c.render()
}

func (c *converter) skip(t, k, from, why string) {
	c.notes = append(c.notes, fmt.Sprintf("goss %s %q (%s): not imported: %s", t, k, from, why))
	c.res.Skipped++
}

func (c *converter) sec(name string) *section {
	s, ok := c.sections[name]
	if !ok {
		s = &section{name: name}
		c.sections[name] = s
	}
	return s
}

// entry adds key: {fields} to a mapping section, with a comment naming
// the goss resource and the attributes left out.
func (c *converter) entry(secName, key string, fields []*yaml.Node, from string, dropped []string) {
	k := str(key)
	k.HeadComment = "from goss " + from
	if len(dropped) > 0 {
		sort.Strings(dropped)
		k.HeadComment += "; not imported: " + strings.Join(dropped, "; ")
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: fields}
	s := c.sec(secName)
	s.entries = append(s.entries, k, v)
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
func quoted(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}
func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}
func integer(n int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(n)}
}
func strList(xs []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, x := range xs {
		n.Content = append(n.Content, quoted(x))
	}
	return n
}

// order is the sections' order in the output.
var order = []string{"service", "file", "package", "user", "group", "sysctl", "mount", "process", "http", "dns"}

func (c *converter) render() error {
	root := &yaml.Node{Kind: yaml.MappingNode}
	root.Content = append(root.Content, str("extends"), str("auto"))
	root.Content[0].HeadComment = "Imported from a gossfile by golive import goss. Review before use:\n" +
		"golive judges some attributes more strictly or differently than goss (see docs/goss.md)."
	for _, name := range order {
		s, ok := c.sections[name]
		if !ok {
			continue
		}
		var val *yaml.Node
		switch name {
		case "service":
			val = &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str("ports"), {Kind: yaml.SequenceNode, Content: s.list}}}
		case "dns":
			val = &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str("names"), {Kind: yaml.SequenceNode, Content: s.list}}}
		default:
			val = &yaml.Node{Kind: yaml.MappingNode, Content: s.entries}
		}
		root.Content = append(root.Content, str(name), val)
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	if len(c.notes) > 0 {
		doc.FootComment = strings.Join(c.notes, "\n")
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	c.res.YAML = []byte(b.String())
	return nil
}

// attrs is a resource's attributes with accessors that record which were
// used, so that every other one is named as not imported.
type attrs struct {
	m    map[string]any
	used map[string]bool
	bad  []string
}

func newAttrs(m map[string]any) *attrs { return &attrs{m: m, used: map[string]bool{}} }

func (a *attrs) get(k string) (any, bool) {
	v, ok := a.m[k]
	a.used[k] = true
	return v, ok
}

func (a *attrs) boolean(k string) (bool, bool) {
	v, ok := a.get(k)
	if !ok {
		return false, false
	}
	b, isBool := v.(bool)
	if !isBool {
		a.bad = append(a.bad, fmt.Sprintf("%s: %v (a matcher golive does not express)", k, v))
		return false, false
	}
	return b, true
}

// text reads a string or a number as text.
func (a *attrs) text(k string) (string, bool) {
	v, ok := a.get(k)
	if !ok {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case int:
		return strconv.Itoa(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	a.bad = append(a.bad, fmt.Sprintf("%s: %v (a matcher golive does not express)", k, v))
	return "", false
}

func (a *attrs) strings(k string) ([]string, bool) {
	v, ok := a.get(k)
	if !ok {
		return nil, false
	}
	list, isList := v.([]any)
	if !isList {
		a.bad = append(a.bad, fmt.Sprintf("%s: %v (a matcher golive does not express)", k, v))
		return nil, false
	}
	var out []string
	for _, x := range list {
		switch y := x.(type) {
		case string:
			out = append(out, y)
		case int:
			out = append(out, strconv.Itoa(y))
		default:
			a.bad = append(a.bad, fmt.Sprintf("%s: %v (a matcher golive does not express)", k, x))
			return nil, false
		}
	}
	return out, true
}

// dropped names the attributes not read, and the ones read that golive
// could not express.
func (a *attrs) dropped(reasons map[string]string) []string {
	out := append([]string{}, a.bad...)
	for k := range a.m {
		if a.used[k] || k == "skip" || k == "title" || k == "meta" {
			continue
		}
		why := reasons[k]
		if why == "" {
			why = "golive has no such aspect"
		}
		out = append(out, k+": "+why)
	}
	return out
}

// absent names the attributes of a resource that must not exist: golive
// checks only the absence.
func (a *attrs) absent() []string {
	var out []string
	for k := range a.m {
		if !a.used[k] && k != "skip" && k != "title" && k != "meta" {
			out = append(out, k+": golive checks only that it does not exist (exists: false)")
		}
	}
	return out
}

// skipped reports a goss resource marked skip: true.
func skipped(a map[string]any) bool {
	b, _ := a["skip"].(bool)
	return b
}

func isAbs(p string) bool {
	return path.IsAbs(p) && path.Clean(p) == strings.TrimSuffix(p, "/") || p == "/"
}
