package docs_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/golive-sh/golive/docs"
)

// The schema is what ticketing tools' authors read: every field and every
// definition says what it is.
func TestReportSchemaDocumentsEveryField(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(docs.ReportSchema, &root); err != nil {
		t.Fatalf("docs/report.schema.json: %v", err)
	}
	defs, _ := root["$defs"].(map[string]any)
	documented := func(s map[string]any) bool {
		if ref, ok := s["$ref"].(string); ok {
			s, _ = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		return s != nil && s["title"] != nil && s["description"] != nil
	}
	walk := func(where string, s map[string]any) {
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			if !documented(p.(map[string]any)) {
				t.Errorf("%s/%s has no title or description", where, name)
			}
		}
	}
	walk("#", root)
	for name, d := range defs {
		if !documented(d.(map[string]any)) {
			t.Errorf("#/$defs/%s has no title or description", name)
		}
		walk("#/$defs/"+name, d.(map[string]any))
	}
	if len(defs) == 0 {
		t.Error("no $defs: the walk checked nothing")
	}
}
