package cli

import (
	"encoding/csv"
	"strings"

	"github.com/spf13/pflag"
)

// listValue is a list flag that behaves as pflag's StringSlice (split,
// items separated by commas with CSV quoting) or StringArray (one item per
// flag): given once it replaces the default, given again it appends.
//
// pflag's own types format their default through encoding/csv when the
// flag is defined, a 4 KB buffered writer per flag; golive defines some
// twenty list flags in every process, most of which the command run never
// reads (issue 19 §4: package init and start-up are the bulk of a run).
type listValue struct {
	items   *[]string
	split   bool
	changed bool
}

var _ pflag.SliceValue = (*listValue)(nil)

// stringsFlag defines a comma-separated list flag (pflag's StringSliceVarP).
func stringsFlag(f *pflag.FlagSet, p *[]string, name, short, usage string) {
	f.VarP(&listValue{items: p, split: true}, name, short, usage)
}

// arrayFlag defines a repeatable flag taken whole (pflag's StringArrayVarP).
func arrayFlag(f *pflag.FlagSet, p *[]string, name, short, usage string) {
	f.VarP(&listValue{items: p}, name, short, usage)
}

func (v *listValue) Set(s string) error {
	items := []string{s}
	if v.split {
		var err error
		if items, err = splitCSV(s); err != nil {
			return err
		}
	}
	if v.changed {
		*v.items = append(*v.items, items...)
	} else {
		*v.items = items
	}
	v.changed = true
	return nil
}

// splitCSV splits one flag value as pflag does: a CSV record, "" none.
func splitCSV(s string) ([]string, error) {
	if s == "" {
		return []string{}, nil
	}
	return csv.NewReader(strings.NewReader(s)).Read()
}

// Type names the value as pflag's types do, so help says "strings" and
// "stringArray" as before.
func (v *listValue) Type() string {
	if v.split {
		return "stringSlice"
	}
	return "stringArray"
}

// String is empty for an empty list, which help reads as "no default".
func (v *listValue) String() string {
	if len(*v.items) == 0 {
		return ""
	}
	return "[" + strings.Join(*v.items, ",") + "]"
}

func (v *listValue) GetSlice() []string { return *v.items }

func (v *listValue) Append(s string) error {
	*v.items = append(*v.items, s)
	return nil
}

func (v *listValue) Replace(items []string) error {
	*v.items = items
	return nil
}
