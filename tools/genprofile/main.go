// Command genprofile writes the profile's JSON Schema and reference,
// docs/profile.schema.json and docs/profile-reference.md, from the shapes
// the parser and the registered families decode profiles with
// (engine.ProfileShape), so the documents cannot drift from the parser.
//
//	go run ./tools/genprofile -schema docs/profile.schema.json -reference docs/profile-reference.md    (make docs)
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"os"

	_ "github.com/golive-sh/golive/checks/all"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// head is the reference's opening: what holds for every section.
//
//go:embed head.md
var head string

func main() {
	schema := flag.String("schema", "", "file to write the JSON Schema to (docs/profile.schema.json)")
	ref := flag.String("reference", "", "file to write the reference to (docs/profile-reference.md)")
	flag.Parse()
	if *schema == "" || *ref == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: genprofile -schema docs/profile.schema.json -reference docs/profile-reference.md")
		os.Exit(2)
	}
	s, r, err := render()
	if err == nil {
		err = os.WriteFile(*schema, s, 0o644)
	}
	if err == nil {
		err = os.WriteFile(*ref, r, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genprofile:", err)
		os.Exit(1)
	}
}

// render returns the schema and the reference.
func render() (schema, reference []byte, err error) {
	top := engine.ProfileShape()
	schema, err = profile.JSONSchema(top)
	if err != nil {
		return nil, nil, err
	}
	return schema, profile.Reference(head, top), nil
}
