package profile

import (
	"bytes"
	"fmt"
	"strings"
)

// Reference renders top (ProfileShape) as docs/profile-reference.md:
// every key with its type, default, example and limits, then the limits
// golive puts on a profile file as a whole. head is the page's opening.
func Reference(head string, top *Shape) []byte {
	var b bytes.Buffer
	b.WriteString(strings.TrimRight(head, "\n") + "\n")
	for _, f := range top.Fields {
		fmt.Fprintf(&b, "\n## `%s`\n\n", f.Key)
		if f.Doc != "" {
			b.WriteString(f.Doc + "\n\n")
		}
		var table bytes.Buffer
		rows(&table, f.Key, f.Shape)
		fmt.Fprintf(&b, "Type: %s.", typeName(f.Shape))
		if l := limits(f.Shape); l != "" {
			b.WriteString(" **Limits:** " + l + ".")
		}
		b.WriteString("\n")
		if table.Len() > 0 {
			b.WriteString("\n| Key | Type | Default | Description |\n| --- | --- | --- | --- |\n")
			b.Write(table.Bytes())
		}
		switch ex := examples(f.Shape); {
		case len(ex) == 1 && f.Kind == KindText:
			b.WriteString("\nExample: `" + f.Key + ": " + ex[0] + "`\n")
		case len(ex) > 0:
			b.WriteString("\nExample:\n\n```yaml\n" + f.Key + ":\n")
			for _, e := range ex {
				b.WriteString("  " + e + "\n")
			}
			b.WriteString("```\n")
		}
	}
	b.WriteString("\n## Limits on a profile file\n\n")
	fmt.Fprintf(&b, "- A profile file is at most %d bytes (%d MiB).\n", MaxProfileSize, MaxProfileSize>>20)
	fmt.Fprintf(&b, "- An `extends` chain is at most %d files deep, and has no cycle.\n", maxChain)
	fmt.Fprintf(&b, "- Values nest at most %d levels deep.\n", maxDepth)
	b.WriteString("- One YAML document per file; no anchors, aliases or merge keys (`<<`); no duplicate keys; keys are plain strings; no YAML tags (`!name`).\n")
	b.WriteString("- Expectations that start with `>`, `<`, `!` or `*` are quoted: `\">= 65535\"`.\n")
	b.WriteString("- The limits of each key (ranges, list lengths, accepted values) are in its row above, under **Limits**.\n")
	return b.Bytes()
}

// rows writes one table row per key under shape s, at path.
func rows(b *bytes.Buffer, path string, s *Shape) {
	switch s.Kind {
	case KindObject:
		for _, f := range s.Fields {
			row(b, path+"."+f.Key, f.Shape)
			rows(b, path+"."+f.Key, f.Shape)
		}
	case KindMap:
		key := "<" + orDefault(s.KeyDoc, "name") + ">"
		if s.Values.Kind == KindObject || s.Values.Kind == KindMap {
			row(b, path+"."+key, s.Values)
			rows(b, path+"."+key, s.Values)
		} else if s.Values.Kind == KindOneOf {
			rows(b, path+"."+key, s.Values)
		}
	case KindList:
		if s.Items.Kind == KindObject || s.Items.Kind == KindOneOf {
			rows(b, path+"[]", s.Items)
		}
	case KindOneOf:
		for _, a := range s.OneOf {
			if a.Kind == KindObject {
				rows(b, path, a)
			}
		}
	}
}

func row(b *bytes.Buffer, path string, s *Shape) {
	desc := s.Doc
	if s.Example != "" {
		desc += " Example: `" + s.Example + "`."
	}
	if l := limits(s); l != "" {
		desc += " **Limits:** " + l + "."
	}
	def := "—"
	if s.Default != "" {
		def = "`" + s.Default + "`"
	}
	if s.Required == "true" {
		def = "required"
	}
	fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", path, typeName(s), def, cell(strings.TrimSpace(desc)))
}

func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }

// typeName says what a key takes, in words.
func typeName(s *Shape) string {
	switch s.Kind {
	case KindObject:
		return "mapping"
	case KindMap:
		return "mapping of " + orDefault(s.KeyDoc, "name") + " to " + typeName(s.Values)
	case KindList:
		return "list of " + typeName(s.Items)
	case KindRule:
		return "expectation"
	case KindOneOf:
		alts := make([]string, 0, len(s.OneOf))
		for _, a := range s.OneOf {
			alts = append(alts, typeName(a))
		}
		if len(alts) == 2 && s.OneOf[0].Kind == KindRule && s.OneOf[1].Kind == KindObject {
			return "rule (expectation or mapping)"
		}
		return strings.Join(alts, " or ")
	case KindText:
		switch s.Format {
		case "duration":
			return "duration"
		case "date":
			return "date (YYYY-MM-DD)"
		}
	}
	return s.Kind
}

func limits(s *Shape) string {
	var out []string
	if len(s.Enum) > 0 {
		out = append(out, "one of "+strings.Join(s.Enum, ", "))
	}
	switch {
	case s.Min != nil && s.Max != nil:
		out = append(out, fmt.Sprintf("%d to %d", *s.Min, *s.Max))
	case s.Min != nil:
		out = append(out, fmt.Sprintf("at least %d", *s.Min))
	case s.Max != nil:
		out = append(out, fmt.Sprintf("at most %d", *s.Max))
	}
	if s.MaxItems > 0 {
		out = append(out, fmt.Sprintf("at most %d entries", s.MaxItems))
	}
	if s.Format == "duration" {
		out = append(out, "a positive Go duration (30s, 2m, 1h30m)")
	}
	return strings.Join(out, "; ")
}

// examples are the section's keys with an example, one line each.
func examples(s *Shape) []string {
	if s.Kind != KindObject {
		if s.Example != "" {
			return []string{s.Example}
		}
		return nil
	}
	var out []string
	for _, f := range s.Fields {
		if f.Example != "" {
			out = append(out, f.Key+": "+f.Example)
		}
	}
	return out
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
