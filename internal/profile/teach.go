package profile

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/textfmt"
)

// Errors that teach: what a profile author reads when a file is wrong
// says what was expected in plain words, never a YAML tag (!!str) or a Go
// type, and suggests the fix when there is an obvious one.

// TopLevelKeys are the keys of a profile that no family owns; every other
// top-level key is a family's section.
var TopLevelKeys = []string{"name", "description", "extends", "match", "facts", "service", "options", "waivers"}

// UnknownKey is the message for key, which is none of known: every valid
// key, and the nearest one when it is close enough to be a typo. what
// names the kind of key ("key", "top-level key").
func UnknownKey(what, key string, known []string) string {
	msg := fmt.Sprintf("unknown %s %q", what, key)
	if near := Nearest(key, known); near != "" {
		msg += fmt.Sprintf(": did you mean %q?", near)
	}
	return msg + " (valid keys: " + strings.Join(known, ", ") + ")"
}

// Nearest returns the candidate within a small edit distance of s (a
// third of its length, at least 1, at most 3), or "".
func Nearest(s string, candidates []string) string {
	bound := min(max(len(s)/3, 1), 3)
	best, bestD := "", bound+1
	for _, c := range candidates {
		if d := textfmt.EditDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// typeMismatch says, in plain words, that n is not a value of type t.
func typeMismatch(n *yaml.Node, t reflect.Type) string {
	return fmt.Sprintf("expected %s, got %s", describeType(t), describeNode(n))
}

// describeType names what a Go type accepts, as a profile author writes it.
func describeType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if t.String() == "time.Duration" {
			return "a duration such as 30s"
		}
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a text value"
	case reflect.Slice, reflect.Array:
		return "a list of " + plural(describeType(t.Elem()))
	case reflect.Map, reflect.Struct:
		return "a mapping of keys to values"
	}
	return "a value"
}

// plural turns "a whole number" into "whole numbers", near enough for
// "a list of ...".
func plural(s string) string {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "an "), "a ")
	switch {
	case s == "true or false":
		return "true/false values"
	case strings.HasPrefix(s, "list of "):
		return "lists"
	case strings.HasPrefix(s, "mapping of "):
		return "mappings"
	case strings.HasPrefix(s, "duration"):
		return "durations"
	}
	first, rest, _ := strings.Cut(s, " ")
	if rest == "" {
		return first + "s"
	}
	return s + "s"
}

// describeNode says what was written, quoting a short scalar.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	switch n.Tag {
	case "!!null":
		return "nothing"
	case "!!int", "!!float":
		return "the number " + v
	case "!!bool":
		return "`" + v + "` (true or false)"
	}
	return "the text `" + v + "`"
}

// plainYAML rewrites the yaml library's wording of what it decodes
// ("cannot unmarshal !!str `fifty` into int") for messages that come from
// it directly.
var yamlTypeErr = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("cannot unmarshal !!(\\w+) `?([^`]*)`? into (\\S+)") })

func plainYAML(msg string) string {
	m := yamlTypeErr().FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	got := map[string]string{"seq": "a list", "map": "a mapping", "null": "nothing",
		"int": "the number " + m[2], "float": "the number " + m[2], "bool": "`" + m[2] + "` (true or false)"}[m[1]]
	if got == "" {
		got = "the text `" + m[2] + "`"
	}
	want := map[string]string{"int": "a whole number", "int64": "a whole number", "bool": "true or false",
		"string": "a text value", "float64": "a number", "time.Duration": "a duration such as 30s"}[m[3]]
	switch {
	case want != "":
	case strings.HasPrefix(m[3], "[]"):
		want = "a list"
	default:
		want = "a mapping of keys to values"
	}
	return "expected " + want + ", got " + got
}
