// Package fleettest checks fleet reports against the published schema,
// docs/fleet.schema.json, for every test that writes one.
package fleettest

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/golive-sh/golive/docs"
)

// schemaURL is the schema's $id; the compiler gets the embedded bytes
// under it, so nothing is fetched.
const schemaURL = "https://raw.githubusercontent.com/golive-sh/golive/main/docs/fleet.schema.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(docs.FleetSchema))
	if err != nil {
		return nil, fmt.Errorf("parse docs/fleet.schema.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("load docs/fleet.schema.json: %w", err)
	}
	return c.Compile(schemaURL)
})

// Validate reports whether data is one fleet report that conforms to
// docs/fleet.schema.json.
func Validate(data []byte) error {
	s, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("fleet report is not JSON: %w", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("fleet report does not match docs/fleet.schema.json: %w", err)
	}
	return nil
}
