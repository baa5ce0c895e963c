package textfmt

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/golive-sh/golive/internal/testgen"
)

// tablewriter is the reference these replace; tests may link it, golive
// does not. It guesses ambiguous widths from the locale: pin them narrow,
// as Width always is.
func TestMain(m *testing.M) {
	twwidth.SetEastAsian(false)
	os.Exit(m.Run())
}

func TestWidthAgreesWithTwwidth(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 19))
	for range 5000 {
		s := testgen.Mixed(r, r.IntN(12), true)
		if got, want := Width(s), twwidth.Width(s); got != want {
			t.Fatalf("Width(%q) = %d, twwidth says %d", s, got, want)
		}
	}
}

func TestTruncateAgreesWithTwwidth(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 19))
	for range 5000 {
		s := testgen.Mixed(r, r.IntN(12), false)
		w := r.IntN(14)
		want := s
		if twwidth.Width(s) > w { // the renderers only cut what overflows
			want = twwidth.Truncate(s, w, "…")
		}
		if got := Truncate(s, w, "…"); got != want {
			t.Fatalf("Truncate(%q, %d) = %q, twwidth says %q", s, w, got, want)
		}
		if got := Truncate(s, w, "…"); Width(got) > max(w, 0) {
			t.Fatalf("Truncate(%q, %d) = %q is %d wide", s, w, got, Width(got))
		}
	}
}

func TestTruncateKeepsEscapes(t *testing.T) {
	got := Truncate("\x1b[31mabcdef\x1b[0m", 4, "…")
	if want := "\x1b[31mabc\x1b[0m…"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// referenceColumns is the tablewriter layout fleet and report used before.
func referenceColumns(t *testing.T, rows [][]string, gap int) []string {
	t.Helper()
	var buf bytes.Buffer
	cfg := tw.CellConfig{
		Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone, AutoFormat: tw.Off},
		Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
		Padding:    tw.CellPadding{Global: tw.Padding{Right: strings.Repeat(" ", gap), Overwrite: true}},
	}
	tbl := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Settings: tw.Settings{
				Separators: tw.Separators{ShowHeader: tw.Off, ShowFooter: tw.Off, BetweenRows: tw.Off, BetweenColumns: tw.Off},
				Lines:      tw.Lines{ShowTop: tw.Off, ShowBottom: tw.Off, ShowHeaderLine: tw.Off, ShowFooterLine: tw.Off},
			},
		})),
		tablewriter.WithConfig(tablewriter.Config{Header: cfg, Row: cfg}),
	)
	header := make([]any, len(rows[0]))
	for i, v := range rows[0] {
		header[i] = v
	}
	tbl.Header(header...)
	for _, r := range rows[1:] {
		if err := tbl.Append(r); err != nil {
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

func TestColumnsAgreesWithTablewriter(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 19))
	for range 300 {
		cols := 1 + r.IntN(9)
		rows := make([][]string, 1+r.IntN(6))
		for i := range rows {
			rows[i] = make([]string, cols)
			for c := range rows[i] {
				rows[i][c] = strings.TrimSpace(testgen.Mixed(r, r.IntN(8), false))
				if i == 0 && rows[i][c] == "" {
					rows[i][c] = "TITLE" // tablewriter drops an all-empty header row
				}
			}
		}
		got, want := Columns(rows, 2), referenceColumns(t, rows, 2)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("rows %q:\ngot\n%s\nwant (tablewriter)\n%s", rows, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
