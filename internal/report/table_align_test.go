package report

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/golive-sh/golive/internal/testgen"
)

// TestAlignRowsAgreesWithTablewriter compares alignRows with the layout
// tablewriter gave the table before golive padded it itself (no borders,
// no rules, left-aligned, columnGap spaces after each cell): the same
// lines for cells of ASCII, wide (CJK, emoji) and combining characters,
// empty cells and the ellipsis of a truncated value.
func TestAlignRowsAgreesWithTablewriter(t *testing.T) {
	pieces := []string{"sysctl/net.core.somaxconn", ">= 65535", "4096", "", "_", "a b", "…", "ümlaut ✓",
		"日本語", "🙂", "e\u0301", "PASS", "WARN", "x", "(not persisted; kernel default 4096)", "1", "-"}
	rng := rand.New(rand.NewPCG(19, 4))
	for n := range 300 {
		cells := make([][4]string, 1+rng.IntN(6))
		for i := range cells {
			for c := range cells[i] {
				cells[i][c] = oneLine(testgen.Text(rng, pieces, rng.IntN(3), ""))
			}
		}
		got := alignRows(columnTitles, cells)
		want := tablewriterRows(t, columnTitles, cells)
		if !slices.Equal(got, want) {
			t.Fatalf("case %d: cells %q\nalignRows:   %q\ntablewriter: %q", n, cells, got, want)
		}
	}
}

func tablewriterRows(t *testing.T, titles [4]string, cells [][4]string) []string {
	t.Helper()
	var buf bytes.Buffer
	cell := tw.CellConfig{
		Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone, AutoFormat: tw.Off},
		Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
		Padding:    tw.CellPadding{Global: tw.Padding{Right: strings.Repeat(" ", columnGap), Overwrite: true}},
	}
	tbl := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Settings: tw.Settings{
				Separators: tw.Separators{ShowHeader: tw.Off, ShowFooter: tw.Off, BetweenRows: tw.Off, BetweenColumns: tw.Off},
				Lines:      tw.Lines{ShowTop: tw.Off, ShowBottom: tw.Off, ShowHeaderLine: tw.Off, ShowFooterLine: tw.Off},
			},
		})),
		tablewriter.WithConfig(tablewriter.Config{Header: cell, Row: cell}),
	)
	tbl.Header(titles[0], titles[1], titles[2], titles[3])
	for _, r := range cells {
		if err := tbl.Append(r[:]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tbl.Render(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}
