package fleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/golive-sh/golive/internal/report"
)

// HostReport is the part of a golive/report/v1 document the fleet view
// reads. Decoding only this keeps a merge of hundreds of reports cheap and
// leaves fields the fleet does not use (details, remediation) unable to
// make a report unreadable.
type HostReport struct {
	Schema string `json:"schema"`
	// FleetTarget is the host as fleet check named it, added when it
	// saves the report (--out-dir): what fleet report keys hosts by.
	FleetTarget string `json:"fleet_target"`
	Host        struct {
		Hostname  string        `json:"hostname"`
		MachineID string        `json:"machine_id"`
		Distro    report.Distro `json:"distro"`
	} `json:"host"`
	Profile   report.Profile `json:"profile"`
	StartedAt string         `json:"started_at"`
	Verdict   string         `json:"verdict"`
	Checks    []struct {
		ID       string `json:"id"`
		Category string `json:"category"`
		Status   string `json:"status"`
	} `json:"checks"`
}

// statuses are the check statuses of golive/report/v1.
var statuses = map[string]bool{"pass": true, "warn": true, "fail": true, "skip": true, "error": true, "waived": true}

// DecodeReport parses one JSON report and checks what the merge relies
// on: the schema id, a known verdict, and checks with IDs and known
// statuses. Trailing data after the document is an error.
func DecodeReport(data []byte) (*HostReport, error) {
	var r HostReport
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not a JSON report: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not a JSON report: data after the document")
	}
	if r.Schema != report.SchemaV1 {
		return nil, fmt.Errorf("schema %q, want %s", clip(r.Schema), report.SchemaV1)
	}
	switch r.Verdict {
	case report.VerdictPass, report.VerdictWarn, report.VerdictFail, report.VerdictAborted:
	default:
		return nil, fmt.Errorf("unknown verdict %q", clip(r.Verdict))
	}
	for i, c := range r.Checks {
		if c.ID == "" {
			return nil, fmt.Errorf("check %d has no id", i)
		}
		if !statuses[c.Status] {
			return nil, fmt.Errorf("check %s: unknown status %q", clip(c.ID), clip(c.Status))
		}
	}
	return &r, nil
}

// ReadReportFile reads a report file of at most max bytes (a regular file:
// a FIFO or device named by mistake must not hang or flood the merge).
func ReadReportFile(path string, max int64) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO must not block before Stat refuses it.
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
		return nil, errors.New("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return data, nil
}

// WithFleetTarget returns the report with a top-level "fleet_target"
// member naming the host as the fan-out did, first, the rest of the
// document byte for byte as the host sent it. report must be a decoded
// report (an object).
func WithFleetTarget(report []byte, target string) []byte {
	i := bytes.IndexByte(report, '{')
	if i < 0 {
		return report
	}
	name, _ := json.Marshal(target)
	rest := report[i+1:]
	sep := ","
	if t := bytes.TrimLeft(rest, " \t\r\n"); len(t) > 0 && t[0] == '}' {
		sep = ""
	}
	out := make([]byte, 0, len(report)+len(name)+24)
	out = append(out, report[:i+1]...)
	out = append(out, "\n  \"fleet_target\": "...)
	out = append(out, name...)
	out = append(out, sep...)
	return append(out, rest...)
}
