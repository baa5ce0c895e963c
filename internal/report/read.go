package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"syscall"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/remediate"
)

// The bounds of a report read back, shared by every reader (diff, remediate
// --from, fleet report, fleet check's fetch), so that whatever golive
// writes, golive reads. They follow what golive produces: a run plans at
// most MaxChecks checks (the CLI refuses a larger plan with exit 2), and a
// check's JSON entry averages about 750 bytes on the fixture roots'
// reports, remediation included (100,000 checks make 72 MiB). Two KiB a
// check leaves room for long observed values; MaxReportSize still keeps a
// wrong file (a disk image, /dev/zero) from eating the machine's memory.
const (
	MaxChecks     = 250_000
	MaxReportSize = MaxChecks * 2048
)

// Read decodes a golive/report/v1 document, as diff, remediate and fleet
// reports read them back. It is outside input: the size is bounded, the
// schema name must match, the checks list must be there, and every check
// needs an ID, a known status and actions of known types, so later code
// can trust what it indexes by. (Full validation against
// docs/report.schema.json is left to the tests: the JSON Schema library
// costs every golive start about 9 ms in package initialisation.)
func Read(r io.Reader) (*Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxReportSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxReportSize {
		return nil, fmt.Errorf("larger than %d MiB, the most golive writes: not a golive report", MaxReportSize>>20)
	}
	var head struct {
		Schema *string          `json:"schema"`
		Checks *json.RawMessage `json:"checks"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if head.Schema == nil {
		return nil, errors.New(`no "schema" field: not a golive report`)
	}
	if *head.Schema != SchemaV1 {
		return nil, fmt.Errorf("schema %q: this golive reads %s", *head.Schema, SchemaV1)
	}
	if head.Checks == nil || string(*head.Checks) == "null" {
		return nil, fmt.Errorf(`no "checks" list: not a valid %s document`, SchemaV1)
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("not a valid %s document: %w", SchemaV1, err)
	}
	if len(rep.Checks) > MaxChecks {
		return nil, fmt.Errorf("%d checks: golive runs at most %d", len(rep.Checks), MaxChecks)
	}
	seen := make(map[string]bool, len(rep.Checks))
	for i, c := range rep.Checks {
		if c.ID == "" {
			return nil, fmt.Errorf("checks[%d] has no id", i)
		}
		if !slices.Contains(engine.Statuses, c.Status) {
			return nil, fmt.Errorf("check %s: unknown status %q", c.ID, c.Status)
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("check %s appears twice", c.ID)
		}
		seen[c.ID] = true
		if c.Remediation != nil {
			for _, a := range c.Remediation.Actions {
				if !slices.Contains(remediate.Kinds, a.Kind) {
					return nil, fmt.Errorf("check %s: remediation action of unknown type %q", c.ID, a.Kind)
				}
			}
		}
	}
	return &rep, nil
}

// ReadFile reads the report in path; "-" is standard input. Errors name
// the file.
func ReadFile(path string, stdin io.Reader) (*Report, error) {
	var r io.Reader = stdin
	name := "standard input"
	if path != "-" {
		// O_NONBLOCK: a FIFO named by mistake must not hang the command;
		// the regular-file check below then refuses it.
		f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file", path)
		}
		r, name = f, path
	}
	rep, err := Read(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rep, nil
}
