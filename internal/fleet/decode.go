package fleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

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
	// FleetStale, set by fleet check in a report it kept from an earlier
	// run, says the latest run that included the host could not check it.
	FleetStale *Stale `json:"fleet_stale"`
	Host       struct {
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
	if st := r.FleetStale; st != nil {
		if !staleKinds[st.ErrorKind] {
			return nil, fmt.Errorf("fleet_stale: unknown error_kind %q", clip(string(st.ErrorKind)))
		}
		if _, err := time.Parse(time.RFC3339Nano, st.RunStartedAt); err != nil {
			return nil, fmt.Errorf("fleet_stale: run_started_at %q is not an RFC 3339 time", clip(st.RunStartedAt))
		}
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

// Stale marks a host report that fleet check --out-dir kept from an
// earlier run because a later run that included the host could not check
// it: the report is what was last known, not the host's state now.
type Stale struct {
	// RunStartedAt is when the run that could not check the host started
	// (RFC 3339, UTC).
	RunStartedAt string `json:"run_started_at"`
	// ErrorKind and Error say why that run could not check it.
	ErrorKind Kind   `json:"error_kind"`
	Error     string `json:"error"`
}

// staleKinds are the kinds a fan-out failure has: what a Stale may say.
var staleKinds = map[Kind]bool{KindUnreachable: true, KindAuth: true, KindHostKey: true, KindRemote: true, KindTimeout: true}

// WithFleetStale returns the report marked stale: a top-level
// "fleet_stale" member, first, replacing any such member an earlier
// marking left; the rest of the document as it was. report must be a
// decoded report (an object).
func WithFleetStale(report []byte, st Stale) ([]byte, error) {
	doc, err := withoutMember(report, "fleet_stale")
	if err != nil {
		return nil, err
	}
	i := bytes.IndexByte(doc, '{')
	if i < 0 {
		return nil, errors.New("not a JSON object")
	}
	value, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	rest := doc[i+1:]
	sep := ","
	if t := bytes.TrimLeft(rest, " \t\r\n"); len(t) > 0 && t[0] == '}' {
		sep = ""
	}
	out := make([]byte, 0, len(doc)+len(value)+24)
	out = append(out, doc[:i+1]...)
	out = append(out, "\n  \"fleet_stale\": "...)
	out = append(out, value...)
	out = append(out, sep...)
	return append(out, rest...), nil
}

// withoutMember removes every top-level member named key from a JSON
// object, leaving the other bytes as they were.
func withoutMember(doc []byte, key string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	type span struct{ from, to int64 }
	var cut []span
	first := true
	for dec.More() {
		from := dec.InputOffset() // after '{' or the previous value
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if name, _ := t.(string); name == key {
			cut = append(cut, span{from, dec.InputOffset()})
			if first {
				// The first member has no comma before it: take the one
				// after it, if there is one, with the value.
				rest := doc[dec.InputOffset():]
				j := bytes.IndexFunc(rest, func(r rune) bool { return r != ' ' && r != '\t' && r != '\r' && r != '\n' })
				if j >= 0 && rest[j] == ',' {
					cut[len(cut)-1].to += int64(j + 1)
				}
				continue // the next member is now the first
			}
		}
		first = false
	}
	if len(cut) == 0 {
		return doc, nil
	}
	out := make([]byte, 0, len(doc))
	prev := int64(0)
	for _, c := range cut {
		// A comma taken with a first member is also where the next
		// member's span starts.
		c.from = max(c.from, prev)
		out = append(out, doc[prev:c.from]...)
		prev = c.to
	}
	return append(out, doc[prev:]...), nil
}
