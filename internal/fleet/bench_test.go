package fleet

import (
	"fmt"
	"io"
	"testing"
)

// BenchmarkMerge500 decodes and merges 500 host reports of 60 checks each
// and renders the table and JSON: a `fleet report` over a mid-size fleet.
func BenchmarkMerge500(b *testing.B) {
	statuses := []string{"pass", "pass", "pass", "pass", "warn", "fail", "skip", "error", "waived"}
	reports := make([][]byte, 500)
	for h := range reports {
		var checks []string
		for c := range 60 {
			checks = append(checks, fmt.Sprintf("fam%d/check-%d=%s", c%8, c, statuses[(h+c)%len(statuses)]))
		}
		reports[h] = hostReport(b, fmt.Sprintf("host-%03d", h), id(h+1), t0, "", checks...)
	}
	size := 0
	for _, r := range reports {
		size += len(r)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		entries := make([]Entry, len(reports))
		for i, r := range reports {
			rep, err := DecodeReport(r)
			if err != nil {
				b.Fatal(err)
			}
			entries[i] = Entry{File: fmt.Sprint(i), Report: rep}
		}
		f := Merge(entries, MergeOptions{FailOn: FailOnFail})
		if err := Table(io.Discard, f); err != nil {
			b.Fatal(err)
		}
		if err := JSON(io.Discard, f); err != nil {
			b.Fatal(err)
		}
	}
}
