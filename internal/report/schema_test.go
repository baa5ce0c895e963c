package report_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/golive-sh/golive/internal/report/reporttest"
)

// mutate decodes the sample report, lets edit change the generic document,
// and encodes it again: the schema is tested on documents golive itself
// cannot produce.
func mutate(t *testing.T, edit func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(encode(t, sampleReport()), &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func check(doc map[string]any, i int) map[string]any {
	return doc["checks"].([]any)[i].(map[string]any)
}

func firstAction(doc map[string]any, i int) map[string]any {
	plan := check(doc, i)["remediation"].(map[string]any)
	return plan["actions"].([]any)[0].(map[string]any)
}

// Indexes into sampleResults.
const (
	somaxconnCheck = 0 // sysctl-set
	nofileCheck    = 4 // drop-in, command
	selinuxCheck   = 5 // file-line, command
	dnsCheck       = 6 // manual
)

func TestSchemaRejectsBrokenReports(t *testing.T) {
	tests := []struct {
		name string
		at   string // JSON pointer of the violation the edit makes
		edit func(doc map[string]any)
	}{
		{"unknown status", "/checks/0/status", func(d map[string]any) { check(d, 0)["status"] = "ok" }},
		{"unknown severity", "/checks/0/severity", func(d map[string]any) { check(d, 0)["severity"] = "urgent" }},
		{"missing fingerprint", "/checks/0", func(d map[string]any) { delete(check(d, 0), "fingerprint") }},
		{"fingerprint not sha256", "/checks/0/fingerprint", func(d map[string]any) { check(d, 0)["fingerprint"] = "md5:abc" }},
		{"missing details", "/checks/0", func(d map[string]any) { delete(check(d, 0), "details") }},
		{"details not an object", "/checks/0/details", func(d map[string]any) { check(d, 0)["details"] = []any{"runtime"} }},
		{"missing remediation", "/checks/1", func(d map[string]any) { delete(check(d, 1), "remediation") }},
		{"check ID without category", "/checks/0/id", func(d map[string]any) { check(d, 0)["id"] = "somaxconn" }},
		{"observed not a string", "/checks/0/observed", func(d map[string]any) { check(d, 0)["observed"] = 4096 }},
		{"unknown remediation type", "/checks/0/remediation/actions/0/type", func(d map[string]any) { firstAction(d, somaxconnCheck)["type"] = "shell" }},
		{"remediation without actions", "/checks/0/remediation", func(d map[string]any) {
			delete(check(d, somaxconnCheck)["remediation"].(map[string]any), "actions")
		}},
		{"remediation a string", "/checks/0/remediation", func(d map[string]any) { check(d, 0)["remediation"] = "sysctl -w net.core.somaxconn=65535" }},
		{"sysctl-set without value", "/checks/0/remediation/actions/0", func(d map[string]any) { delete(firstAction(d, somaxconnCheck), "value") }},
		{"drop-in without content", "/checks/4/remediation/actions/0", func(d map[string]any) { delete(firstAction(d, nofileCheck), "content") }},
		{"drop-in relative path", "/checks/4/remediation/actions/0/path", func(d map[string]any) { firstAction(d, nofileCheck)["path"] = "myapp.conf" }},
		{"file-line without line", "/checks/5/remediation/actions/0", func(d map[string]any) { delete(firstAction(d, selinuxCheck), "line") }},
		{"command without argv", "/checks/4/remediation/actions/1", func(d map[string]any) {
			delete(check(d, nofileCheck)["remediation"].(map[string]any)["actions"].([]any)[1].(map[string]any), "argv")
		}},
		{"manual without text", "/checks/6/remediation/actions/0", func(d map[string]any) { delete(firstAction(d, dnsCheck), "text") }},
		{"wrong schema version", "/schema", func(d map[string]any) { d["schema"] = "golive/report/v2" }},
		{"unknown verdict", "/verdict", func(d map[string]any) { d["verdict"] = "ready" }},
		{"aborted without reason", "", func(d map[string]any) { d["verdict"] = "aborted" }},
		{"reason without abort", "/verdict", func(d map[string]any) { d["aborted"] = "interrupted" }},
		{"missing summary", "", func(d map[string]any) { delete(d, "summary") }},
		{"unknown summary status", "/summary", func(d map[string]any) { d["summary"].(map[string]any)["flaky"] = 0 }},
		{"negative count", "/summary/fail", func(d map[string]any) { d["summary"].(map[string]any)["fail"] = -1 }},
		{"started_at not a date-time", "/started_at", func(d map[string]any) { d["started_at"] = "yesterday" }},
		{"started_at not UTC", "/started_at", func(d map[string]any) { d["started_at"] = "2026-11-21T10:00:00+01:00" }},
		{"malformed machine-id", "/host/machine_id", func(d map[string]any) { d["host"].(map[string]any)["machine_id"] = "xyz" }},
		{"checks not an array", "/checks", func(d map[string]any) { d["checks"] = map[string]any{} }},
	}
	if err := reporttest.Validate(mutate(t, func(map[string]any) {})); err != nil {
		t.Fatalf("the unmodified sample report is invalid: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := reporttest.Validate(mutate(t, tt.edit))
			if err == nil {
				t.Fatal("schema accepted the broken report")
			}
			if !violatesAt(err, tt.at) {
				t.Errorf("want a violation at %q, got: %v", tt.at, err)
			}
		})
	}
}

// v1 consumers must tolerate additive changes, so the schema must too.
func TestSchemaAcceptsAdditiveFields(t *testing.T) {
	data := mutate(t, func(d map[string]any) {
		d["fleet"] = "eu-west"
		d["tool"].(map[string]any)["commit"] = "abc123"
		d["host"].(map[string]any)["boot_id"] = "x"
		check(d, 0)["tags"] = []any{"network"}
		check(d, 0)["remediation"].(map[string]any)["script"] = "sysctl -w net.core.somaxconn=65535"
		firstAction(d, somaxconnCheck)["runtime_only"] = false
	})
	if err := reporttest.Validate(data); err != nil {
		t.Errorf("schema rejected additive fields: %v", err)
	}
}

func TestValidateRejectsNonJSON(t *testing.T) {
	for _, data := range []string{"", "{", `{"schema": "golive/report/v1"} trailing`} {
		if err := reporttest.Validate([]byte(data)); err == nil {
			t.Errorf("Validate(%q) succeeded", data)
		}
	}
}

// violatesAt reports whether one of err's innermost validation errors is at
// the JSON pointer want, so a case cannot pass by tripping another rule.
func violatesAt(err error, want string) bool {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	var walk func(*jsonschema.ValidationError) bool
	walk = func(e *jsonschema.ValidationError) bool {
		if len(e.Causes) == 0 {
			at := ""
			if len(e.InstanceLocation) > 0 {
				at = "/" + strings.Join(e.InstanceLocation, "/")
			}
			return at == want
		}
		for _, c := range e.Causes {
			if walk(c) {
				return true
			}
		}
		return false
	}
	return walk(ve)
}
