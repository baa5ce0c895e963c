package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/golive-sh/golive/docs"
	"github.com/golive-sh/golive/internal/report"
)

// maxReportSize bounds a report read with --from: outside input, and a
// report of thousands of checks is a few MiB.
const maxReportSize = 64 << 20

// readReport reads a JSON report from a file, or standard input for "-",
// and accepts it only when it conforms to docs/report.schema.json. Every
// error names the file and exits 2.
func readReport(name string, stdin io.Reader) (*report.Report, error) {
	fail := func(err error) error { return invalid(fmt.Errorf("--from %s: %w", name, err)) }
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fail(pe.Err) // the message names the file already
		}
		if err != nil {
			return nil, fail(err)
		}
		defer f.Close()
		r = f
	}
	if r == nil {
		return nil, fail(errors.New("no standard input"))
	}
	data, err := io.ReadAll(io.LimitReader(r, maxReportSize+1))
	if err != nil {
		return nil, fail(err)
	}
	if len(data) > maxReportSize {
		return nil, fail(fmt.Errorf("larger than %d MiB: not a golive report", maxReportSize>>20))
	}
	rep, err := parseReport(data)
	if err != nil {
		return nil, fail(err)
	}
	return rep, nil
}

// parseReport checks the schema identifier first, for a clear message on
// another document or version, then the whole document.
func parseReport(data []byte) (*report.Report, error) {
	var head struct {
		Schema any `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not a JSON report: %w", err)
	}
	if head.Schema != report.SchemaV1 {
		return nil, fmt.Errorf("schema %v: golive %s reads %s reports (golive check --format json)", head.Schema, Version, report.SchemaV1)
	}
	schema, err := reportSchema()
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a JSON report: %w", err)
	}
	if err := schema.Validate(doc); err != nil {
		return nil, fmt.Errorf("does not match the report schema: %s", clipLines(err.Error(), 8))
	}
	var rep report.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return &rep, nil
}

// reportSchema is docs/report.schema.json, compiled once, from the
// embedded bytes under its $id: nothing is fetched.
var reportSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(docs.ReportSchema))
	if err != nil {
		return nil, fmt.Errorf("report schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://raw.githubusercontent.com/golive-sh/golive/main/docs/report.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("report schema: %w", err)
	}
	return c.Compile(url)
})

// clipLines keeps the first n lines of a long message (a schema error
// lists every violation, and a hostile file can have millions).
func clipLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n  ... and %d more lines", len(lines)-n)
}
