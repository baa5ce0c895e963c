package fleet

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

	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/internal/testgen"
)

func TestMain(m *testing.M) {
	// The tablewriter reference guesses ambiguous widths from the locale;
	// the table golive prints always has them narrow.
	twwidth.SetEastAsian(false)
	code := m.Run()
	if releaseDir != "" {
		os.RemoveAll(releaseDir)
	}
	os.Exit(code)
}

// tablewriterLayout is how the fleet table was laid out before it used
// textfmt.Columns: tests still link tablewriter, golive no longer does.
func tablewriterLayout(t *testing.T, rows [][]string) string {
	t.Helper()
	var buf bytes.Buffer
	cfg := tw.CellConfig{
		Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone, AutoFormat: tw.Off},
		Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
		Padding:    tw.CellPadding{Global: tw.Padding{Right: "  ", Overwrite: true}},
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
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		b.WriteString("  " + strings.TrimRight(l, " ") + "\n")
	}
	return b.String()
}

// Host rows with names, distros and errors in many scripts and widths,
// laid out with no width limit as tablewriter laid them out.
func TestTableLayoutAgreesWithTablewriter(t *testing.T) {
	words := []string{"db1", "web-01.example.com", "界面", "서버", "😀", "🇩🇪", "👩\u200d💻", "e\u0301", "ｶﾀｶﾅ",
		"Rocky Linux 9.3", "…", "±", "a|b", "`x`", "<b>", "#1", "\\", "\u200b", strings.Repeat("長", 30)}
	r := rand.New(rand.NewPCG(7, 19))
	pick := func() string { return testgen.Text(r, words, r.IntN(4), " ") }
	for range 200 {
		rows := [][]string{{"HOST", "DISTRO", "PROFILE", "VERDICT", "PASS", "WARN", "FAIL", "ERROR", "FIRST FAILURES"}}
		for range 1 + r.IntN(5) {
			h := Host{Host: pick(), Distro: pick(), Profile: pick(), Verdict: "fail", State: StateNotReady,
				Failing: []string{pick(), pick(), pick(), pick()}, Summary: &report.Summary{Pass: r.IntN(200), Fail: r.IntN(12)}}
			if r.IntN(3) == 0 {
				h = Host{Host: pick(), State: StateUnchecked, ErrorKind: KindAuth, Error: pick() + pick() + pick()}
			}
			rows = append(rows, hostRow(h))
		}
		var got strings.Builder
		layout(&got, rows, 0)
		if want := tablewriterLayout(t, rows); got.String() != want {
			t.Fatalf("rows %q:\ngot\n%s\nwant (tablewriter)\n%s", rows, got.String(), want)
		}
	}
}
