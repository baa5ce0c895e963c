package report_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

func encode(t *testing.T, r *report.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := report.JSON(&buf, r); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	return buf.Bytes()
}

func TestJSONConformsToSchema(t *testing.T) {
	reports := map[string]*report.Report{
		"every status":     sampleReport(),
		"aborted":          abortedReport(),
		"no checks":        newReport(nil),
		"no profile chain": report.New(report.Input{Identity: testIdentity()}),
	}
	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			if err := reporttest.Validate(encode(t, r)); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestJSONIsIndentedStableAndUnescaped(t *testing.T) {
	a, b := encode(t, sampleReport()), encode(t, sampleReport())
	if !bytes.Equal(a, b) {
		t.Error("the same report encoded differently twice")
	}
	s := string(a)
	if !strings.HasPrefix(s, "{\n  \"schema\": \"golive/report/v1\",\n  \"tool\": {") {
		t.Errorf("want an indented document starting with schema then tool, got:\n%.80s", s)
	}
	if !strings.HasSuffix(s, "}\n") || strings.HasSuffix(s, "\n\n") {
		t.Errorf("want exactly one trailing newline, got %q", s[len(s)-5:])
	}
	if !strings.Contains(s, `"expected": ">= 65535"`) {
		t.Error(`">= 65535" is HTML-escaped or missing`)
	}
	// Top-level fields come in the documented order.
	last := -1
	for _, key := range []string{"schema", "tool", "host", "profile", "started_at", "duration_ms", "summary", "verdict", "checks"} {
		i := strings.Index(s, "\n  \""+key+"\":")
		if i < 0 || i < last {
			t.Errorf("field %q missing or out of order", key)
		}
		last = i
	}
}

func TestJSONKeepsDetailsAndRemediation(t *testing.T) {
	var doc struct {
		Checks []struct {
			ID          string         `json:"id"`
			Details     map[string]any `json:"details"`
			Remediation *struct {
				Actions []map[string]any `json:"actions"`
				Reboot  bool             `json:"reboot"`
			} `json:"remediation"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(encode(t, sampleReport()), &doc); err != nil {
		t.Fatal(err)
	}
	byID := map[string]int{}
	for i, c := range doc.Checks {
		byID[c.ID] = i
	}
	somaxconn := doc.Checks[byID["sysctl/net.core.somaxconn"]]
	if v, ok := somaxconn.Details["persisted"]; !ok || v != nil {
		t.Errorf("details.persisted = %v (present %v), want an explicit null", v, ok)
	}
	if files, _ := somaxconn.Details["files"].([]any); len(files) != 2 {
		t.Errorf("nested details lost: %v", somaxconn.Details["files"])
	}
	if a := somaxconn.Remediation.Actions[0]; a["type"] != "sysctl-set" || a["key"] != "net.core.somaxconn" || a["value"] != "65535" {
		t.Errorf("sysctl-set action = %v", a)
	}
	if _, ok := somaxconn.Remediation.Actions[0]["argv"]; ok {
		t.Error("a sysctl-set action carries command fields")
	}
	if doc.Checks[byID["sysctl/vm.swappiness"]].Remediation != nil {
		t.Error("a pass without a plan has remediation, want null")
	}
	if d := doc.Checks[byID["os/eol"]].Details; d == nil {
		t.Error("details of a check without details is null, want {}")
	}
	if !doc.Checks[byID["selinux/label:/opt/myapp/bin"]].Remediation.Reboot {
		t.Error("reboot flag lost")
	}
}

func TestJSONFailsCleanlyOnUnencodableDetails(t *testing.T) {
	results := []engine.Result{{ID: "x/nan", Category: "x", Status: engine.Pass, Severity: "info",
		Details: map[string]any{"ratio": math.NaN()}}}
	var buf bytes.Buffer
	if err := report.JSON(&buf, newReport(results)); err == nil {
		t.Fatal("JSON encoded a NaN without error")
	}
	if buf.Len() != 0 {
		t.Errorf("a failed encode wrote %d bytes", buf.Len())
	}
	if err := report.JSON(&buf, nil); err == nil {
		t.Error("JSON(nil) did not fail")
	}
}
