package textfmt

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testgen"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		width int
		want  []string
	}{
		{"fits", "a short line", 20, []string{"a short line"}},
		{"breaks at spaces", "the kernel drops SYNs beyond it", 12, []string{"the kernel", "drops SYNs", "beyond it"}},
		{"exact width", "abcd efgh", 4, []string{"abcd", "efgh"}},
		{"spaces collapse", "  a   b  ", 10, []string{"a b"}},
		{"blank", "   ", 10, nil},
		{"very long word", "https://example.com/a/very/long/path", 10,
			[]string{"https://ex", "ample.com/", "a/very/lon", "g/path"}},
		{"long word after a short one", "see /opt/myapp/releases/2026/bin", 12,
			[]string{"see", "/opt/myapp/r", "eleases/2026", "/bin"}},
		// CJK characters take two columns: four fit in 8, never half of one.
		{"CJK", "日本語の文字列です", 8, []string{"日本語の", "文字列で", "す"}},
		{"CJK odd width", "日本語", 5, []string{"日本", "語"}},
		// An emoji with a skin tone, a ZWJ sequence and a flag stay whole
		// (Width counts each of their runes: 4 columns each).
		{"emoji", "👍🏽👩\u200d💻🇩🇪x", 4, []string{"👍🏽", "👩\u200d💻", "🇩🇪", "x"}},
		// A combining acute stays with its e.
		{"combining marks", "e\u0301e\u0301e\u0301e\u0301", 3, []string{"e\u0301e\u0301e\u0301", "e\u0301"}},
		{"wider than the line", "界", 1, []string{"界"}},
		{"zero width keeps its space", "\u200b word", 10, []string{"\u200b word"}},
		{"width below one", "ab", 0, []string{"a", "b"}},
		{"escape sequences are not cut", "\x1b[31mredred\x1b[0m", 3, []string{"\x1b[31mred", "red\x1b[0m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Wrap(tt.in, tt.width); !slices.Equal(got, tt.want) {
				t.Errorf("Wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
			}
		})
	}
}

// TestWrapKeepsEveryCharacterWithinTheWidth: for random text of every kind
// of character, no line is wider than the width (unless it is one cluster
// wider than the width), and the lines, joined, are the text's words.
func TestWrapKeepsEveryCharacterWithinTheWidth(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 19))
	for range 5000 {
		s := testgen.Mixed(r, r.IntN(40), false)
		width := 1 + r.IntN(20)
		lines := Wrap(s, width)
		for _, l := range lines {
			if Width(l) > width && len(splitWord(l, width)) > 1 {
				t.Fatalf("Wrap(%q, %d): line %q is %d wide", s, width, l, Width(l))
			}
			if l == "" || strings.TrimSpace(l) != l {
				t.Fatalf("Wrap(%q, %d): blank or padded line %q", s, width, l)
			}
		}
		if got, want := strings.Join(strings.Fields(strings.Join(lines, "")), ""), strings.Join(strings.Fields(s), ""); got != want {
			t.Fatalf("Wrap(%q, %d) lost text: %q", s, width, lines)
		}
	}
}
