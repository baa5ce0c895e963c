// Package docs holds golive's published documents that code needs at run
// time or in tests. ReportSchema is the JSON Schema of the report
// (golive/report/v1): embedding it keeps the contract that ticketing tools
// read and the one golive's tests validate against the same bytes.
package docs

import _ "embed"

// ReportSchema is docs/report.schema.json, the JSON Schema (draft 2020-12)
// of the JSON report, schema golive/report/v1.
//
//go:embed report.schema.json
var ReportSchema []byte

// FleetSchema is docs/fleet.schema.json, the JSON Schema (draft 2020-12)
// of the merged fleet report, schema golive/fleet/v1.
//
//go:embed fleet.schema.json
var FleetSchema []byte

// ProfileReference is docs/profile-reference.md, every key of a profile
// (tools/genprofile writes it); the golive.yaml(5) man page is made of it.
//
//go:embed profile-reference.md
var ProfileReference []byte
