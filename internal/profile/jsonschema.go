package profile

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// SchemaID is the $id of docs/profile.schema.json.
const SchemaID = "https://raw.githubusercontent.com/golive-sh/golive/main/docs/profile.schema.json"

// JSONSchema renders top (ProfileShape) as a JSON Schema (draft 2020-12)
// for editors: the YAML language server completes and checks a profile
// with it. Every key may be null, which removes what a base profile says;
// text keys accept numbers and booleans, which the parser reads as text.
func JSONSchema(top *Shape) ([]byte, error) {
	root := schemaOf(top)
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = SchemaID
	root["title"] = "golive profile (golive.yaml)"
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func schemaOf(s *Shape) map[string]any {
	out := map[string]any{}
	if s.Doc != "" {
		out["description"] = s.Doc
	}
	switch s.Kind {
	case KindObject:
		out["type"] = []string{"object", "null"}
		props := map[string]any{}
		var required []string
		for _, f := range s.Fields {
			props[f.Key] = schemaOf(f.Shape)
			if f.Required == "true" {
				required = append(required, f.Key)
			}
		}
		out["properties"] = props
		out["additionalProperties"] = false
		if len(required) > 0 {
			out["required"] = required
		}
	case KindMap:
		out["type"] = []string{"object", "null"}
		out["additionalProperties"] = schemaOf(s.Values)
	case KindList:
		out["type"] = []string{"array", "null"}
		out["items"] = schemaOf(s.Items)
		if s.MaxItems > 0 {
			out["maxItems"] = s.MaxItems
		}
	case KindInteger:
		out["type"] = []string{"integer", "null"}
		if s.Min != nil {
			out["minimum"] = *s.Min
		}
		if s.Max != nil {
			out["maximum"] = *s.Max
		}
	case KindBoolean:
		out["type"] = []string{"boolean", "null"}
	case KindText, KindRule:
		out["type"] = []string{"string", "number", "boolean", "null"}
		switch s.Format {
		case "duration":
			out["pattern"] = `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`
		case "date":
			out["pattern"] = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`
		}
	case KindOneOf:
		alts := make([]any, 0, len(s.OneOf))
		for _, a := range s.OneOf {
			alts = append(alts, schemaOf(a))
		}
		out["anyOf"] = alts
	}
	if len(s.Enum) > 0 {
		enum := make([]any, 0, len(s.Enum)+1)
		for _, e := range s.Enum {
			enum = append(enum, e)
		}
		out["enum"] = append(enum, nil)
	}
	if s.Default != "" {
		out["default"] = typedDefault(s)
	}
	return out
}

func typedDefault(s *Shape) any {
	switch s.Kind {
	case KindInteger:
		if v, err := strconv.ParseInt(s.Default, 10, 64); err == nil {
			return v
		}
	case KindBoolean:
		if v, err := strconv.ParseBool(s.Default); err == nil {
			return v
		}
	}
	return s.Default
}
