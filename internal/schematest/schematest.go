// Package schematest validates documents golive writes against the JSON
// Schemas it publishes in docs/ (report, fleet report). Tests use it; the
// binary does not, because the schema library's package initialisation
// costs every start several milliseconds.
package schematest

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema is one published schema, compiled on first use: compiling it (and
// the 2020-12 metaschema it is checked against) costs far more than
// validating, so a test binary does it once.
type Schema struct {
	file     string // docs/report.schema.json, for messages
	compiled func() (*jsonschema.Schema, error)
}

// New describes the schema in data, published as file under its $id url;
// the compiler gets the embedded bytes under that url, so nothing is
// fetched.
func New(file, url string, data []byte) *Schema {
	return &Schema{file: file, compiled: sync.OnceValues(func() (*jsonschema.Schema, error) {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		c := jsonschema.NewCompiler()
		// Draft 2020-12 treats "format" as an annotation; the contracts
		// promise date-times, so assert them.
		c.AssertFormat()
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("load %s: %w", file, err)
		}
		s, err := c.Compile(url)
		if err != nil {
			return nil, fmt.Errorf("compile %s: %w", file, err)
		}
		return s, nil
	})}
}

// Validate reports whether data is one JSON document that conforms to the
// schema. The error lists every violation with its JSON pointer.
func (s *Schema) Validate(data []byte) error {
	schema, err := s.compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := schema.Validate(v); err != nil {
		return fmt.Errorf("does not match %s: %w", s.file, err)
	}
	return nil
}
