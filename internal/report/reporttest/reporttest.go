// Package reporttest checks JSON reports against the published schema,
// docs/report.schema.json. Any test that writes a report (renderer tests,
// CLI golden tests) calls Validate, so a report golive emits can never drift
// from the contract ticketing tools read.
package reporttest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/golive-sh/golive/docs"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/internal/schematest"
)

// schema is docs/report.schema.json under its $id.
var schema = schematest.New("docs/report.schema.json",
	"https://raw.githubusercontent.com/golive-sh/golive/main/docs/report.schema.json", docs.ReportSchema)

// Validate reports whether data is one JSON report that conforms to
// docs/report.schema.json. The error of a non-conforming report lists every
// violation with its JSON pointer.
func Validate(data []byte) error {
	if err := schema.Validate(data); err != nil {
		return fmt.Errorf("report: %w", err)
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
