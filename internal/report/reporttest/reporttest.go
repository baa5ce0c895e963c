// Package reporttest checks JSON reports against the published schema,
// docs/report.schema.json. Any test that writes a report (renderer tests,
// CLI golden tests) calls Validate, so a report golive emits can never drift
// from the contract ticketing tools read.
package reporttest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/golive-sh/golive/docs"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/report"
)

// schemaURL is the schema's $id; the compiler is given the embedded bytes
// under it, so nothing is fetched.
const schemaURL = "https://raw.githubusercontent.com/golive-sh/golive/main/docs/report.schema.json"

// compiled is built once per test binary: compiling the schema (and the
// 2020-12 metaschema it is checked against) costs far more than validating.
var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(docs.ReportSchema))
	if err != nil {
		return nil, fmt.Errorf("parse docs/report.schema.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	// Draft 2020-12 treats "format" as an annotation; the contract promises
	// a date-time in started_at, so assert it.
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("load docs/report.schema.json: %w", err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("compile docs/report.schema.json: %w", err)
	}
	return s, nil
})

// Validate reports whether data is one JSON report that conforms to
// docs/report.schema.json. The error of a non-conforming report lists every
// violation with its JSON pointer.
func Validate(data []byte) error {
	s, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("report is not JSON: %w", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("report does not match docs/report.schema.json: %w", err)
	}
	return nil
}

// ValidateOutcome builds the JSON report of a run's outcome on h and
// validates it, so family tests can prove their details and remediation
// fit the published schema.
func ValidateOutcome(t testing.TB, h *host.Host, root string, out engine.Outcome) {
	t.Helper()
	var buf bytes.Buffer
	if err := report.JSON(&buf, report.New(report.Input{Version: "test", Identity: h.Identity(), Root: root, Outcome: out})); err != nil {
		t.Fatal(err)
	}
	if err := Validate(buf.Bytes()); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
}
