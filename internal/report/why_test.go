package report_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/report"
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

// TestSummariesCountInTheRightNumber: one check is "1 check" in every
// summary that counts checks, not "1 checks".
func TestSummariesCountInTheRightNumber(t *testing.T) {
	one := newReport([]engine.Result{{ID: "os/eol", Category: "os", Status: engine.Pass, Severity: "high"}})
	if md := renderMarkdown(t, one); !strings.Contains(md, "**1 check:**") {
		t.Errorf("markdown summary of one check:\n%s", md)
	}
	if out := render(t, one, report.TableOptions{}); !strings.Contains(out, "\n1 check: ") {
		t.Errorf("table summary of one check:\n%s", out)
	}
	var b strings.Builder
	d := report.Compare(one, one)
	if err := report.DiffTable(&b, d); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "1 checks") || !strings.Contains(b.String(), "(1 check: ") {
		t.Errorf("diff summary of one check:\n%s", b.String())
	}
}
