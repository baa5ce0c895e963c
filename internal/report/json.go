package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// JSON writes r as the golive/report/v1 document: indented, one trailing
// newline. Field order is the struct order and map keys are sorted, so the
// same report always gives the same bytes (golden files, diffs between
// runs). HTML escaping is off because consumers are programs and people
// reading expectations such as ">= 65535", not browsers.
func JSON(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("encode report: nil report")
	}
	// Encode into memory first so a value that cannot be encoded (a family
	// putting a NaN or a channel into Details) leaves w untouched instead of
	// holding half a document.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
