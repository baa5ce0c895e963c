package report_test

import (
	"encoding/json"
	"testing"
)

// TestJSONCarriesWhy: the rule's why is in the JSON report when the check
// has one, and the key is left out when it has none (an additive, optional
// field of v1: consumers of older reports never see an empty one).
func TestJSONCarriesWhy(t *testing.T) {
	var doc struct {
		Checks []map[string]any `json:"checks"`
	}
	if err := json.Unmarshal(encode(t, sampleReport()), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Checks {
		why, has := c["why"]
		switch c["id"] {
		case "sysctl/net.core.somaxconn":
			if s, _ := why.(string); s == "" || s[:22] != "a Go service's net.Lis" {
				t.Errorf("somaxconn why = %v, want the rule's why", why)
			}
		default:
			if has {
				t.Errorf("%v has why %v, want no key", c["id"], why)
			}
		}
	}
}
