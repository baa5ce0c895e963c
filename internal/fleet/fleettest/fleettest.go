// Package fleettest checks fleet reports against the published schema,
// docs/fleet.schema.json, for every test that writes one.
package fleettest

import (
	"fmt"

	"github.com/golive-sh/golive/docs"
	"github.com/golive-sh/golive/internal/schematest"
)

// schema is docs/fleet.schema.json under its $id.
var schema = schematest.New("docs/fleet.schema.json",
	"https://raw.githubusercontent.com/golive-sh/golive/main/docs/fleet.schema.json", docs.FleetSchema)

// Validate reports whether data is one fleet report that conforms to
// docs/fleet.schema.json.
func Validate(data []byte) error {
	if err := schema.Validate(data); err != nil {
		return fmt.Errorf("fleet report: %w", err)
	}
	return nil
}
