package profile

import (
	"fmt"
	"reflect"
	"sort"
)

// Shape describes what a profile key accepts: the JSON Schema
// (docs/profile.schema.json) and the profile reference
// (docs/profile-reference.md) are generated from the shapes of the
// definitions the parser decodes with, so they cannot drift from it.
type Shape struct {
	// Kind is object (fixed keys), map (free keys), list, text, integer,
	// boolean, rule (an expectation) or oneOf.
	Kind                                    string
	Doc, Default, Example, Format, Required string
	Enum                                    []string
	Min, Max                                *int64
	MaxItems                                int
	Fields                                  []Field  // object
	Values                                  *Shape   // map
	KeyDoc                                  string   // map: what a key is
	Items                                   *Shape   // list
	OneOf                                   []*Shape // oneOf
}

// Field is one key of an object shape.
type Field struct {
	Key string
	*Shape
}

// Shape kinds.
const (
	KindObject  = "object"
	KindMap     = "map"
	KindList    = "list"
	KindText    = "text"
	KindInteger = "integer"
	KindBoolean = "boolean"
	KindRule    = "rule"
	KindOneOf   = "oneOf"
)

// Named gives the shapes of a section's yaml.Node fields (tag shape:"name"),
// which a family parses itself.
type Named map[string]*Shape

// Describe returns the shape of v, a struct the family decodes its
// section into with DecodeStrict: its yaml keys, types and tags. doc says
// what the section is for.
func Describe(v any, doc string, named Named) *Shape {
	s := shapeOfType(reflect.TypeOf(v), named)
	s.Doc = doc
	return s
}

func shapeOfType(t reflect.Type, named Named) *Shape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		s := &Shape{Kind: KindObject}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			key := yamlKey(f)
			if key == "" {
				continue
			}
			tg := tagsOf(f)
			var fs *Shape
			if f.Type == nodeType || f.Type.Kind() == reflect.Slice && f.Type.Elem() == nodeType {
				if named[tg.Shape] == nil {
					panic(fmt.Sprintf("profile.Describe: %s.%s is a yaml.Node with no shape (tag shape:%q)", t.Name(), f.Name, tg.Shape))
				}
				c := *named[tg.Shape]
				fs = &c
			} else {
				fs = shapeOfType(f.Type, named)
			}
			fs.Doc, fs.Default, fs.Example, fs.Format = tg.Doc, tg.Default, tg.Example, tg.Format
			if fs.Doc == "" {
				fs.Doc = named[tg.Shape].docOrEmpty()
			}
			fs.Enum, fs.Min, fs.Max = tg.Enum, tg.Min, tg.Max
			if tg.MaxItems > 0 {
				fs.MaxItems = tg.MaxItems
			}
			fs.Required = f.Tag.Get("required")
			s.Fields = append(s.Fields, Field{Key: key, Shape: fs})
		}
		return s
	case reflect.Slice:
		return &Shape{Kind: KindList, Items: shapeOfType(t.Elem(), named)}
	case reflect.Map:
		return &Shape{Kind: KindMap, Values: shapeOfType(t.Elem(), named)}
	case reflect.Bool:
		return &Shape{Kind: KindBoolean}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &Shape{Kind: KindInteger}
	}
	return &Shape{Kind: KindText}
}

func (s *Shape) docOrEmpty() string {
	if s == nil {
		return ""
	}
	return s.Doc
}

// Text, Rule, Rules, ListOf, MapOf and OneOf build the shapes of values a
// family parses itself.

// Text is a text value.
func Text(doc, example string) *Shape { return &Shape{Kind: KindText, Doc: doc, Example: example} }

// RuleShape is one rule (Profile.Rule): an expectation, or a mapping with
// expect:, level:, severity:, why: (and optional: where the section
// allows it).
func RuleShape(doc, example string, opts ...RuleOption) *Shape {
	fields := []Field{
		{"expect", &Shape{Kind: KindRule, Doc: "The expectation: >= N, > N, <= N, < N, == V, != V, in [a, b], or a bare value (equality).", Example: `">= 65535"`}},
		{"level", &Shape{Kind: KindText, Doc: "The status a miss gives.", Default: LevelFail, Enum: []string{LevelFail, LevelWarn}}},
		{"severity", &Shape{Kind: KindText, Doc: "The finding's severity in reports (default: the family's).", Enum: Severities}},
		{"why", &Shape{Kind: KindText, Doc: "Why the rule matters, shown in explain and reports."}},
	}
	fields[0].Required = "true"
	if allows(opts, AllowOptional) {
		fields = append(fields, Field{"optional", &Shape{Kind: KindBoolean, Doc: "The key may be absent on this host (a module not loaded): absent is a skip, not a failure.", Default: "false"}})
	}
	return &Shape{Kind: KindOneOf, Doc: doc, Example: example, OneOf: []*Shape{
		{Kind: KindRule, Doc: "An expectation such as \">= 65535\"."},
		{Kind: KindObject, Doc: "A rule with its level, severity and why.", Fields: fields},
	}}
}

// Rules is a mapping of names (keyDoc) to rules (Profile.Rules).
func Rules(doc, keyDoc, example string, opts ...RuleOption) *Shape {
	return &Shape{Kind: KindMap, Doc: doc, KeyDoc: keyDoc, Example: example, Values: RuleShape("", "", opts...)}
}

// ListOf is a list of items.
func ListOf(doc, example string, items *Shape) *Shape {
	return &Shape{Kind: KindList, Doc: doc, Example: example, Items: items}
}

// MapOf is a mapping of keys (keyDoc) to values.
func MapOf(doc, keyDoc, example string, values *Shape) *Shape {
	return &Shape{Kind: KindMap, Doc: doc, KeyDoc: keyDoc, Example: example, Values: values}
}

// OneOf is any of the alternatives.
func OneOf(doc, example string, alts ...*Shape) *Shape {
	return &Shape{Kind: KindOneOf, Doc: doc, Example: example, OneOf: alts}
}

// Of is the shape of a struct an entry is decoded into, such as a list
// item written as a mapping.
func Of(v any, doc string) *Shape { return Describe(v, doc, nil) }

// ProfileShape is the whole profile: the keys no family owns, then each
// family's section, by name.
func ProfileShape(sections map[string]*Shape) *Shape {
	top := &Shape{Kind: KindObject, Doc: "A golive profile: what a ready host looks like."}
	add := func(key string, s *Shape) { top.Fields = append(top.Fields, Field{Key: key, Shape: s}) }
	add("name", Text("The profile's name (a built-in's file name when absent).", "payments"))
	add("description", Text("What the profile is for.", "Payments API on Rocky 9"))
	add("extends", Text("The profile this file layers on: auto (the detected distro's built-in, the default for a service's golive.yaml), none, a built-in name, or a file path relative to this file.", "auto"))
	add("match", ListOf("Built-in distro profiles only: os-release patterns; a profile matches when any entry does.", "[{id: rocky, version_id: \"9*\"}]",
		Of(MatchRule{}, "Every field given must match.")))
	add("facts", factsShape())
	add("service", Describe(Service{}, "The service being readied; several families read it.", nil))
	add("options", Describe(Options{}, "Defaults for golive check's flags; a flag or GOLIVE_* variable overrides them, but a bad value here is an error at its line either way.", nil))
	add("waivers", ListOf("Accepted findings, each with a reason, a ticket and an end date. Waivers add up along extends: a file's entry for the same check replaces the inherited one, {check: X, drop: true} removes it, and waivers: null removes every inherited waiver.", "",
		OneOf("", "", Of(Waiver{}, "One waiver: every field is required."), Of(waiverDrop{}, "Removes the waiver an extended file has for check."))))
	names := make([]string, 0, len(sections))
	for n := range sections {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		add(n, sections[n])
	}
	return top
}

// factsShape is facts:, the keys of Facts and every declared fact.
func factsShape() *Shape {
	s := Describe(Facts{}, "What families and remediation need to know about the distro. Usually set by the built-in profiles only.", nil)
	for _, d := range declaredSorted() {
		fs := shapeOfType(d.typ, nil)
		fs.Doc = d.Doc
		s.Fields = append(s.Fields, Field{Key: d.Key, Shape: fs})
	}
	return s
}

func declaredSorted() []*declaredFact {
	out := make([]*declaredFact, 0, len(declared))
	for _, d := range declared {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
