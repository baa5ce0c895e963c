package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/golive-sh/golive/docs"
	"github.com/golive-sh/golive/internal/report"
)

// readReport reads the report of --from ("-" is standard input).
// report.ReadFile bounds its size, checks the schema name, the check IDs
// and statuses; remediate also holds it to docs/report.schema.json, so
// that every action it renders has a type the schema knows, an absolute
// path, and the fields of its type. It validates the report as decoded
// and encoded again: exactly what the renderers get. Errors exit 2 and
// name the file.
func readReport(name string, stdin io.Reader) (*report.Report, error) {
	rep, err := report.ReadFile(name, stdin)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return nil, invalid(fmt.Errorf("--from %s: %w", name, pe.Err))
	case err != nil:
		return nil, invalid(fmt.Errorf("--from %w", err)) // it starts with the file's name
	}
	if err := conforms(rep); err != nil {
		return nil, invalid(fmt.Errorf("--from %s: %w", name, err))
	}
	return rep, nil
}

// conforms validates a report against docs/report.schema.json.
func conforms(rep *report.Report) error {
	schema, err := reportSchema()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.JSON(&buf, rep); err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(&buf)
	if err != nil {
		return err
	}
	if err := schema.Validate(doc); err != nil {
		return fmt.Errorf("does not match the report schema: %s", clipLines(err.Error(), 8))
	}
	return nil
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
