package report_test

import (
	"io"
	"testing"

	"github.com/golive-sh/golive/internal/report"
)

// 60 checks is the full local profile of DESIGN.md's budget: rendering must
// cost nothing next to process start.

func BenchmarkJSON(b *testing.B) {
	r := bigReport(60)
	b.ReportAllocs()
	for b.Loop() {
		if err := report.JSON(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTable(b *testing.B) {
	r := bigReport(60)
	b.ReportAllocs()
	for b.Loop() {
		if err := report.Table(io.Discard, r, report.TableOptions{Width: 120, Color: true}); err != nil {
			b.Fatal(err)
		}
	}
}
