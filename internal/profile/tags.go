package profile

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The struct tags below are how a profile key's definition carries what
// the strict decoder enforces and what the JSON Schema and the profile
// reference say (docs/profile.schema.json, docs/profile-reference.md):
// one place, so the parser and the documents cannot disagree.
//
//	doc:"..."        what the key means (one or two sentences)
//	default:"..."    what holds when the key is absent
//	example:"..."    a value as it would be written in YAML
//	enum:"a,b,c"     the only values accepted
//	min:"N" max:"N"  bounds of an integer
//	maxItems:"N"     the most entries a list may hold
//	format:"F"       duration (a positive Go duration: 30s, 2m), date
//	                 (YYYY-MM-DD) or path (absolute)
//	shape:"name"     for a yaml.Node field, the name of the shape its
//	                 family describes it with (Describe)
type tags struct {
	Doc, Default, Example, Format, Shape string
	Enum                                 []string
	Min, Max                             *int64
	MaxItems                             int
}

func tagsOf(f reflect.StructField) tags {
	t := tags{
		Doc: f.Tag.Get("doc"), Default: f.Tag.Get("default"), Example: f.Tag.Get("example"),
		Format: f.Tag.Get("format"), Shape: f.Tag.Get("shape"),
	}
	if e := f.Tag.Get("enum"); e != "" {
		t.Enum = strings.Split(e, ",")
	}
	num := func(key string) *int64 {
		s := f.Tag.Get(key)
		if s == "" {
			return nil
		}
		v, err := strconv.ParseInt(s, 0, 64)
		if err != nil {
			panic(fmt.Sprintf("profile: %s tag %s:%q is not a number", f.Name, key, s))
		}
		return &v
	}
	t.Min, t.Max = num("min"), num("max")
	if m := num("maxItems"); m != nil {
		t.MaxItems = int(*m)
	}
	return t
}

// checkLimits enforces a field's enum, bounds, list cap and format on the
// value written under key. Type errors are found before it runs.
func (p positions) checkLimits(key string, n *yaml.Node, t tags) error {
	if n.Tag == "!!null" {
		return nil
	}
	if t.MaxItems > 0 && n.Kind == yaml.SequenceNode && len(n.Content) > t.MaxItems {
		return p.errorf(n, "%s: %d entries, at most %d", key, len(n.Content), t.MaxItems)
	}
	if n.Kind != yaml.ScalarNode {
		return nil
	}
	if len(t.Enum) > 0 && !contains(t.Enum, n.Value) {
		return p.errorf(n, "%s: %q is not one of %s", key, n.Value, strings.Join(t.Enum, ", "))
	}
	if t.Min != nil || t.Max != nil {
		v, err := strconv.ParseInt(n.Value, 0, 64)
		if err == nil && (t.Min != nil && v < *t.Min || t.Max != nil && v > *t.Max) {
			return p.errorf(n, "%s: %d is out of range (%s)", key, v, t.bounds())
		}
	}
	switch t.Format {
	case "duration":
		if d, err := time.ParseDuration(n.Value); err != nil || d <= 0 {
			return p.errorf(n, "%s: %q is not a positive duration such as 30s or 2m", key, n.Value)
		}
	case "date":
		if _, err := time.Parse(time.DateOnly, n.Value); err != nil {
			return p.errorf(n, "%s: %q is not a date (YYYY-MM-DD)", key, n.Value)
		}
	}
	return nil
}

func (t tags) bounds() string {
	switch {
	case t.Min != nil && t.Max != nil:
		return fmt.Sprintf("%d to %d", *t.Min, *t.Max)
	case t.Min != nil:
		return fmt.Sprintf("at least %d", *t.Min)
	default:
		return fmt.Sprintf("at most %d", *t.Max)
	}
}

func contains(set []string, s string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}
