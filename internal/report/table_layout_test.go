package report

import (
	"slices"
	"testing"
)

func TestFitColumns(t *testing.T) {
	tests := []struct {
		name    string
		natural []int
		budget  int
		want    []int
	}{
		{"fits: natural widths", []int{30, 10, 20}, 86, []int{30, 10, 20}},
		{"values give way before the ID", []int{36, 32, 50}, 86, []int{36, 25, 25}},
		{"ties: the rightmost narrows first", []int{20, 30, 30}, 79, []int{20, 30, 29}},
		{"then every column, widest first", []int{60, 40, 40}, 46, []int{24, 11, 11}},
		{"never below minColumn", []int{50, 50, 50}, 12, []int{minColumn, minColumn, minColumn}},
		{"narrow columns stay narrow", []int{5, 8, 8}, 12, []int{5, 8, 8}},
		{"huge values are bounded", []int{20, 1 << 30, 8}, 86, []int{20, 58, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fitColumns(tt.natural, tt.budget); !slices.Equal(got, tt.want) {
				t.Errorf("fitColumns(%v, %d) = %v, want %v", tt.natural, tt.budget, got, tt.want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := map[string]string{
		"4096":                        "4096",
		"  4096\n":                    "4096",
		"a\nb":                        "a⏎b",
		"a\r\nb":                      "a⏎b",
		"a\rb\u2028c":                 "a⏎b⏎c",
		"a\tb":                        "a b",
		"\x1b[2Jx":                    "\ufffd[2Jx",
		"\u202egnp.exe":               "\ufffdgnp.exe",
		"bad\xffutf8":                 "bad\ufffdutf8",
		"Rocky Linux 9.3 (Blue Onyx)": "Rocky Linux 9.3 (Blue Onyx)",
		"ümlaut ✓":                    "ümlaut ✓",
	}
	for in, want := range tests {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in       string
		width    int
		maxLines int
		want     []string
	}{
		{"", 20, 3, nil},
		{"short message", 20, 3, []string{"short message"}},
		{"one two three four five", 10, 3, []string{"one two", "three four", "five"}},
		{"https://example.com/a/long/path", 12, 5, []string{"https://exam", "ple.com/a/lo", "ng/path"}},
		{"a b c d e f g h i j k l m n o p q r s t u v w x y z", 10, 2, []string{"a b c d e", "f g h i j…"}},
		// A short last line gets one mark of the cut (twwidth appended a second).
		{"ab cdefghij klm", 10, 1, []string{"ab …"}},
	}
	for _, tt := range tests {
		got := wrap(tt.in, tt.width, tt.maxLines)
		if !slices.Equal(got, tt.want) {
			t.Errorf("wrap(%q, %d, %d) = %q, want %q", tt.in, tt.width, tt.maxLines, got, tt.want)
		}
		for _, l := range got {
			if len([]rune(l)) > max(tt.width, minColumn) {
				t.Errorf("wrap(%q): line %q wider than %d", tt.in, l, tt.width)
			}
		}
	}
}
